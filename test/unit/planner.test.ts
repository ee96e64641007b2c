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

type Planned = ReturnType<typeof planOf>;
const processesOf = (plan: Planned, host: string) => plan.hosts.find((h) => h.name === host)!.processes;
const layout = (plan: Planned, host: string) => processesOf(plan, host).map((p) => `${p.queues!.join("+")}:${p.threads}`);

test("a dedicated 2-vCPU web host gets 3 Puma workers like the reference deployment, 5 threads each", () => {
  const web = examplePlan("prod").hosts.find((h) => h.name === "web-1")!;
  const puma = web.processes.find((p) => p.kind === "web")!;
  assert.deepEqual([puma.workers, puma.threads, puma.dbPool, puma.connections], [3, 5, 5, 15]);
});

test("bigger web hosts get more Puma workers, not more threads per worker", () => {
  const plan = planOf(
    edited("prod", (d) => {
      d.hosts.splice(1, 1, { name: "w2", size: "s-2vcpu-4gb", roles: ["web", "streaming"] }, { name: "w4", size: "s-4vcpu-8gb", roles: ["web"] }, { name: "w8", size: "s-8vcpu-16gb", roles: ["web"] });
    }),
  );
  const puma = (host: string) => processesOf(plan, host).find((p) => p.kind === "web")!;
  assert.deepEqual(["w2", "w4", "w8"].map((h) => [puma(h).workers, puma(h).threads, puma(h).connections]), [
    [3, 5, 15],
    [6, 5, 30],
    [12, 5, 60],
  ]);
});

test("reference 001's worker hosts: 2 vCPU / 4 GB and 4 vCPU / 8 GB both run 120 threads; the scheduler goes to the roomier one, not the first", () => {
  const plan = planOf(
    edited("prod", (d) => {
      d.hosts.splice(2, 1, { name: "scotty", size: "s-2vcpu-4gb", roles: ["sidekiq"] }, { name: "decker", size: "s-4vcpu-8gb", roles: ["sidekiq"] });
    }),
  );
  assert.deepEqual(layout(plan, "scotty"), ["default:25", "push:25", "ingress:20", "ingress:20", "mailers+fasp:5", "pull:25"]);
  assert.deepEqual(layout(plan, "decker"), ["default:25", "push:25", "ingress:25", "mailers+fasp:5", "pull:25", "scheduler:15"]);
  for (const host of ["scotty", "decker"]) {
    assert.ok(processesOf(plan, host).every((p) => p.threads <= 25 && p.dbPool === p.threads), host);
  }
  assert.equal(plan.sizing.scheduler, "placed on decker: it has the most memory free after its planned processes of the derived Sidekiq hosts (4,007 MB; next scotty with 526 MB)");
  assert.deepEqual(plan.sizing.sidekiq, [
    "scotty (s-2vcpu-4gb): 120 Sidekiq threads in 6 processes, the target for its CPU share (reference 001 ran 120 threads on 2 vCPU / 4 GB and on 4 vCPU / 8 GB)",
    "decker (s-4vcpu-8gb): 120 Sidekiq threads in 6 processes, the target for its CPU share (reference 001 ran 120 threads on 2 vCPU / 4 GB and on 4 vCPU / 8 GB)",
  ]);
  assert.ok(!plan.warnings.some((w) => w.includes("Sidekiq threads cut")), plan.warnings.join("\n"));
});

test("equal Sidekiq hosts: the scheduler goes to the first in file order, and the summary says why", () => {
  const plan = examplePlan("prod");
  assert.equal(plan.sizing.scheduler, "placed on worker-1: the derived Sidekiq hosts have equal room (4,007 MB free, 4 vCPU), so the first in file order takes it");
});

test("a Sidekiq host too small for 120 threads gets what its memory allows, and the summary says so", () => {
  const plan = planOf(edited("prod", (d) => (d.hosts[2] = { name: "worker", size: "s-2vcpu-2gb", roles: ["sidekiq"] })));
  assert.deepEqual(layout(plan, "worker"), ["default+push+ingress+mailers+pull+scheduler+fasp:19", "default+push+ingress+mailers+pull+fasp:18", "default+push+ingress+mailers+pull+fasp:18"]);
  assert.deepEqual(plan.sizing.sidekiq, ["worker (s-2vcpu-2gb): 55 Sidekiq threads in 3 processes, fewer than the target 120 because more would not fit the host's memory"]);
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
  assert.deepEqual([b.clientTotal, b.databaseLimit, b.poolSize, b.poolMode], [290, 97, 87, "transaction"]);
});

