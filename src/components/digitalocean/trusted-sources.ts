// Who a managed database cluster lets in. DigitalOcean's database firewall refuses every client
// once it has any rule, and it cannot take a Cloud Firewall as a source: it names its clients by
// kind — the droplets that run Mastodon processes on the VM tier, the Kubernetes cluster (every
// node of it, current and future, since the autoscaler adds nodes) on the Kubernetes tier.
import type * as pulumi from "@pulumi/pulumi";
import type * as digitalocean from "@pulumi/digitalocean";

/** The kinds of source we trust: the database firewall's own `droplet` and `k8s` rule types. */
export type TrustedSource = { type: "droplet"; dropletId: pulumi.Input<string> } | { type: "k8s"; clusterId: pulumi.Input<string> };

export const trustedDroplets = (ids: readonly pulumi.Input<string>[]): TrustedSource[] => ids.map((dropletId) => ({ type: "droplet", dropletId }));

export const trustedCluster = (clusterId: pulumi.Input<string>): TrustedSource[] => [{ type: "k8s", clusterId }];

/** Database firewall rules that admit exactly these sources, in their order. */
export function trustedRules(sources: readonly TrustedSource[]): digitalocean.types.input.DatabaseFirewallRule[] {
  return sources.map((s) => (s.type === "droplet" ? { type: "droplet", value: s.dropletId } : { type: "k8s", value: s.clusterId }));
}
