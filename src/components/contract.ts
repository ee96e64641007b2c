// What the program hands a provider implementation and what it gets back. The plan decides
// everything countable (hosts, sizes, pools); components only create resources for it.
import type * as kubernetes from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../plan/types";
import type { Spec } from "../spec/schema/stack";
import type { Ingress } from "./dns-records";

/** Settings only Pulumi config holds: keys and accounts, never in the stack file. */
export interface ProgramConfig {
  /** SSH keys the providers install for root: DigitalOcean key ids/fingerprints, Hetzner key names/ids (none on the Kubernetes tier). */
  sshKeys: string[];
  /** Private key matching one of sshKeys: how `pulumi up` logs in to converge each host. Secret. Absent on the Kubernetes tier, which has no hosts. */
  sshPrivateKey?: pulumi.Output<string>;
  /** Cloudflare account that owns R2 buckets (R2 media). */
  cloudflareAccountId?: string;
  /** User secrets by Pulumi config name (smtpPassword, backupAccessKey, …), already pulumi.secret. */
  userSecrets: Readonly<Record<string, pulumi.Output<string>>>;
}

export interface ComponentArgs {
  plan: Plan;
  spec: Spec;
  config: ProgramConfig;
}

export interface HostHandle {
  name: string;
  id: pulumi.Output<string>;
  /** The address other hosts and the configs use (plan's static one on Hetzner, the VPC's on DigitalOcean). */
  privateAddress: pulumi.Output<string>;
  /** Absent on a host without one (Hetzner IPv6-only). */
  publicIpv4?: pulumi.Output<string>;
  publicIpv6?: pulumi.Output<string>;
}

/** What a provider implementation (or an add-on such as R2) contributes to the stack. */
export interface Contribution {
  hosts?: Record<string, HostHandle>;
  /** Values for the plan's {{output:NAME}} markers (address.<host>, postgres.host, media.cdnHost, …). */
  outputs?: Record<string, pulumi.Output<string>>;
  /** Values for {{secret:NAME}} markers that provider resources create (managed passwords, storage keys). */
  secrets?: Record<string, pulumi.Output<string>>;
  /** Stack outputs worth showing an admin (load balancer address, database host, …). */
  exports?: Record<string, pulumi.Output<string>>;
}

/** The Kubernetes cluster the Kubernetes tier runs on. */
export interface ClusterHandle {
  id: pulumi.Output<string>;
  /** The API server's URL (no credential in it). */
  endpoint: pulumi.Output<string>;
  /** The `provider` of every object on the cluster. */
  provider: kubernetes.Provider;
}

/** What a cloud provider's implementation returns: hosts (or a cluster), and the addresses users reach. */
export interface ProviderContribution extends Contribution {
  /** Empty on the Kubernetes tier. */
  hosts: Record<string, HostHandle>;
  /** Where the instance's names point: the load balancer, else every proxy host; empty on the Kubernetes tier, whose Gateway (on the cluster) faces users. */
  ingress: Ingress<pulumi.Output<string>>;
  /** The Kubernetes tier's cluster. */
  cluster?: ClusterHandle;
  /** Managed data services that must be reachable before migrations run (clusters, users, trusted sources). */
  dataReady: pulumi.Resource[];
  /** Managed Postgres: how the migration host (or Job) reaches it as its admin, to hand the database to the application user. */
  managedPostgres?: { host: pulumi.Output<string>; adminPassword: pulumi.Output<string>; caCertificate: pulumi.Output<string> };
}

/** Builds a provider's concern components as children of `opts.parent`. */
export type ProviderFactory = (name: string, args: ComponentArgs, opts: pulumi.ComponentResourceOptions) => ProviderContribution;
