// Objects of the add-ons' and the Gateway API's CRDs, from the pure builders' manifests. A
// CustomResource only exposes as outputs the fields it was given, so the Gateway is given an
// empty `status` to read its address back from.
import type * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";

/** A manifest as the builders return it: apiVersion, kind, metadata, and the rest of the object. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
}

/** A manifest whose namespace is the Namespace resource's output. */
export type Namespaced<M extends { metadata: object }> = Omit<M, "metadata"> & { metadata: Omit<M["metadata"], "namespace"> & { namespace: pulumi.Input<string> } };

/** The manifest in the namespace we created (an Output of the Namespace resource), so the object waits for it. */
export function inNamespace<M extends { metadata: object }>(m: M, namespace: pulumi.Input<string>): Namespaced<M> {
  return { ...m, metadata: { ...m.metadata, namespace } } as Namespaced<M>;
}

/**
 * The builders type their objects with kubernetes-models' closed interfaces; CustomResourceArgs
 * is open (any field besides apiVersion, kind and metadata), which a closed interface never
 * satisfies in TypeScript, though every such object is one.
 */
function argsOf(m: Manifest | Namespaced<Manifest>): kubernetes.apiextensions.CustomResourceArgs {
  return m as unknown as kubernetes.apiextensions.CustomResourceArgs;
}

export function customResource(name: string, manifest: Manifest | Namespaced<Manifest>, opts: pulumi.CustomResourceOptions): kubernetes.apiextensions.CustomResource {
  return new kubernetes.apiextensions.CustomResource(name, argsOf(manifest), opts);
}

/** What the Gateway's controller reports (Gateway API v1 GatewayStatus, the part we read). */
export interface GatewayStatus {
  addresses?: { type?: string; value: string }[];
}

/** A Gateway whose status (its load balancer's address) is an output. */
export class GatewayResource extends kubernetes.apiextensions.CustomResource {
  declare public readonly status: pulumi.Output<GatewayStatus | undefined>;

  constructor(name: string, manifest: Manifest | Namespaced<Manifest>, opts: pulumi.CustomResourceOptions) {
    super(name, { ...argsOf(manifest), status: undefined }, opts);
  }
}
