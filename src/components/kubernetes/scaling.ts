// Replica counts between the planner's min and max: each Sidekiq group that scales on its queues
// through a KEDA ScaledObject (the Redis list scaler, authenticated from the Redis Secret), web and
// streaming on CPU through HorizontalPodAutoscalers, and PodDisruptionBudgets so node drains take
// web and streaming pods one at a time. Objects from the pure builders
// (manifests/autoscaling.ts, manifests/disruption.ts); the scheduler's group gets none.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import type { ClusterEndpoints } from "../../plan/kubernetes/cluster-endpoints";
import { horizontalPodAutoscalers, scaledObjects, triggerAuthentication } from "../../plan/kubernetes/manifests/autoscaling";
import { podDisruptionBudgets } from "../../plan/kubernetes/manifests/disruption";
import type { Plan } from "../../plan/types";
import { customResource, inNamespace } from "./custom-resource";

export interface MastodonScalingArgs {
  plan: Plan;
  endpoints: ClusterEndpoints<pulumi.Input<string>>;
  namespace: pulumi.Output<string>;
  provider: kubernetes.Provider;
  /** KEDA's release: the CRDs of ScaledObject and TriggerAuthentication. */
  keda: kubernetes.helm.v3.Release;
  /** The chart's release: the Deployments the autoscalers target. */
  release: kubernetes.helm.v3.Release;
  /** The Redis Secret the TriggerAuthentication reads. */
  redisSecret: kubernetes.core.v1.Secret;
}

/**
 * A builder's spec (kubernetes-models' types, checked against the OpenAPI schema in its tests) as
 * the Pulumi SDK's input type: the same objects, except that kubernetes-models lets a Quantity be
 * a number where Pulumi's types want a string — and the builders write none.
 */
function specAs<P>(spec: object | undefined, what: string): P {
  if (spec === undefined) throw new Error(`the builder made ${what} without a spec`);
  return spec as P;
}

export class MastodonScaling extends pulumi.ComponentResource {
  constructor(name: string, args: MastodonScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Scaling", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    const auth = customResource(`${name}-keda-auth`, inNamespace(triggerAuthentication(args.plan), args.namespace), { ...child, dependsOn: [args.keda, args.redisSecret] });
    for (const so of scaledObjects(args.plan, args.endpoints)) {
      customResource(`${name}-scaledobject-${so.metadata.name}`, inNamespace(so, args.namespace), { ...child, dependsOn: [args.keda, auth, args.release] });
    }
    for (const hpa of horizontalPodAutoscalers(args.plan)) {
      new kubernetes.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa-${hpa.metadata.name}`, { metadata: { ...hpa.metadata, namespace: args.namespace }, spec: specAs<kubernetes.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>(hpa.spec, hpa.metadata.name) }, { ...child, dependsOn: [args.release] });
    }
    for (const pdb of podDisruptionBudgets(args.plan)) {
      new kubernetes.policy.v1.PodDisruptionBudget(`${name}-pdb-${pdb.metadata.name}`, { metadata: { ...pdb.metadata, namespace: args.namespace }, spec: specAs<kubernetes.types.input.policy.v1.PodDisruptionBudgetSpec>(pdb.spec, pdb.metadata.name) }, child);
    }
    this.registerOutputs({});
  }
}
