// The stack against what its Mastodon release needs: a known series, a supported database, and
// no service pointed at something nothing installs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeFor, requirementsOf, SUPPORTED_SERIES } from "../../src/catalog/mastodon-releases";
import { edited, issuesOf } from "../helpers/stacks";

const messages = (text: string) => issuesOf(text).map((i) => `${i.path}: ${i.message} — ${i.fix}`);

describe("release rules", () => {
  it("refuses a series whose requirements are not known, naming the supported ones", () => {
    assert.deepEqual(messages(edited("hobby", (d) => (d.mastodon.version = "v4.8.0"))), [
      "mastodon.version: v4.8.0 is in series 4.8, whose requirements mastodon-stack does not know (supported: 4.3, 4.4, 4.5, 4.6, 4.7) — use a release of 4.7 or older; a newer series needs its requirements added to src/catalog/mastodon-releases.ts",
    ]);
    for (const v of ["v4.3.23", "v4.4.27", "v4.5.20", "v4.6.5", "v4.7.6"]) assert.ok(requirementsOf(v), v);
  });

  it("refuses self-hosted search, which nothing would install, with the alternatives", () => {
    const text = edited("hobby", (d) => {
      d.search = { selfHosted: { host: "data" } };
      d.hosts[0].roles.push("search");
    });
    assert.deepEqual(messages(text), ["search.selfHosted: mastodon-stack does not install OpenSearch (Debian has no package), so Mastodon would be pointed at nothing — use search: { managed: { size: … } } on DigitalOcean, or search: { off: true }"]);
    // A search role left on a host is not told to set search.selfHosted, which would be refused next.
    const role = edited("hobby", (d) => void d.hosts[0].roles.push("search"));
    assert.deepEqual(messages(role), ['hosts[0].roles: host "data" has the search role but search is not selfHosted — remove search from its roles (mastodon-stack installs no OpenSearch; use search.managed on DigitalOcean)']);
  });

  it("Node: Debian 13's 20 up to 4.5, NodeSource's 24 from 4.6 (engines.node >=22)", () => {
    assert.deepEqual(SUPPORTED_SERIES.map((s) => [s, nodeFor(`v${s}.0`)]), [
      ["4.3", { source: "debian", major: 20 }],
      ["4.4", { source: "debian", major: 20 }],
      ["4.5", { source: "debian", major: 20 }],
      ["4.6", { source: "nodesource", major: 24 }],
      ["4.7", { source: "nodesource", major: 24 }],
    ]);
  });
});
