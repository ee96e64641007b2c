import assert from "node:assert/strict";
import { test } from "node:test";
import { catalogFor, serversSoldIn, soldIn } from "../../src/catalog";
import { parseStack } from "../../src/spec/load";
import { edited, issuesOf } from "../helpers/stacks";

const ASH_SOLD = "cpx12, cpx22, cpx32, ccx13, cpx42, ccx23, cpx52, cpx62, ccx33, ccx43";
const hobbyIn = (region: string, size?: string) =>
  edited("hobby", (d) => {
    d.provider.region = region;
    if (size) d.hosts[0].size = size;
  });
const prodWith = (size: string, nodes: number, region = "tor1") =>
  edited("prod", (d) => {
    d.provider.region = region;
    d.postgres.managed = { ...d.postgres.managed, size, nodes };
  });

test("a CX type in a location that does not sell it is refused, with the nearest size sold there and the locations that sell it", () => {
  const issues = issuesOf(hobbyIn("ash"), "hobby.yaml");
  assert.deepEqual(issues.map((i) => i.path), ["hosts[0].size", "hosts[1].size", "hosts[2].size"]);
  assert.deepEqual({ ...issues[0] }, {
    file: "hobby.yaml",
    line: issues[0]!.line,
    col: issues[0]!.col,
    path: "hosts[0].size",
    message: "cx23 is not sold in ash",
    fix: `use cpx22 (2 vCPU, 4 GB), the cheapest size sold in ash at least as large, or another size sold there (${ASH_SOLD}); or choose location fsn1, nbg1 or hel1 for cx23`,
  });
  for (const region of ["hil", "sin"]) assert.equal(issuesOf(hobbyIn(region))[0]?.message, `cx23 is not sold in ${region}`);
});

test("CX, CAX are sold only in the EU; CPX and CCX everywhere; the same types are accepted in fsn1", () => {
  const hetzner = catalogFor("hetzner");
  for (const s of Object.values(hetzner.servers)) {
    const euOnly = s.slug.startsWith("cx") || s.slug.startsWith("cax");
    for (const r of hetzner.regions) assert.equal(soldIn(s, r), !euOnly || ["fsn1", "nbg1", "hel1"].includes(r), `${s.slug} in ${r}`);
  }
  assert.doesNotThrow(() => parseStack(hobbyIn("fsn1"), "hobby.yaml"));
  assert.doesNotThrow(() => parseStack(edited("hobby", (d) => { d.provider.region = "ash"; for (const h of d.hosts) h.size = "cpx22"; }), "hobby.yaml"));
  assert.deepEqual(serversSoldIn("hetzner", "sin").map((s) => s.slug).join(", "), ASH_SOLD);
});

test("an ARM type outside the EU suggests the nearest ARM-compatible size, not an x86 one", () => {
  const [i] = issuesOf(edited("hobby", (d) => { d.provider.region = "hil"; d.hosts[0].size = "cax11"; for (const h of d.hosts.slice(1)) h.size = "cpx22"; }));
  assert.equal(i?.message, "cax11 is not sold in hil");
  assert.equal(i?.fix, `use a size sold in hil (${ASH_SOLD}); or choose location fsn1, nbg1 or hel1 for cax11`);
});

test("a retired slug names its successor, not the nearest spelling (cx22 → cx23, not cpx22)", () => {
  const [i, ...rest] = issuesOf(hobbyIn("fsn1", "cx22"));
  assert.equal(rest.length, 0);
  assert.equal(i?.path, "hosts[0].size");
  assert.equal(i?.message, "cx22 is a retired hetzner server type (deprecated by Hetzner on 2025-10-16, no longer orderable); its successor is cx23 (2 vCPU, 4 GB)");
  assert.equal(i?.fix, "use cx23");
  assert.ok(!i?.fix.includes("cpx22") && !i?.message.includes("did you mean"));
  assert.equal(issuesOf(hobbyIn("fsn1", "cpx21"))[0]?.message, "cpx21 is a retired hetzner server type (deprecated by Hetzner on 2025-10-16, no longer orderable); its successor is cpx22 (2 vCPU, 4 GB)");
  assert.equal(issuesOf(hobbyIn("fsn1", "cx11"))[0]?.message, "cx11 is a retired hetzner server type (deprecated by Hetzner on 2024-06-06, no longer orderable); its successor is cx23 (2 vCPU, 4 GB)");
});

