// Managed Valkey for Mastodon's Redis: one node in the stack's VPC, reachable only from the
// droplets that run Mastodon processes (or the Kubernetes cluster).
import * as pulumi from "@pulumi/pulumi";
import { managedCluster, type ManagedClusterArgs } from "./managed-cluster";

/** DigitalOcean's current Valkey major (the provider's own example uses it: databaseCluster.d.ts). */
const VALKEY_VERSION = "8";

/**
 * Sidekiq keeps its queues, schedules and retries in Redis: an evicting policy would silently drop
 * jobs when memory runs short. noeviction makes writes fail loudly instead. The cluster's own
 * evictionPolicy sets it (the provider accepts it for valkey since terraform-provider-digitalocean
 * 2.53), so no separate DatabaseValkeyConfig is needed.
 */
const EVICTION_POLICY = "noeviction";

export type DigitalOceanValkeyArgs = ManagedClusterArgs;

export class DigitalOceanValkey extends pulumi.ComponentResource {
  /** The cluster's hostname inside the VPC. */
  public readonly host: pulumi.Output<string>;
  /** The default user's password (secret). */
  public readonly password: pulumi.Output<string>;
  /** What must exist before an application host connects: the cluster and its trusted sources. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: DigitalOceanValkeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:cache:DigitalOceanValkey", name, {}, opts);
    ({ host: this.host, password: this.password, ready: this.ready } = managedCluster(name, args, { engine: "valkey", version: VALKEY_VERSION, evictionPolicy: EVICTION_POLICY }, this));
    this.registerOutputs({ host: this.host });
  }
}
