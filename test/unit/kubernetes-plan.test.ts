// The Kubernetes tier's planner: pods from the memory model, node pools packed at min and max,
// the connection budget at the replicas autoscaling may reach, and the cost — on the stack that
// mirrors the reference deployment, and on variants that must be refused where they go wrong.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildPlan, CapacityError } from "../../src/plan";
import { pumaMemoryMb } from "../../src/plan/capacity/web";
import { sidekiqMemoryMb } from "../../src/plan/capacity/sidekiq";
import { allocatable, nodesFor, reservedMemoryMb } from "../../src/plan/kubernetes/node-pools";
import { parseStack } from "../../src/spec/load";
import { kubernetesMarkdown } from "../../src/cli/summary-kubernetes";
import { mermaid } from "../../src/cli/diagram";
import { planStack } from "../../src/cli/plan-stack";
import type { Plan } from "../../src/plan/types";
import { edited, exampleDoc, type Doc } from "../helpers/stacks";
import { parse, parseAllDocuments, stringify } from "yaml";
import { planOutputs } from "../../src/cli/output";

const planOf = (text: string): Plan => buildPlan(parseStack(text, "k8s.yaml"));
const reference = () => planOf(stringify(exampleDoc("kubernetes")));
const refusal = (text: string): CapacityError => {
  try {
    planOf(text);
  } catch (e) {
    if (e instanceof CapacityError) return e;
    throw e;
  }
  throw new Error("expected a capacity refusal");
};

describe("Kubernetes tier: the plan of the reference stack (stacks/kubernetes.yaml)", () => {
  const plan = reference();
  const k = plan.kubernetes!;

  it("has no hosts; every process is a workload on the planned pool, one Sidekiq Deployment per queue group", () => {
    assert.deepEqual(plan.hosts, []);
    assert.deepEqual(k.workloads.map((w) => w.name), ["web", "streaming", "sidekiq-default", "sidekiq-push", "sidekiq-ingress", "sidekiq-pull", "sidekiq-mailers", "sidekiq-scheduler"]);
    assert.ok(k.workloads.every((w) => w.pool === "apps"));
    assert.deepEqual(k.workloads.find((w) => w.name === "sidekiq-mailers")!.process.queues, ["mailers", "fasp"]);
    assert.equal(k.release, "mastodon");
    assert.equal(k.chart.version, "1.0.2");
  });

  it("runs the scheduler queue in exactly one workload of exactly one replica that nothing autoscales", () => {
    const holders = k.workloads.filter((w) => w.process.queues?.includes("scheduler"));
    assert.equal(holders.length, 1);
    assert.deepEqual(holders[0]!.replicas, { min: 1, max: 1 });
    assert.deepEqual(holders[0]!.autoscale, { kind: "fixed" });
    for (const w of k.workloads.filter((x) => x.autoscale.kind === "queues")) assert.ok(!w.process.queues!.includes("scheduler"), w.name);
  });

  it("scales each queue group on its own queues' backlog between the stack's min and max, web and streaming on CPU", () => {
    const byName = Object.fromEntries(k.workloads.map((w) => [w.name, w]));
    assert.deepEqual(byName["sidekiq-ingress"]!.autoscale, { kind: "queues", queues: ["ingress"], backlogPerReplica: 500 });
    assert.deepEqual(byName["sidekiq-ingress"]!.replicas, { min: 1, max: 4 });
    assert.deepEqual(byName["web"]!.autoscale, { kind: "cpu", targetPercent: 70 });
    assert.deepEqual(byName["streaming"]!.replicas, { min: 2, max: 3 });
  });

  it("sizes pods from the same memory model as hosts: requests = the model, memory limit 1.5×, no CPU limit", () => {
    const web = k.workloads[0]!;
    assert.equal(web.requests.memoryMb, pumaMemoryMb(2, 5));
    assert.equal(web.limits.memoryMb, Math.ceil(pumaMemoryMb(2, 5) * 1.5));
    assert.equal(web.process.connections, 10);
    const ingress = k.workloads.find((w) => w.name === "sidekiq-ingress")!;
    assert.equal(ingress.requests.memoryMb, sidekiqMemoryMb(25));
    assert.equal(ingress.process.dbPool, 25);
    assert.deepEqual(Object.keys(web.limits), ["memoryMb"]);
  });

  it("takes the connection budget at maximum replicas against the pool and the database", () => {
    const b = plan.budget;
    // web 6×10 + streaming 3×10 + default 4×25 + push 3×25 + ingress 4×25 + pull 3×25 + mailers 2×5 + scheduler 1×5
    assert.equal(b.clientTotal, 60 + 30 + 100 + 75 + 100 + 75 + 10 + 5);
    assert.equal(b.databaseLimit, 25 * 16 - 3);
    assert.equal(b.poolSize, 397 - 10);
    assert.equal(b.clients.find((l) => l.what.startsWith("sidekiq-default"))!.count, 4);
    assert.equal(plan.services.pool.kind, "managed");
  });

  it("packs the pods onto nodes at min and max within the pool's range, add-ons on the first pool", () => {
    const pool = k.nodePools[0]!;
    // 8,192 less the kubelet's 1,944 and the system pods' 450, with 15 % headroom.
    assert.equal(pool.allocatable.memoryMb, 4928);
    assert.ok(pool.nodesAtMax <= pool.maxNodes && pool.nodesAtMax >= pool.nodesAtMin, JSON.stringify(pool));
    const addons = k.addons.reduce((n, a) => n + a.requests.memoryMb, 0);
    const atMax = k.workloads.reduce((n, w) => n + w.requests.memoryMb * w.replicas.max, 0);
    assert.equal(pool.requestedAtMax.memoryMb, atMax + addons);
  });

  it("costs the control plane, the pools at min (and at max), the Gateway's balancer and the managed services", () => {
    const line = (r: string) => plan.cost.lines.find((l) => l.resource === r)!;
    assert.equal(line("kubernetes control plane").monthly, 0);
    assert.equal(line("node pool apps").monthly, 3 * 48);
    assert.equal(line("node pool apps").maxMonthly, 8 * 48);
    assert.equal(line("load balancer").monthly, 12);
    assert.ok(line("managed postgres") && line("managed valkey") && line("managed opensearch") && line("spaces"));
    assert.equal(plan.cost.totalAtMax, Math.round((plan.cost.total.monthly + 5 * 48) * 100) / 100);
  });

  it("is deterministic, and the summary and diagram show pools, workloads and scaling", () => {
    assert.deepEqual(reference(), plan);
    const md = kubernetesMarkdown(plan, k).join("\n");
    assert.match(md, /\| apps \| s-4vcpu-8gb \| [\d,]+ MB, \d+m \| 3–8 \|/);
    assert.match(md, /\| sidekiq-ingress \| apps \| 1–4 \| backlog of 500 jobs per replica in queue:ingress \(KEDA\) \|/);
    assert.match(md, /\| sidekiq-scheduler \| apps \| 1 \| fixed \|/);
    const diagram = mermaid(plan);
    assert.match(diagram, /subgraph cluster\["DOKS 1\.34: apps 3–8 × s-4vcpu-8gb"\]/);
    assert.match(diagram, /sidekiq_scheduler\["sidekiq-scheduler × 1<br\/>scheduler<br\/>5 threads"\]/);
  });
});

