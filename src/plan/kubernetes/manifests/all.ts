// Every object the project writes beside the chart, grouped by when the components create them:
// Secrets and the cluster objects first, the "pre" migration before the chart release, the
// autoscalers and budgets with it, the "post" migration after it.
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import type { ClusterEndpoints } from "../cluster-endpoints";
import { horizontalPodAutoscalers, scaledObjects, triggerAuthentication, type ScaledObjectManifest } from "./autoscaling";
import { clusterIssuer } from "./cert-manager";
import { podDisruptionBudgets } from "./disruption";
import { gateway, httpsRedirectRoute, webDomainRedirectRoutes } from "./gateway";
import { migrationJobs, type JobManifest } from "./migrations";
import { secretManifests, type SecretManifest, type SecretValues } from "./secrets";

export interface OwnManifests<T> {
  secrets: SecretManifest<T>[];
  ingress: { issuer: ReturnType<typeof clusterIssuer>; gateway: ReturnType<typeof gateway>; routes: ReturnType<typeof httpsRedirectRoute>[] };
  beforeRelease: { migration: JobManifest<T> };
  withRelease: {
    triggerAuthentication: ReturnType<typeof triggerAuthentication>;
    scaledObjects: ScaledObjectManifest<T>[];
    horizontalPodAutoscalers: ReturnType<typeof horizontalPodAutoscalers>;
    podDisruptionBudgets: ReturnType<typeof podDisruptionBudgets>;
  };
  afterRelease: { migration: JobManifest<T> };
}

export function ownManifests<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>, secrets: SecretValues<T>): OwnManifests<T> {
  const jobs = migrationJobs(spec, plan, at);
  return {
    secrets: secretManifests(spec, plan, secrets),
    ingress: { issuer: clusterIssuer(spec, plan), gateway: gateway(spec, plan), routes: [httpsRedirectRoute(plan), ...webDomainRedirectRoutes(spec, plan)] },
    beforeRelease: { migration: jobs.pre },
    withRelease: { triggerAuthentication: triggerAuthentication(plan), scaledObjects: scaledObjects(plan, at), horizontalPodAutoscalers: horizontalPodAutoscalers(plan), podDisruptionBudgets: podDisruptionBudgets(plan) },
    afterRelease: { migration: jobs.post },
  };
}

/** Every object of `m` in creation order: for the offline plan's objects.yaml and for validation. */
export function allObjects<T>(m: OwnManifests<T>) {
  return [
    ...m.secrets,
    m.ingress.issuer,
    m.ingress.gateway,
    ...m.ingress.routes,
    m.beforeRelease.migration,
    m.withRelease.triggerAuthentication,
    ...m.withRelease.scaledObjects,
    ...m.withRelease.horizontalPodAutoscalers,
    ...m.withRelease.podDisruptionBudgets,
    m.afterRelease.migration,
  ];
}