test("without a pool, prod's Sidekiq hosts shrink to what the database's connections leave, with the reason and the fix", () => {
  const plan = planOf(edited("prod", (d) => (d.postgres.pool = { enabled: false })));
  assert.deepEqual(layout(plan, "worker-1"), ["default+push+ingress+mailers+pull+scheduler+fasp:18"]);
  assert.deepEqual(layout(plan, "worker-2"), ["default+push+ingress+mailers+pull+fasp:18"]);
  assert.deepEqual([plan.budget.clientTotal, plan.budget.reserve, plan.budget.databaseLimit], [86, 10, 97]);
  const why =
    "Sidekiq threads cut to fit the database connections (worker-1 18 of 120, worker-2 18 of 120): the database's 97 (db-s-2vcpu-4gb: 97 connections (provider limit less its reserved)) less the 10 reserve leaves 87 client connections; web, streaming and explicit Sidekiq groups take 50, so derived Sidekiq layouts share 37; fix: enable postgres.pool (PgBouncer, transaction mode) or use a larger postgres.managed.size";
  assert.deepEqual(plan.sizing.sidekiq, [
    "worker-1 (s-4vcpu-8gb): 18 Sidekiq threads in 1 process, fewer than the target 120 because of the database connections",
    "worker-2 (s-4vcpu-8gb): 18 Sidekiq threads in 1 process, fewer than the target 120 because of the database connections",
    why,
  ]);
  assert.equal(plan.warnings.filter((w) => w === why).length, 1);
});

test("an explicit max_client_conn bounds the derived Sidekiq threads too", () => {
  const plan = planOf(edited("prod", (d) => (d.postgres.pool.maxClientConn = 200)));
  assert.deepEqual([plan.budget.clientTotal, plan.budget.clientLimit], [190, 200]);
  assert.match(plan.warnings.find((w) => w.startsWith("Sidekiq threads cut"))!, /\(worker-1 70 of 120, worker-2 70 of 120\): postgres\.pool\.maxClientConn 200 less the 10 reserve leaves 190 client connections; .*; fix: raise postgres\.pool\.maxClientConn$/);
});

test("with a pool whose client limit follows the plan, nothing is cut", () => {
  const plan = examplePlan("prod");
  assert.ok(!plan.warnings.some((w) => w.startsWith("Sidekiq threads cut")), plan.warnings.join("\n"));
  assert.ok(plan.sizing.sidekiq.every((l) => !l.includes("because of the database connections")));
});

test("without a pool, a stack whose web tier alone exceeds the database is still refused with the numbers", () => {
  const e = refusal(
    edited("prod", (d) => {
      d.postgres.pool = { enabled: false };
      d.tuning = { puma: { threads: 25 } };
    }),
  );
  assert.deepEqual(e.problems, [
    "180 connections (puma (3 workers × 25 threads) 150 + streaming (pool 10) 20 + sidekiq default+push+ingress+mailers+pull+scheduler+fasp (5 threads) 5 + sidekiq default+push+ingress+mailers+pull+fasp (5 threads) 5) + 10 reserve exceed the database's 97 (db-s-2vcpu-4gb: 97 connections (provider limit less its reserved)); fix: enable postgres.pool (PgBouncer, transaction mode) or use a larger postgres.managed.size",
  ]);
});

test("an explicit pool larger than the database allows is refused with a concrete size", () => {
  const e = refusal(edited("prod", (d) => (d.postgres.pool.size = 120)));
  assert.match(e.problems[0]!, /^pool size 120 \+ 10 reserve for migrations exceed the database's 97 .*; fix: set postgres\.pool\.size to 87 or use a larger database$/);
});

test("overrides are allowed but still checked against memory, with a bigger size suggested", () => {
  const e = refusal(edited("hobby", (d) => (d.tuning = { puma: { workers: 11 } })));
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

