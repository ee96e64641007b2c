// How users reach the pods: the Gateway on DOKS's managed Gateway API (its Service gets a
// DigitalOcean load balancer, whose address the DNS records point at), plain HTTP redirected to
// HTTPS, the local domain redirected to the web domain, and the ClusterIssuer that gets the
// Gateway its Let's Encrypt certificate. Objects from the pure builders (manifests/gateway.ts,
// manifests/cert-manager.ts); the chart's own HTTPRoutes attach to the HTTPS listeners.
import * as pulumi from "@pulumi/pulumi";
import type * as kubernetes from "@pulumi/kubernetes";
import { clusterIssuer } from "../../plan/kubernetes/manifests/cert-manager";
import { gateway, httpsRedirectRoute, webDomainRedirectRoutes } from "../../plan/kubernetes/manifests/gateway";
import type { Plan } from "../../plan/types";
import type { Spec } from "../../spec/schema/stack";
import { customResource, GatewayResource, inNamespace } from "./custom-resource";

export interface MastodonRoutingArgs {
  spec: Spec;
  plan: Plan;
  namespace: pulumi.Output<string>;
  provider: kubernetes.Provider;
  /** cert-manager's release: the ClusterIssuer's CRD and the webhook that admits it. */
  certManager: kubernetes.helm.v3.Release;
}

/**
 * Pulumi waits until the Gateway has an address (pulumi-kubernetes 4.18+ reads this annotation
 * on any object): the load balancer takes minutes, and the DNS records need its address.
 * Waiting for it, not for Programmed, since Programmed may wait on the certificate, which waits
 * on DNS — a cycle.
 */
export const WAIT_FOR_ADDRESS = { "pulumi.com/waitFor": "jsonpath={.status.addresses[0].value}" } as const;

export class MastodonRouting extends pulumi.ComponentResource {
  /** The public IPv4 address of the Gateway's load balancer. */
  public readonly address: pulumi.Output<string>;

  constructor(name: string, args: MastodonRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Routing", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    customResource(`${name}-issuer`, clusterIssuer(args.spec, args.plan), { ...child, dependsOn: [args.certManager] });

    const g = gateway(args.spec, args.plan);
    const gw = new GatewayResource(
      `${name}-gateway`,
      inNamespace({ ...g, metadata: { ...g.metadata, annotations: { ...g.metadata.annotations, ...WAIT_FOR_ADDRESS } } }, args.namespace),
      { ...child, customTimeouts: { create: "20m", update: "20m" } },
    );
    for (const route of [httpsRedirectRoute(args.plan), ...webDomainRedirectRoutes(args.spec, args.plan)]) {
      customResource(`${name}-${route.metadata.name}`, inNamespace(route, args.namespace), { ...child, dependsOn: [gw] });
    }
    this.address = gw.status.apply((s) => {
      const address = s?.addresses?.find((a) => a.value)?.value;
      if (!address) throw new Error("the Gateway reports no address: DigitalOcean has not given its load balancer one (kubectl describe gateway shows why)");
      return address;
    });
    this.registerOutputs({ address: this.address });
  }
}
