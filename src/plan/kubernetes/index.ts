// Spec → Plan for a stack on Kubernetes: pods instead of hosts, node pools sized from them, the
// connection budget and the pools checked at the replicas autoscaling may reach, the cost at
// minimum and maximum. Pure, like the VM tier's planner.
import { webDomainOf } from "../../spec/dns";
import type { Spec } from "../../spec/schema/stack";
import { CapacityError } from "../capacity/capacity-error";
import { estimateCost } from "../cost";
import { servicePlan } from "../services";
import type { KubernetesPlan, Plan, PodResources } from "../types";
import { planWarnings } from "../warnings";
import { kubernetesBudget, kubernetesBudgetProblems } from "./budget";
import { kubernetesCostLines } from "./cost";
import { planNodePools } from "./node-pools";
import { planWorkloads } from "./workloads";
import { MASTODON_CHART } from "./names";

/**
 * The cluster add-ons the program installs, pinned, with an estimate of what their pods request
 * (their charts set no requests by default): cert-manager (controller, webhook, CA injector)
 * and KEDA (operator, metrics API server, admission webhooks).
 */
export const ADDONS: KubernetesPlan["addons"] = [
  { name: "cert-manager", chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.19.1", namespace: "cert-manager", requests: { cpuMillis: 150, memoryMb: 300 } },
  { name: "keda", chart: "keda", repository: "https://kedacore.github.io/charts", version: "2.18.0", namespace: "keda", requests: { cpuMillis: 300, memoryMb: 400 } },
];

export const NAMESPACE = "mastodon";
/** The chart names its objects after the release ("mastodon" already contains "mastodon"): mastodon-web, mastodon-sidekiq-<group>. */
export const RELEASE = "mastodon";

export function buildKubernetesPlan(spec: Spec): Plan {
  const k = spec.kubernetes!;
  const workloads = planWorkloads(spec);
  const addonPods: PodResources[] = ADDONS.map((a) => a.requests);
  const pools = planNodePools(spec, workloads, addonPods);
  const budget = kubernetesBudget(spec, workloads);
  const problems = [...pools.problems, ...kubernetesBudgetProblems(spec, budget, workloads)];
  if (problems.length > 0) throw new CapacityError([], problems, "its cluster at maximum scale");

  const kubernetes: KubernetesPlan = {
    version: k.version,
    highAvailability: k.highAvailability,
    podCidr: k.podCidr,
    serviceCidr: k.serviceCidr,
    namespace: NAMESPACE,
    release: RELEASE,
    chart: { ...MASTODON_CHART },
    nodePools: pools.pools,
    workloads,
    addons: ADDONS.map((a) => ({ ...a, requests: { ...a.requests } })),
  };
  const maxConnections = budget.databaseLimit;
  const scheduler = workloads.find((w) => w.process.queues?.includes("scheduler"));
  return {
    stack: { name: spec.name, domain: spec.domain, webDomain: webDomainOf(spec), provider: spec.provider.cloud, region: spec.provider.region, mastodonVersion: spec.mastodon.version },
    hosts: [],
    kubernetes,
    services: servicePlan(spec, [], [], undefined, maxConnections, budget),
    budget,
    cost: estimateCost(spec, [], kubernetesCostLines(spec, kubernetes)),
    sizing: {
      scheduler: `the ${scheduler?.name ?? "scheduler"} Deployment, one replica that no autoscaler targets`,
      sidekiq: workloads
        .filter((w) => w.kind === "sidekiq")
        .map((w) => `${w.name}: ${w.process.threads} threads per pod, ${w.replicas.min === w.replicas.max ? `${w.replicas.min} replica${w.replicas.min === 1 ? "" : "s"}` : `${w.replicas.min}–${w.replicas.max} replicas on ${w.autoscale.kind === "queues" ? `a backlog of ${w.autoscale.backlogPerReplica} jobs per replica` : "CPU"}`}`),
    },
    warnings: [
      ...pools.warnings,
      // Off-site backups are refused on this tier (kubernetes-rules.ts): the managed database keeps its own.
      ...planWarnings(spec, []).filter((w) => !w.startsWith("no backups are configured")),
    ],
  };
}
