// Every object the project writes beside the chart, grouped by when the components create them:
// Secrets and the cluster objects first, the "pre" migration before the chart release, the
// autoscalers and budgets with it, the "post" migration after it.
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import type { ClusterEndpoints } from "../cluster-endpoints";
import { horizontalPodAutoscalers, scaledObjects, triggerAuthentication } from "./autoscaling";
import { clusterIssuer } from "./cert-manager";
import { podDisruptionBudgets } from "./disruption";
import { gateway, httpsRedirectRoute, webDomainRedirectRoutes } from "./gateway";
import { migrationJobs } from "./migrations";
import { secretManifests, type SecretValues } from "./secrets";

export function ownManifests<T>(spec: Spec, plan: Plan, at: ClusterEndpoints<T>, secrets: SecretValues<T>) {
  const jobs = migrationJobs(spec, plan, at);
  return {
    secrets: secretManifests(spec, plan, secrets),
    ingress: { issuer: clusterIssuer(spec, plan), gateway: gateway(spec, plan), routes: [httpsRedirectRoute(plan), ...webDomainRedirectRoutes(spec, plan)] },
    beforeRelease: { migration: jobs.pre },
    withRelease: { triggerAuthentication: triggerAuthentication(plan), scaledObjects: scaledObjects(plan, at), horizontalPodAutoscalers: horizontalPodAutoscalers(plan), podDisruptionBudgets: podDisruptionBudgets(plan) },
    afterRelease: { migration: jobs.post },
  };
}

export type OwnManifests<T> = ReturnType<typeof ownManifests<T>>;
