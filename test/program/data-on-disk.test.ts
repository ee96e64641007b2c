// The marker a server keeping Postgres on its own disk carries on the provider's side (a
// DigitalOcean tag, a Hetzner label), which the policy pack reads to demand `protect` of it: set
// exactly on such a host, whatever protectData says, and on no other resource.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DATA_ON_DISK } from "../../src/components/protection";
import { parseStack } from "../../src/spec/load";
import { inputs, ofType, runProgram, runStack, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const DROPLET = "digitalocean:index/droplet:Droplet";
const SERVER = "hcloud:index/server:Server";

/** Names of the resources carrying the marker, and whether each is protected. */
function marked(r: ProgramRun): string[] {
  return r.resources
    .filter((x) => {
      const i = inputs(x);
      const tags = Array.isArray(i.tags) ? i.tags : [];
      const labels = (i.labels ?? {}) as Record<string, unknown>;
      return tags.includes(DATA_ON_DISK.tag) || labels[DATA_ON_DISK.label] !== undefined;
    })
    .map((x) => `${x.name}${x.protect ? " (protected)" : ""}`);
}

/** prod with a self-hosted Postgres droplet, with or without its own volume. */
function selfHostedProd(volume: boolean, protectData = true): Promise<ProgramRun> {
  const text = edited("prod", (d) => {
    d.postgres = { selfHosted: { host: "db" } };
    d.hosts.push({ name: "db", size: "s-2vcpu-4gb", roles: ["postgres", "pgbouncer"], ...(volume ? { volume: { sizeGb: 50 } } : {}) });
    d.protectData = protectData;
  });
  return runProgram(parseStack(text, "prod.yaml"));
}

describe("data on a server's own disk: the provider-side marker", () => {
  it("labels hobby's data server (Postgres without a volume) and nothing else", async () => {
    const r = await runStack("hobby");
    assert.deepEqual(marked(r), ["hobby-hosts-data (protected)"]);
    const labels = inputs(ofType(r, SERVER).find((s) => s.name === "hobby-hosts-data")!).labels;
    assert.deepEqual(labels, { stack: "hobby", "role-postgres": "true", "role-redis": "true", "data-on-disk": "true" });
  });

  it("marks nothing where Postgres lives on a volume (single) or on a managed cluster (prod)", async () => {
    assert.deepEqual(marked(await runStack("single")), []);
    assert.deepEqual(marked(await runStack("prod")), []);
    assert.deepEqual(marked(await selfHostedProd(true)), []);
  });

  it("tags a DigitalOcean droplet keeping Postgres on its disk, protected or not", async () => {
    assert.deepEqual(marked(await selfHostedProd(false)), ["prod-hosts-db (protected)"]);
    const unprotected = await selfHostedProd(false, false);
    assert.deepEqual(marked(unprotected), ["prod-hosts-db"]);
    const tags = inputs(ofType(unprotected, DROPLET).find((d) => d.name === "prod-hosts-db")!).tags;
    assert.deepEqual(tags, ["mastodon-prod", "prod-postgres", "prod-pgbouncer", "mastodon:data-on-disk"]);
  });
});
