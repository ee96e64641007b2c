// The packages step's desired state, rendered purely by the plan: deterministic, moved by what
// needs another package (a role, a release series, a PostgreSQL major) and by nothing else, and
// never at odds with what cloud-init installs at first boot.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { NODESOURCE } from "../../src/catalog/mastodon-releases";
import { PGDG } from "../../src/catalog/pgdg";
import { buildPlan, type Plan } from "../../src/plan";
import { packageStepInput } from "../../src/plan/render/packages-step";
import { placeholdersIn } from "../../src/plan/render/placeholders";
import type { PlannedHost } from "../../src/plan/types";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan } from "../helpers/plans";
import { edited, type Doc } from "../helpers/stacks";

const planOf = (name: string, edit: (d: Doc) => void): Plan => buildPlan(parseStack(edited(name, edit), `${name}.yaml`));
const host = (plan: Plan, name: string): PlannedHost => plan.hosts.find((h) => h.name === name)!;
const hashes = (plan: Plan) => Object.fromEntries(plan.hosts.map((h) => [h.name, h.packages.sha256]));

interface CloudConfig {
  packages: string[];
  apt?: { sources?: Record<string, { source: string; keyid: string }> };
  runcmd?: string[][];
}
const userData = (h: PlannedHost) => parse(h.userData, { version: "1.1" }) as CloudConfig;

const v46 = () => planOf("hobby", (d) => (d.mastodon.version = "v4.6.5"));
const pg15 = () => planOf("hobby", (d) => (d.postgres.selfHosted.version = "15"));

