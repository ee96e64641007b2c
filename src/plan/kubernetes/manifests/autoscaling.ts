// How replica counts move between the planner's min and max: Sidekiq groups on their queues'
// backlog in Valkey (KEDA's Redis list scaler), web and streaming on CPU (a plain HPA). The
// scheduler queue never scales: a second replica would run every periodic job twice.
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import type { KubernetesPlan, Plan, PlannedWorkload } from "../../types";
import { kubernetesOf } from "../chart-values";
import { REDIS_PORT } from "../chart-services";
import type { ClusterEndpoints, Lift } from "../cluster-endpoints";
import { deploymentName, KEDA_AUTH_NAME, ownLabels, SECRETS } from "../names";

/** Sidekiq keeps each queue as the Redis list `queue:<name>`. */
export const queueList = (queue: string): string => `queue:${queue}`;

/** Exact text of the refusal (tests hold it): queue names may carry a Sidekiq weight, `scheduler,1`. */
export function schedulerRefusal(w: Pick<PlannedWorkload, "name" | "replicas">): string {
  return `${w.name} holds the scheduler queue and cannot autoscale: a second replica would run every periodic job twice (replicas ${w.replicas.min} to ${w.replicas.max}); move its other queues to a group of their own`;
}

const holdsScheduler = (queues: readonly string[] | undefined): boolean => (queues ?? []).some((q) => q.split(",")[0]!.trim() === "scheduler");

/** The password KEDA authenticates to Valkey with, read from the same Secret as the pods'. */
export function triggerAuthentication(plan: Plan): ITriggerAuthentication & { metadata: { name: string; namespace: string } } {
  const k = kubernetesOf(plan);
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "TriggerAuthentication",
    metadata: { name: KEDA_AUTH_NAME, namespace: k.namespace, labels: ownLabels(k.release, "autoscaling") },
    spec: { secretTargetRef: [{ parameter: "password", name: SECRETS.redis.name, key: "password" }] },
  };
}

export type ScaledObjectManifest<T> = Lift<IScaledObject, T> & { metadata: { name: string; namespace: string } };

/** An autoscaler's own name and labels, and the chart Deployment it scales (named alike). */
function scaling(k: KubernetesPlan, w: PlannedWorkload) {
  const name = deploymentName(k.release, w);
  return { metadata: { name, namespace: k.namespace, labels: ownLabels(k.release, w.name) }, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name } };
}

/**
 * One ScaledObject per Sidekiq workload that scales on its queues: a trigger per queue (KEDA
 * takes the largest), a replica per `backlogPerReplica` jobs waiting. Throws for a scaled
 * workload that holds the scheduler queue.
 */
export function scaledObjects<T>(plan: Plan, at: ClusterEndpoints<T>): ScaledObjectManifest<T>[] {
  const k = kubernetesOf(plan);
  return k.workloads.flatMap((w) => {
    if (w.autoscale.kind !== "queues") return [];
    if (holdsScheduler(w.autoscale.queues) || holdsScheduler(w.process.queues)) throw new Error(schedulerRefusal(w));
    const { backlogPerReplica } = w.autoscale;
    const { metadata, scaleTargetRef } = scaling(k, w);
    return [
      {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata,
        spec: {
          scaleTargetRef,
          // The chart's replicas is the min too, so a release upgrade resets nothing KEDA would not.
          minReplicaCount: w.replicas.min,
          maxReplicaCount: w.replicas.max,
          triggers: w.autoscale.queues.map((q) => ({
            type: "redis",
            name: q,
            metadata: { address: at.concat(at.redisHost, `:${REDIS_PORT}`), enableTLS: "true", listName: queueList(q), listLength: String(backlogPerReplica) },
            authenticationRef: { name: KEDA_AUTH_NAME },
          })),
        },
      },
    ];
  });
}

/** A HorizontalPodAutoscaler on average CPU (a share of the pods' request) per workload that scales on CPU. */
export function horizontalPodAutoscalers(plan: Plan): (IHorizontalPodAutoscaler & { metadata: { name: string; namespace: string } })[] {
  const k = kubernetesOf(plan);
  return k.workloads.flatMap((w) => {
    // Only web and streaming scale on CPU (workloads.ts): no queue, so no scheduler, here.
    if (w.autoscale.kind !== "cpu") return [];
    const { metadata, scaleTargetRef } = scaling(k, w);
    return [
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata,
        spec: {
          scaleTargetRef,
          minReplicas: w.replicas.min,
          maxReplicas: w.replicas.max,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: w.autoscale.targetPercent } } }],
        },
      },
    ];
  });
}
