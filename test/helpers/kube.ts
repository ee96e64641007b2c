// The Kubernetes example stack, its plan and the endpoints the components would pass, for the
// pure builders' tests.
import { join } from "node:path";
import { buildPlan, type Plan } from "../../src/plan";
import { plainEndpoints, type ClusterEndpoints } from "../../src/plan/kubernetes/cluster-endpoints";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { ROOT } from "./plans";

export const KUBE_STACK = join(ROOT, "stacks", "kubernetes.yaml");

/** Hostnames as DigitalOcean would name them: recognisable in a render, never a secret. */
export const AT: ClusterEndpoints<string> = plainEndpoints({
  postgresHost: "private-pg.db.ondigitalocean.com",
  redisHost: "private-valkey.db.ondigitalocean.com",
  searchHost: "search.db.ondigitalocean.com",
  mediaAliasHost: "large-media.nyc3.cdn.digitaloceanspaces.com",
});

let cached: { spec: Spec; plan: Plan } | undefined;

/** stacks/kubernetes.yaml and its plan (built once per test process). */
export function kubeExample(): { spec: Spec; plan: Plan } {
  cached ??= (() => {
    const spec = loadStack(KUBE_STACK);
    return { spec, plan: buildPlan(spec) };
  })();
  return cached;
}
