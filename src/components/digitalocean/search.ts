// Managed OpenSearch for Mastodon's full-text search: one node in the stack's VPC, reachable
// only from the droplets that run Mastodon processes (Puma serves searches, Sidekiq indexes).
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import { dropletRules } from "./database";

/** The OpenSearch major DigitalOcean offers (the provider's example: databaseCluster.d.ts). */
const OPENSEARCH_VERSION = "2";

export interface DigitalOceanOpenSearchArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  size: string;
  /** Droplet ids of the hosts that connect (applicationHosts). */
  trustedDropletIds: pulumi.Input<string>[];
}

export class DigitalOceanOpenSearch extends pulumi.ComponentResource {
  /** The cluster's hostname inside the VPC. */
  public readonly host: pulumi.Output<string>;
  /** doadmin's password (secret): Mastodon logs in as doadmin (ES_USER). */
  public readonly password: pulumi.Output<string>;
  /** What must exist before an application host connects: the cluster and its trusted sources. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: DigitalOceanOpenSearchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:search:DigitalOceanOpenSearch", name, {}, opts);
    const child = { parent: this };
    const cluster = new digitalocean.DatabaseCluster(
      name,
      {
        name: `${args.stack}-opensearch`,
        engine: "opensearch",
        version: OPENSEARCH_VERSION,
        size: args.size,
        region: args.region,
        nodeCount: 1,
        privateNetworkUuid: args.vpcId,
      },
      child,
    );
    this.ready = [cluster];
    this.ready.push(new digitalocean.DatabaseFirewall(`${name}-firewall`, { clusterId: cluster.id, rules: dropletRules(args.trustedDropletIds) }, child));
    this.host = cluster.privateHost;
    this.password = pulumi.secret(cluster.password);
    this.registerOutputs({ host: this.host });
  }
}