describe("Kubernetes tier: refusals at maximum scale, located", () => {
  const withSidekiq = (edit: (groups: Doc[]) => void) => edited("kubernetes", (d) => edit(d.kubernetes.sidekiq));

  it("refuses Sidekiq maxima that would exhaust the transaction pool, pointing at the heaviest group's replicas.max", () => {
    const e = refusal(withSidekiq((g) => {
      g[0]!.replicas.max = 9;
      g[2]!.replicas.max = 9;
    }));
    assert.equal(e.located.length, 1);
    assert.deepEqual(e.located[0]!.path, ["kubernetes", "sidekiq", 0, "replicas", "max"]);
    assert.equal(
      e.located[0]!.message,
      "at maximum replicas Sidekiq runs 615 threads (sidekiq-default 9×25 + sidekiq-push 3×25 + sidekiq-ingress 9×25 + sidekiq-pull 3×25 + sidekiq-mailers 2×5 + sidekiq-scheduler 1×5), more than the transaction pool's 387 server connections: at full backlog every thread runs jobs that need a connection, so the replicas past the pool would only wait for one",
    );
    assert.equal(e.located[0]!.fix, "lower sidekiq-default's replicas.max to 1 and sidekiq-ingress's replicas.max to 7, or use a larger postgres.managed.size (more connections)");
  });

  it("the CLI gives that refusal with the stack file's line and column, and exit 1, writing nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "k8s-refusal-"));
    const file = join(dir, "big.yaml");
    const text = withSidekiq((g) => (g[0]!.replicas.max = 12));
    writeFileSync(file, text);
    const out = await planStack(file);
    assert.ok("refused" in out);
    const lines = out.refused.split("\n");
    assert.equal(lines[0], "the stack does not fit its cluster at maximum scale:");
    assert.match(lines[1]!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: kubernetes\\.sidekiq\\[0\\]\\.replicas\\.max: at maximum replicas Sidekiq runs 565 threads`));
    // The line and column point at the value to change.
    const [, line, col] = /:(\d+):(\d+): /.exec(lines[1]!)!;
    assert.equal(text.split("\n")[Number(line) - 1]!.slice(Number(col) - 1), "12");
    assert.match(lines[2]!, /^ {2}fix: lower sidekiq-default's replicas\.max to 4, or use a larger postgres\.managed\.size/);
  });

  it("refuses maxima past the pool's max_client_conn when the stack sets one", () => {
    const e = refusal(edited("kubernetes", (d) => (d.postgres.pool.maxClientConn = 300)));
    const p = e.located.find((x) => x.path.join(".") === "kubernetes.sidekiq.0.replicas.max")!;
    assert.match(p.message, /^at maximum replicas the pods open 455 client connections \(6×10 \+ 3×10 \+ 4×25 .*\) \+ 10 reserve, more than the pool's max_client_conn 300/);
    assert.match(p.fix, /^lower sidekiq-default's replicas\.max to 1 and .*, or raise postgres\.pool\.maxClientConn to 465$/);
  });

  it("refuses a pool whose maxNodes cannot hold the pods at maximum, and a pod larger than a node", () => {
    const small = refusal(edited("kubernetes", (d) => (d.kubernetes.nodePools[0].maxNodes = 3)));
    assert.deepEqual(small.located.map((p) => p.path.join(".")), ["kubernetes.nodePools.0.maxNodes"]);
    assert.match(small.located[0]!.message, /need 5 s-4vcpu-8gb nodes .* but the pool stops at 3: autoscaling would leave pods pending$/);
    assert.equal(small.located[0]!.fix, "set maxNodes to 5, use a larger node size, or lower the replicas' max");
    const huge = refusal(edited("kubernetes", (d) => {
      d.kubernetes.nodePools[0].size = "s-1vcpu-2gb";
      d.kubernetes.nodePools[0].maxNodes = 100;
    }));
    assert.ok(huge.located.some((p) => p.path.join(".") === "kubernetes.web" && /^one web pod requests 830 MB and 1330m CPU, more than a s-1vcpu-2gb node/.test(p.message)), huge.message);
  });

  it("derives one group per busy queue when the stack lists none, with the scheduler fixed at one replica", () => {
    const plan = planOf(edited("kubernetes", (d) => delete d.kubernetes.sidekiq));
    const sidekiq = plan.kubernetes!.workloads.filter((w) => w.kind === "sidekiq");
    assert.deepEqual(sidekiq.map((w) => w.name), ["sidekiq-default", "sidekiq-push", "sidekiq-ingress", "sidekiq-pull", "sidekiq-mailers", "sidekiq-scheduler"]);
    assert.deepEqual(sidekiq.at(-1)!.autoscale, { kind: "fixed" });
    assert.deepEqual(new Set(sidekiq.flatMap((w) => w.process.queues)), new Set(["default", "push", "ingress", "pull", "mailers", "fasp", "scheduler"]));
  });
});

describe("Kubernetes tier: the offline plan's files", () => {
  it("writes the chart's values and our objects as YAML, secrets redacted, cloud values as outputs", () => {
    const spec = parseStack(stringify(exampleDoc("kubernetes")), "k8s.yaml");
    const files = planOutputs(buildPlan(spec), [], spec).files.filter((f) => f.path.startsWith("kubernetes/"));
    assert.deepEqual(files.map((f) => f.path), ["kubernetes/mastodon-values.yaml", "kubernetes/objects.yaml"]);
    const values = parse(files[0]!.content) as { postgresql: { hostname: string; direct: { port: number } }; mastodon: { sidekiq: { workers: { name: string }[] } } };
    assert.equal(values.postgresql.hostname, "<output:postgres.host>");
    assert.equal(values.postgresql.direct.port, 25060);
    assert.deepEqual(values.mastodon.sidekiq.workers.map((w) => w.name), ["default", "push", "ingress", "pull", "mailers", "scheduler"]);
    const objects = parseAllDocuments(files[1]!.content).map((d) => d.toJS() as { kind: string; stringData?: Record<string, string> });
    assert.equal(objects.filter((o) => o.kind === "ScaledObject").length, 5);
    for (const o of objects.filter((x) => x.kind === "Secret")) for (const v of Object.values(o.stringData ?? {})) assert.match(v, /^<(redacted|output):[A-Za-z0-9_.]+>$|^(doadmin|mastodon|AKIAEXAMPLE)$/, v);
    assert.doesNotMatch(files.map((f) => f.content).join("\n"), /&a\d|\*a\d/, "no YAML aliases");
  });
});

describe("Kubernetes tier: node arithmetic", () => {
  it("reserves memory by tiers and packs pods first-fit, never splitting a pod across nodes", () => {
    // 100 MiB eviction + 25 % of the first 4 GiB + 20 % of the next 4 (+ 10 % of the next 8 for 16 GB).
    assert.equal(reservedMemoryMb(8192), 1944);
    assert.equal(reservedMemoryMb(16384), 2763);
    assert.equal(allocatable(4, 8192).cpuMillis, 3570);
    // Three 600 MB pods on 1000 MB nodes: the sum (1800) fits two nodes, the pods need three.
    assert.equal(nodesFor([{ cpuMillis: 1, memoryMb: 600 }, { cpuMillis: 1, memoryMb: 600 }, { cpuMillis: 1, memoryMb: 600 }], { cpuMillis: 1000, memoryMb: 1000 }), 3);
    assert.equal(nodesFor([{ cpuMillis: 900, memoryMb: 10 }, { cpuMillis: 900, memoryMb: 10 }], { cpuMillis: 1000, memoryMb: 1000 }), 2);
  });
});
