// A one-node managed cluster in the stack's VPC whose database firewall trusts only what runs
// Mastodon (its droplets, or the Kubernetes cluster): what the Valkey and OpenSearch components share.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import type { TrustedSource } from "./trusted-sources";

export interface ManagedClusterArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  size: string;
  /** What connects: the application hosts' droplets, or the Kubernetes cluster. */
  trusted: TrustedSource[];
}

export interface ManagedCluster {
  host: pulumi.Output<string>;
  password: pulumi.Output<string>;
  /** The cluster and its trusted sources: what must exist before a host connects. */
  ready: pulumi.Resource[];
}

export function managedCluster(
  name: string,
  args: ManagedClusterArgs,
  engine: { engine: string; version: string; evictionPolicy?: string },
  parent: pulumi.Resource,
): ManagedCluster {
  const child = { parent };
  const cluster = new digitalocean.DatabaseCluster(
    name,
    { name: `${args.stack}-${engine.engine}`, ...engine, size: args.size, region: args.region, nodeCount: 1, privateNetworkUuid: args.vpcId },
    child,
  );
  const firewall = new digitalocean.DatabaseFirewall(`${name}-firewall`, { clusterId: cluster.id, rules: args.trusted }, child);
  return { host: cluster.privateHost, password: pulumi.secret(cluster.password), ready: [cluster, firewall] };
}
