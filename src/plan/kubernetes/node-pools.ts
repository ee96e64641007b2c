// Node pools: what a DOKS node leaves pods, how many nodes the pods' requests need at their
// minimum and maximum replicas (packed as the scheduler would, not just summed), and whether
// the pool's autoscaling range holds them.
import { catalogFor } from "../../catalog";
import type { Spec } from "../../spec/schema/stack";
import type { PlannedNodePool, PlannedWorkload, PodResources } from "../types";
import type { LocatedProblem } from "../capacity/capacity-error";

/**
 * Memory the kubelet keeps from pods, by tiers of the node's memory: 25 % of the first 4 GiB,
 * 20 % of the next 4, 10 % of the next 8, 6 % of the next 112, 2 % above, plus 100 MiB for the
 * eviction threshold. DigitalOcean publishes no formula of its own that we could read; this is
 * the common managed-Kubernetes one (GKE's "memory and CPU reservations"). An 8 GB node keeps
 * 1,943 MB; a real node's allocatable (`kubectl describe node`) is the figure to check it by.
 */
export function reservedMemoryMb(memoryMb: number): number {
  const tiers: [number, number][] = [[4096, 0.25], [4096, 0.2], [8192, 0.1], [112 * 1024, 0.06], [Infinity, 0.02]];
  let left = memoryMb;
  let reserved = 100;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reserved += part * share;
    left -= part;
    if (left <= 0) break;
  }
  return Math.ceil(reserved);
}

/** CPU the kubelet keeps: 6 % of the first core, 1 % of the next, 0.5 % of the next two, 0.25 % above (the same source). */
export function reservedCpuMillis(vcpu: number): number {
  const tiers: [number, number][] = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let left = vcpu;
  let reserved = 0;
  for (const [size, share] of tiers) {
    const part = Math.min(left, size);
    reserved += part * share * 1000;
    left -= part;
    if (left <= 0) break;
  }
  return Math.ceil(reserved);
}

/**
 * DOKS's own pods on every node (the Cilium agent with the Gateway's Envoy, konnectivity, the
 * CSI node plugin, do-node-agent): an estimate of what they request, kept apart from the
 * kubelet's reservation. Not measured here (no cluster is reachable from these machines); a
 * real node's `kubectl describe node` is the figure to put in its place.
 */
export const DOKS_SYSTEM_PODS: PodResources = { cpuMillis: 350, memoryMb: 450 };

export function allocatable(vcpu: number, memoryMb: number): PodResources {
  return {
    cpuMillis: vcpu * 1000 - reservedCpuMillis(vcpu) - DOKS_SYSTEM_PODS.cpuMillis,
    memoryMb: memoryMb - reservedMemoryMb(memoryMb) - DOKS_SYSTEM_PODS.memoryMb,
  };
}

/** First-fit decreasing on memory, checking CPU too: the nodes these pods need, each node filled to `cap`. */
export function nodesFor(pods: readonly PodResources[], cap: PodResources): number {
  const sorted = [...pods].sort((a, b) => b.memoryMb - a.memoryMb || b.cpuMillis - a.cpuMillis);
  const nodes: PodResources[] = [];
  for (const p of sorted) {
    const node = nodes.find((n) => n.memoryMb + p.memoryMb <= cap.memoryMb && n.cpuMillis + p.cpuMillis <= cap.cpuMillis);
    if (node) {
      node.memoryMb += p.memoryMb;
      node.cpuMillis += p.cpuMillis;
    } else nodes.push({ ...p });
  }
  return nodes.length;
}

const sum = (pods: readonly PodResources[]): PodResources => ({ cpuMillis: pods.reduce((n, p) => n + p.cpuMillis, 0), memoryMb: pods.reduce((n, p) => n + p.memoryMb, 0) });
const replicate = (w: PlannedWorkload, n: number): PodResources[] => Array.from({ length: n }, () => w.requests);

export interface PoolPlanning {
  pools: PlannedNodePool[];
  problems: LocatedProblem[];
  warnings: string[];
}

/** Sizes every pool from its workloads (and the add-ons, on the first pool) with the stack's memory headroom kept free. */
export function planNodePools(spec: Spec, workloads: readonly PlannedWorkload[], addons: readonly PodResources[]): PoolPlanning {
  const k = spec.kubernetes!;
  const cat = catalogFor(spec.provider.cloud);
  const headroom = spec.tuning.memoryHeadroomPercent / 100;
  const problems: LocatedProblem[] = [];
  const warnings: string[] = [];
  const pools = k.nodePools.map((p, i): PlannedNodePool => {
    const size = cat.servers[p.size]!;
    const alloc = allocatable(size.vcpu, size.memoryMb);
    // Headroom is kept on memory, as on hosts; CPU requests may fill a node (CPU is shared, not killed).
    const cap: PodResources = { cpuMillis: alloc.cpuMillis, memoryMb: Math.floor(alloc.memoryMb * (1 - headroom)) };
    const mine = workloads.filter((w) => w.pool === p.name);
    const extra = i === 0 ? addons : [];
    const atMin = [...mine.flatMap((w) => replicate(w, w.replicas.min)), ...extra];
    const atMax = [...mine.flatMap((w) => replicate(w, w.replicas.max)), ...extra];
    for (const w of mine) {
      if (w.requests.memoryMb > cap.memoryMb || w.requests.cpuMillis > cap.cpuMillis) {
        problems.push({
          path: w.at.slice(0, -1),
          message: `one ${w.name} pod requests ${w.requests.memoryMb} MB and ${w.requests.cpuMillis}m CPU, more than a ${p.size} node of pool "${p.name}" offers pods (${cap.memoryMb} MB with ${spec.tuning.memoryHeadroomPercent} % headroom, ${cap.cpuMillis}m CPU)`,
          fix: `use a larger kubernetes.nodePools[${i}].size, or fewer ${w.kind === "web" ? "Puma workers" : "threads"} per pod`,
        });
      }
    }
    const nodesAtMin = nodesFor(atMin, cap);
    const nodesAtMax = nodesFor(atMax, cap);
    if (nodesAtMax > p.maxNodes) {
      problems.push({
        path: ["kubernetes", "nodePools", i, "maxNodes"],
        message: `at their maximum replicas the pods on pool "${p.name}" request ${sum(atMax).memoryMb} MB and ${sum(atMax).cpuMillis}m CPU, which need ${nodesAtMax} ${p.size} nodes (${cap.memoryMb} MB and ${cap.cpuMillis}m each for pods), but the pool stops at ${p.maxNodes}: autoscaling would leave pods pending`,
        fix: `set maxNodes to ${nodesAtMax}, use a larger node size, or lower the replicas' max`,
      });
    }
    if (nodesAtMin > p.minNodes) warnings.push(`node pool "${p.name}" starts at ${p.minNodes} node${p.minNodes === 1 ? "" : "s"} but the minimum replicas need ${nodesAtMin}: the autoscaler adds nodes on the first deploy (set minNodes: ${nodesAtMin} to start whole)`);
    return { name: p.name, size: p.size, vcpu: size.vcpu, memoryMb: size.memoryMb, allocatable: cap, minNodes: p.minNodes, maxNodes: p.maxNodes, requestedAtMin: sum(atMin), requestedAtMax: sum(atMax), nodesAtMin, nodesAtMax };
  });
  return { pools, problems, warnings };
}
