import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPlan } from "../../src/plan";
import { onOneHost } from "../../src/plan/capacity/consolidation";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";

const oversized = (text: string) => buildPlan(parseStack(text, "t.yaml")).warnings.filter((w) => w.includes("far larger"));
const hobbyWeb = (region: string, size: string) =>
  edited("hobby", (d) => {
    d.provider.region = region;
    for (const h of d.hosts) h.size = "cpx22";
    d.hosts[2].size = size;
  });

test("a web host far larger than its processes gets the cheapest size sold there that runs the same processes", () => {
  assert.deepEqual(oversized(hobbyWeb("fsn1", "ccx13")), [
    "hosts[2] web (ccx13: 2 vCPU, 8,192 MB) is far larger than its processes need: they plan 1,490 MB of 6,963 MB; cx23 (2 shared vCPU, 4,096 MB) runs the same processes for €37.50 less per month",
  ]);
  assert.deepEqual(oversized(hobbyWeb("fsn1", "ccx33")), [
    "hosts[2] web (ccx33: 8 vCPU, 32,768 MB) is far larger than its processes need: they plan 4,550 MB of 27,853 MB; cx43 (8 shared vCPU, 16,384 MB) runs the same processes for €122.50 less per month",
  ]);
});

test("the suggestion is sold in the stack's location: ash gets cpx22, not the EU-only cx23", () => {
  assert.deepEqual(oversized(hobbyWeb("ash", "ccx13")), [
    "hosts[2] web (ccx13: 2 vCPU, 8,192 MB) is far larger than its processes need: they plan 1,490 MB of 6,963 MB; cpx22 (2 shared vCPU, 4,096 MB) runs the same processes for €23.50 less per month",
  ]);
});

test("a group of hosts is priced for all its copies", () => {
  assert.deepEqual(oversized(edited("prod", (d) => { d.hosts[1].size = "g-2vcpu-8gb"; })), [
    "hosts[1] web (g-2vcpu-8gb: 2 vCPU, 8,192 MB) is far larger than its processes need: they plan 1,586 MB of 6,963 MB each (2 hosts); s-2vcpu-2gb (2 shared vCPU, 2,048 MB) runs the same processes for $90.00 less per month",
  ]);
});

test("no suggestion for the examples, a host that is mostly used, or a data host sized to fill its server", () => {
  for (const name of EXAMPLES.filter((n) => n !== "prod")) assert.deepEqual(examplePlan(name).warnings.filter((w) => w.includes("far larger")), [], name);
  // With 5 Puma threads per worker, prod's web hosts (sized like the reference's 4 GB droplets) fit in 2 GB.
  assert.deepEqual(examplePlan("prod").warnings.filter((w) => w.includes("far larger")), [
    "hosts[1] web (s-2vcpu-4gb: 2 vCPU, 4,096 MB) is far larger than its processes need: they plan 1,586 MB of 3,482 MB each (2 hosts); s-2vcpu-2gb (2 vCPU, 2,048 MB) runs the same processes for $12.00 less per month",
  ]);
  // cx23 is the cheapest size there is: nothing to suggest, however little its processes use.
  assert.deepEqual(oversized(hobbyWeb("fsn1", "cx23")), []);
  // Postgres and Redis are tuned to fill the box: a huge data host is never "far larger".
  assert.deepEqual(oversized(edited("hobby", (d) => { d.hosts[0].size = "ccx43"; })), []);
});

const whole = (text: string) => buildPlan(parseStack(text, "t.yaml")).warnings.filter((w) => w.startsWith("the whole stack"));

test("hobby's three servers fit on one cheaper server: said with the price, and that one-box stack really plans", () => {
  assert.deepEqual(whole(edited("hobby", () => {})), [
    "the whole stack fits on one cx23 (2 vCPU, 4 GB) for €5.49/month instead of 3 servers for €16.47: its processes, sized for that host, pass the same memory and connection checks (see stacks/single.yaml for the one-box layout); keep the split only if you want the database apart from the web",
  ]);
  const one = buildPlan(onOneHost(parseStack(edited("hobby", () => {}), "t.yaml"), "cx23"));
  assert.deepEqual(one.hosts.map((h) => [h.name, h.size, [...h.roles].sort().join(",")]), [["web", "cx23", "postgres,proxy,redis,sidekiq,streaming,web"]]);
  assert.ok(one.hosts[0]!.processes.some((p) => p.kind === "sidekiq") && one.budget.clientTotal <= one.budget.clientLimit);
});

test("no whole-stack suggestion for one host, a balanced fleet, or replicas (split for availability, not by accident)", () => {
  for (const name of EXAMPLES) if (name !== "hobby") assert.deepEqual(whole(edited(name, () => {})), [], name);
  assert.deepEqual(whole(edited("hobby", (d) => (d.hosts[1].count = 2))), []);
});
