// What the Kubernetes builders need from cloud resources that exist only once Pulumi has created
// them. The builders stay pure and generic over the value type: the components pass
// pulumi.Input<string> values and pulumi.concat, tests pass plain strings and a join.
import type { Spec } from "../../spec/schema/stack";

/** Addresses of the managed services (and the media hosts), known only after they exist. */
export interface ClusterEndpoints<T> {
  /** The managed PostgreSQL cluster's private host: the pool (25061) and direct (25060) ports share it on DigitalOcean. */
  postgresHost: T;
  /** The managed Valkey's private host. */
  redisHost: T;
  /** The managed OpenSearch's host, when search is managed. */
  searchHost?: T;
  /**
   * The public host media URLs point at when it is only known after creation: the Spaces CDN
   * endpoint (media.spaces.cdn), or an R2 bucket's r2.dev host (no customDomain).
   */
  mediaAliasHost?: T;
  /** R2 only: the account's S3 API host, <account id>.r2.cloudflarestorage.com. */
  objectStorageHost?: T;
  /**
   * Changes whenever a Secret the pods read changes (e.g. a hash of the secret versions), so the
   * pods restart to read it: Kubernetes passes a Secret to env only when a container starts.
   */
  secretsRevision?: T;
  /** One string from literal parts and values: pulumi.concat in the components, a join in tests. */
  concat(...parts: (string | T)[]): T;
}

/**
 * A Kubernetes object type whose free-form string fields may also hold a T (a pulumi.Input in
 * the components). Literal fields (apiVersion, kind, enums) stay literal, so Lift<X, string> is
 * still an X that kubernetes-models can validate.
 */
export type Lift<X, T> = X extends string
  ? string extends X
    ? X | T
    : X
  : X extends number | boolean | null | undefined
    ? X
    : X extends readonly (infer E)[]
      ? Lift<E, T>[]
      : X extends object
        ? { [K in keyof X]: Lift<X[K], T> }
        : X;

/**
 * The endpoints the stack needs, read by their output names — the names the provider
 * components register (postgres.host, redis.host, search.host, media.cdnHost, r2.publicHost,
 * r2.accountId): the components read Pulumi outputs, the offline plan <output:NAME> placeholders.
 */
export function endpointsFromOutputs<T>(spec: Spec, output: (name: string) => T, concat: ClusterEndpoints<T>["concat"], secretsRevision?: T): ClusterEndpoints<T> {
  const media = spec.media;
  return {
    postgresHost: output("postgres.host"),
    redisHost: output("redis.host"),
    ...(spec.search.managed ? { searchHost: output("search.host") } : {}),
    // The public media host known only once it exists: Spaces' CDN endpoint, an R2 bucket's r2.dev host.
    ...(media.spaces?.cdn ? { mediaAliasHost: output("media.cdnHost") } : media.r2 ? { mediaAliasHost: output("r2.publicHost") } : {}),
    ...(media.r2 ? { objectStorageHost: concat(output("r2.accountId"), ".r2.cloudflarestorage.com") } : {}),
    ...(secretsRevision === undefined ? {} : { secretsRevision }),
    concat,
  };
}

/** Endpoints as plain strings (tests and the offline plan). */
export function plainEndpoints(e: Omit<ClusterEndpoints<string>, "concat">): ClusterEndpoints<string> {
  return { ...e, concat: (...parts) => parts.join("") };
}
