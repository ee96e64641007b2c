// Managed OpenSearch for Mastodon's full-text search: one node in the stack's VPC, reachable
// only from what runs Mastodon processes (Puma serves searches, Sidekiq indexes).
import * as pulumi from "@pulumi/pulumi";
import { managedCluster, type ManagedClusterArgs } from "./managed-cluster";

/** The OpenSearch major DigitalOcean offers (the provider's example: databaseCluster.d.ts). */
const OPENSEARCH_VERSION = "2";

export type DigitalOceanOpenSearchArgs = ManagedClusterArgs;

export class DigitalOceanOpenSearch extends pulumi.ComponentResource {
  /** The cluster's hostname inside the VPC. */
  public readonly host: pulumi.Output<string>;
  /** doadmin's password (secret): Mastodon logs in as doadmin (ES_USER). */
  public readonly password: pulumi.Output<string>;
  /** What must exist before an application host connects: the cluster and its trusted sources. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: DigitalOceanOpenSearchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:search:DigitalOceanOpenSearch", name, {}, opts);
    ({ host: this.host, password: this.password, ready: this.ready } = managedCluster(name, args, { engine: "opensearch", version: OPENSEARCH_VERSION }, this));
    this.registerOutputs({ host: this.host });
  }
}