describe("packages step: rendering", () => {
  it("is deterministic, and its trigger is the hash of exactly what the script reads", () => {
    for (const name of EXAMPLES) {
      const again = planOf(name, () => {});
      for (const h of examplePlan(name).hosts) {
        const { input, sha256 } = h.packages;
        assert.equal(host(again, h.name).packages.input, input, `${name}/${h.name}`);
        assert.match(sha256, /^[0-9a-f]{64}$/);
        const lines = input.split("\n");
        assert.equal(lines[0], "mastodon-packages 1");
        assert.deepEqual(lines.slice(-2), ["end", ""]);
        const pkgs = lines.filter((l) => l.startsWith("package\t")).map((l) => l.slice("package\t".length));
        assert.deepEqual(pkgs, [...pkgs].sort(), "packages in a stable order");
        assert.deepEqual(pkgs, h.packages.packages);
      }
    }
  });

  it("renders hobby's data host to exactly this text, triggered by its SHA-256", () => {
    const { input, sha256 } = host(examplePlan("hobby"), "data").packages;
    assert.equal(
      input,
      [
        "mastodon-packages 1",
        "package\tca-certificates",
        "package\tnftables",
        "package\tpgbouncer",
        "package\tpostgresql-17",
        "package\tredis-server",
        "package\tunattended-upgrades",
        "end",
        "",
      ].join("\n"),
    );
    assert.equal(sha256, "8bbaf9c10e0ef529b930160e420e930537527c81a05843818fa7308819ca3844");
  });

  it("holds no secret, no output marker and nothing a host could not read as plain text", () => {
    for (const name of EXAMPLES) {
      for (const h of [...examplePlan(name).hosts, ...v46().hosts, ...pg15().hosts]) {
        const { secrets, outputs } = placeholdersIn(h.packages.input);
        assert.deepEqual([secrets, outputs], [[], []], h.name);
        assert.doesNotMatch(h.packages.input, /\{\{|<redacted/);
      }
    }
  });

  it("installs what cloud-init installs, and the PGDG server cloud-init's runcmd adds; nothing else", () => {
    for (const plan of [...EXAMPLES.map(examplePlan), v46(), pg15()]) {
      for (const h of plan.hosts) {
        const cfg = userData(h);
        const pgdg = (cfg.runcmd ?? []).flat().find((a) => /^postgresql-\d+$/.test(a));
        assert.deepEqual(h.packages.packages, [...cfg.packages, ...(pgdg ? [pgdg] : [])].sort(), `${plan.stack.name}/${h.name}`);
      }
    }
  });

  it("refuses a field that would break the script's line format", () => {
    const step = examplePlan("hobby").hosts[0]!.packages;
    assert.throws(() => packageStepInput({ ...step, packages: ["nginx\tevil"] }), /tab or newline/);
    assert.throws(() => packageStepInput({ ...step, packages: [""] }), /empty field/);
  });
});

describe("packages step: what moves it", () => {
  it("4.5 → 4.6: app hosts get NodeSource's Node 24 (the same source cloud-init writes), no Debian corepack; the data host does not move", () => {
    const before = examplePlan("hobby");
    const after = v46();
    assert.equal(host(after, "data").packages.sha256, host(before, "data").packages.sha256);
    for (const name of ["workers", "web"]) {
      const old = host(before, name).packages;
      const step = host(after, name).packages;
      assert.notEqual(step.sha256, old.sha256, name);
      assert.deepEqual(old.sources, []);
      assert.equal(old.nodeMajor, undefined);
      assert.ok(old.packages.includes("node-corepack"));
      assert.equal(step.nodeMajor, 24);
      assert.ok(step.packages.includes("nodejs") && !step.packages.includes("node-corepack"), step.packages.join(" "));
      assert.deepEqual(step.sources, [
        {
          list: "/etc/apt/sources.list.d/nodesource.list",
          keyring: "/etc/apt/keyrings/nodesource.gpg",
          fingerprint: NODESOURCE.fingerprint,
          keyUrl: NODESOURCE.keyUrl,
          content: "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_24.x nodistro main\n",
        },
      ]);
      assert.match(step.input, new RegExp(`^source\t/etc/apt/sources.list.d/nodesource.list\t/etc/apt/keyrings/nodesource.gpg\t${NODESOURCE.fingerprint}\t`, "m"));
      assert.match(step.input, /^node\t24$/m);
      // cloud-init names its file after the source's key: the step replaces that very file, so
      // apt never sees the repository twice with two Signed-By keyrings.
      const cloud = userData(host(after, name)).apt!.sources!;
      assert.deepEqual(Object.keys(cloud).map((k) => `/etc/apt/sources.list.d/${k}.list`), [step.sources[0]!.list]);
      assert.equal(Object.values(cloud)[0]!.source.replace("$KEY_FILE", step.sources[0]!.keyring), step.sources[0]!.content.trimEnd());
    }
  });

  it("a role added to an existing host adds its packages there, and moves no other host", () => {
    const before = examplePlan("hobby");
    const moved = planOf("hobby", (d) => {
      d.hosts[0].roles = ["postgres"];
      d.hosts[1].roles.push("redis");
      d.redis.selfHosted.host = "workers";
    });
    assert.ok(!host(before, "workers").packages.packages.includes("redis-server"));
    assert.ok(host(moved, "workers").packages.packages.includes("redis-server"));
    assert.notEqual(host(moved, "workers").packages.sha256, host(before, "workers").packages.sha256);
    assert.equal(host(moved, "web").packages.sha256, host(before, "web").packages.sha256);
  });

  it("a self-hosted PostgreSQL Debian does not ship comes from PGDG, its key pinned by fingerprint, in the file postgresql-common's script writes", () => {
    const data = host(pg15(), "data").packages;
    assert.ok(data.packages.includes("postgresql-15") && data.packages.includes("postgresql-common") && !data.packages.includes("postgresql-17"));
    assert.deepEqual(data.sources, [
      {
        list: "/etc/apt/sources.list.d/pgdg.sources",
        keyring: "/etc/apt/keyrings/pgdg.gpg",
        fingerprint: PGDG.fingerprint,
        keyUrl: PGDG.keyUrl,
        content: "Types: deb\nURIs: https://apt.postgresql.org/pub/repos/apt\nSuites: trixie-pgdg\nComponents: main\nSigned-By: /etc/apt/keyrings/pgdg.gpg\n",
      },
    ]);
    assert.equal(host(pg15(), "web").packages.sha256, host(examplePlan("hobby"), "web").packages.sha256);
  });

  it("PostgreSQL on a data volume installs only while the volume is mounted; without a volume, anywhere", () => {
    assert.deepEqual(host(examplePlan("single"), "box").packages.mounts, [{ path: "/var/lib/postgresql", package: "postgresql-17" }]);
    assert.match(host(examplePlan("single"), "box").packages.input, /^mount\t\/var\/lib\/postgresql\tpostgresql-17$/m);
    assert.deepEqual(host(examplePlan("hobby"), "data").packages.mounts, []);
  });

  it("edits that need no other package move no host's step", () => {
    const base = hashes(examplePlan("hobby"));
    const edits: [string, (d: Doc) => void][] = [
      ["a release of the same series", (d) => (d.mastodon.version = "v4.5.3")],
      ["registrations", (d) => (d.mastodon.registrations = "open")],
      ["the domain", (d) => (d.domain = "other.example.social")],
      ["the admin CIDRs", (d) => (d.network.adminCidrs = ["198.51.100.0/24"])],
      ["Redis memory", (d) => (d.redis.selfHosted.maxmemoryMb = 128)],
    ];
    for (const [what, edit] of edits) assert.deepEqual(hashes(planOf("hobby", edit)), base, what);
  });
});