test("a retired slug whose successor is not sold in the location says so and what to use there", () => {
  const issues = issuesOf(hobbyIn("sin", "cx22"));
  assert.equal(issues[0]?.fix, `cx23 is not sold in sin: use cpx22 (2 vCPU, 4 GB), the cheapest size sold in sin at least as large, or another size sold there (${ASH_SOLD}); or choose location fsn1, nbg1 or hel1 for cx23`);
});

test("every retired slug points at a size the catalog sells", () => {
  for (const cloud of ["hetzner", "digitalocean"] as const) {
    const cat = catalogFor(cloud);
    for (const [slug, r] of Object.entries(cat.retiredServers)) {
      assert.ok(cat.servers[r.successor], `${slug} → ${r.successor}`);
      assert.ok(!cat.servers[slug], `${slug} is both sold and retired`);
    }
  }
  assert.equal(Object.keys(catalogFor("hetzner").retiredServers).length, 14);
});

test("an unknown slug still gets the nearest spelling", () => {
  const [i] = issuesOf(hobbyIn("fsn1", "cx24"));
  assert.match(i!.message, /^"cx24" is not a hetzner server size \(did you mean cx2\d\?\)$/);
});

test("nodes: 2 on DigitalOcean's 1 GB database plan is refused: it cannot have a standby", () => {
  const [i, ...rest] = issuesOf(prodWith("db-s-1vcpu-1gb", 2), "prod.yaml");
  assert.equal(rest.length, 0);
  assert.equal(i?.path, "postgres.managed.nodes");
  assert.equal(i?.message, "db-s-1vcpu-1gb cannot have standby nodes, so nodes: 2 is not possible: digitalocean replicates only plans with 2 GB of memory or more");
  assert.equal(i?.fix, "set nodes: 1, or use db-s-1vcpu-2gb or larger for 1 standby node");
  assert.equal(issuesOf(prodWith("db-s-1vcpu-1gb", 3))[0]?.fix, "set nodes: 1, or use db-s-1vcpu-2gb or larger for 2 standby nodes");
  assert.doesNotThrow(() => parseStack(prodWith("db-s-1vcpu-1gb", 1), "prod.yaml"));
  assert.doesNotThrow(() => parseStack(prodWith("db-s-1vcpu-2gb", 3), "prod.yaml"));
});

test("DigitalOcean's dedicated database sizes exist: 2 vCPU / 16 GB like the reference deployment's database", () => {
  const spec = parseStack(prodWith("so1_5-2vcpu-16gb", 2), "prod.yaml");
  assert.equal(spec.postgres.managed?.size, "so1_5-2vcpu-16gb");
  const pg = catalogFor("digitalocean").managedPostgres;
  assert.deepEqual([pg["so1_5-2vcpu-16gb"]?.vcpu, pg["so1_5-2vcpu-16gb"]?.memoryMb, pg["so1_5-2vcpu-16gb"]?.maxConnections], [2, 16384, 397]);
  assert.ok(pg["gd-2vcpu-8gb"]);
  assert.ok(catalogFor("digitalocean").managedRedis["m-2vcpu-16gb"]);
  // Memory-Optimized is a caching plan only: DigitalOcean sells no m- PostgreSQL.
  assert.ok(!pg["m-2vcpu-16gb"]);
});

test("a dedicated database size in atl1, which does not sell them, is refused with the regions that do", () => {
  const [i] = issuesOf(prodWith("so1_5-2vcpu-16gb", 2, "atl1"));
  assert.equal(i?.path, "postgres.managed.size");
  assert.equal(i?.message, "managed Postgres so1_5-2vcpu-16gb is not sold in atl1");
  assert.equal(i?.fix, "use a size sold there (db-s-1vcpu-1gb, db-s-1vcpu-2gb, db-s-2vcpu-4gb, db-s-4vcpu-8gb, db-s-6vcpu-16gb, db-s-8vcpu-32gb, db-s-16vcpu-64gb); or choose region nyc1, nyc3, sfo2, sfo3, ams3, sgp1, lon1, fra1, tor1, blr1 or syd1");
});
