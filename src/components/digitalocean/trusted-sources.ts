// Who a managed database cluster lets in. DigitalOcean's database firewall refuses every client
// once it has any rule, and it cannot take a Cloud Firewall as a source: it names its clients by
// kind — the droplets that run Mastodon processes on the VM tier, the Kubernetes cluster (every
// node of it, current and future, since the autoscaler adds nodes) on the Kubernetes tier.
import type * as pulumi from "@pulumi/pulumi";
import type * as digitalocean from "@pulumi/digitalocean";

/** A source we trust, as the database firewall's own rule: `droplet` or `k8s` with its id. */
export type TrustedSource = digitalocean.types.input.DatabaseFirewallRule;

export const trustedDroplets = (ids: readonly pulumi.Input<string>[]): TrustedSource[] => ids.map((value) => ({ type: "droplet", value }));

export const trustedCluster = (clusterId: pulumi.Input<string>): TrustedSource[] => [{ type: "k8s", value: clusterId }];
