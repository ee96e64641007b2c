import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPlan, CapacityError } from "../../src/plan";
import { parseStack } from "../../src/spec/load";
import { largeStackYaml } from "../../bench/large-stack";
import { EXAMPLES, examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";

const planOf = (text: string) => buildPlan(parseStack(text, "t.yaml"));
function refusal(text: string): CapacityError {
  try {
    planOf(text);
  } catch (e) {
    if (e instanceof CapacityError) return e;
    throw e;
  }
  throw new Error("expected the plan to be refused");
}

test("a dedicated 2-vCPU web host gets 3 Puma workers × 9 threads, like the reference deployment", () => {
  const web = examplePlan("prod").hosts.find((h) => h.name === "web-1")!;
  const puma = web.processes.find((p) => p.kind === "web")!;
  assert.deepEqual([puma.workers, puma.threads, puma.dbPool, puma.connections], [3, 9, 9, 27]);
});

test("a 4-vCPU Sidekiq host runs 120 threads in per-queue processes (reference 001)", () => {
  const plan = examplePlan("prod");
  for (const name of ["worker-1", "worker-2"]) {
    const procs = plan.hosts.find((h) => h.name === name)!.processes;
    assert.equal(procs.reduce((n, p) => n + p.threads, 0), 120, name);
  }
  const w1 = plan.hosts.find((h) => h.name === "worker-1")!.processes.map((p) => `${p.queues!.join("+")}:${p.threads}`);
  assert.deepEqual(w1, ["default:25", "push:25", "ingress:25", "mailers+fasp:5", "pull:25", "scheduler:15"]);
  const w2 = plan.hosts.find((h) => h.name === "worker-2")!.processes.map((p) => `${p.queues!.join("+")}:${p.threads}`);
  assert.deepEqual(w2, ["default:25", "push:25", "ingress:20", "ingress:20", "mailers+fasp:5", "pull:25"]);
});

for (const name of EXAMPLES) {
  test(`${name}: every Sidekiq process has threads = DB_POOL ≤ 25 and the scheduler runs once`, () => {
    const sidekiq = examplePlan(name).hosts.flatMap((h) => h.processes.filter((p) => p.kind === "sidekiq"));
    assert.ok(sidekiq.length > 0);
    for (const p of sidekiq) {
      assert.equal(p.threads, p.dbPool, p.unit);
      assert.ok(p.threads <= 25 && p.threads >= 1, `${p.unit} has ${p.threads} threads`);
    }
    assert.equal(sidekiq.filter((p) => p.queues?.includes("scheduler")).length, 1);
  });

  test(`${name}: every host fits its memory and the connection budget holds`, () => {
    const plan = examplePlan(name);
    for (const h of plan.hosts) assert.ok(h.memory.usedMb <= h.memory.availableMb, `${h.name} ${h.memory.usedMb} > ${h.memory.availableMb}`);
    const b = plan.budget;
    assert.equal(b.clientTotal, plan.hosts.flatMap((h) => h.processes).reduce((n, p) => n + p.connections, 0));
    assert.ok(b.pooled && b.clientTotal + b.reserve <= b.clientLimit && b.poolSize! + b.reserve <= b.databaseLimit);
  });
}

test("prod's pool is sized from the managed database's limit less the reserve", () => {
  const b = examplePlan("prod").budget;
  assert.deepEqual([b.clientTotal, b.databaseLimit, b.poolSize, b.poolMode], [314, 97, 87, "transaction"]);
});

test("without a pool, prod's clients exceed the database and the stack is refused with the numbers", () => {
  const e = refusal(edited("prod", (d) => (d.postgres.pool = { enabled: false })));
  assert.deepEqual(e.problems, [
    "314 connections (puma (3 workers × 9 threads) 54 + streaming (pool 10) 20 + sidekiq default (25 threads) 50 + sidekiq push (25 threads) 50 + sidekiq ingress (25 threads) 25 + sidekiq mailers+fasp (5 threads) 10 + sidekiq pull (25 threads) 50 + sidekiq scheduler (15 threads) 15 + sidekiq ingress (20 threads) 40) + 10 reserve exceed the database's 97 (db-s-2vcpu-4gb: 97 connections (provider limit less its reserved)); fix: enable postgres.pool (PgBouncer, transaction mode) or use a larger postgres.managed.size",
  ]);
});

test("an explicit pool larger than the database allows is refused with a concrete size", () => {
  const e = refusal(edited("prod", (d) => (d.postgres.pool.size = 120)));
  assert.match(e.problems[0]!, /^pool size 120 \+ 10 reserve for migrations exceed the database's 97 .*; fix: set postgres\.pool\.size to 87 or use a larger database$/);
});

test("overrides are allowed but still checked against memory, with a bigger size suggested", () => {
  const e = refusal(edited("hobby", (d) => (d.tuning = { puma: { workers: 8 } })));
  assert.equal(e.problems.length, 1);
  assert.match(e.problems[0]!, /^host web \(cx23: 2 vCPU, 4,096 MB\) needs 4,\d{3} MB but has 3,482 MB after 15% headroom \(.*mastodon-web \d/);
  assert.match(e.problems[0]!, /fix: move web to another host or use cx33$/);
});

test("roles sharing a host split its CPU: the single box gives Puma half of 8 vCPU", () => {
  const box = examplePlan("single").hosts[0]!;
  const puma = box.processes.find((p) => p.kind === "web")!;
  assert.equal(puma.workers, 4);
  assert.equal(box.processes.filter((p) => p.kind === "streaming").length, 2);
  assert.ok(box.memory.items.some((i) => i.what === "postgres") && !box.memory.items.some((i) => i.what === "opensearch"));
});

test("the same spec plans to identical output", () => {
  for (const name of EXAMPLES) {
    const text = edited(name, () => {});
    assert.equal(JSON.stringify(planOf(text)), JSON.stringify(planOf(text)));
  }
});

test("a generated 50-host stack plans, with one scheduler across 22 Sidekiq hosts", () => {
  const plan = planOf(largeStackYaml(50));
  assert.equal(plan.hosts.length, 50);
  assert.equal(plan.hosts.flatMap((h) => h.processes).filter((p) => p.queues?.includes("scheduler")).length, 1);
});

test("cost: hobby is three cx23 and one IPv4 address", () => {
  const cost = examplePlan("hobby").cost;
  assert.deepEqual([cost.total.currency, cost.total.monthly, cost.totals.USD], ["EUR", 16.97, 0]);
  assert.equal(cost.lines.filter((l) => l.resource.startsWith("ipv4")).length, 1);
});

