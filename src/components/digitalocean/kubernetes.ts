// The DigitalOcean Kubernetes cluster the Kubernetes tier runs on: in the stack's VPC with
// VPC-native pod and service ranges (DOKS's managed Gateway API — Cilium — needs them), every
// planned node pool autoscaled between its planned minimum and maximum, patch releases applied
// in a weekly window with a surge node; and the Kubernetes provider that talks to it.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import * as kubernetes from "@pulumi/kubernetes";
import type { KubernetesPlan, PlannedNodePool } from "../../plan/types";
import { stackTag } from "./hosts";

export interface DigitalOceanKubernetesArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  plan: Pick<KubernetesPlan, "version" | "highAvailability" | "podCidr" | "serviceCidr" | "nodePools">;
}

/** A label on every node naming its planned pool (DOKS adds doks.digitalocean.com/node-pool too). */
export const NODE_POOL_LABEL = "mastodon-stack/pool";

/**
 * Patch upgrades (autoUpgrade) start in this window: Sunday early morning UTC, the quietest hours
 * of the reference deployment's mostly-American users. The surge node lets pods move before a
 * node drains; the PodDisruptionBudgets keep web and streaming serving meanwhile.
 */
export const MAINTENANCE_WINDOW: digitalocean.types.input.KubernetesClusterMaintenancePolicy = { day: "sunday", startTime: "04:00" };

/**
 * How long the credentials the program fetches on each run stay valid: longer than any one
 * `pulumi up` (the Mastodon release waits at most 20 minutes, each migration Job its own
 * timeout), short enough that the tokens every run leaves behind expire the same day.
 */
export const KUBECONFIG_EXPIRE_SECONDS = 4 * 3600;

/** What the provider takes for one autoscaled pool (the cluster's default pool and the others alike). */
function poolArgs(stack: string, pool: PlannedNodePool) {
  return {
    name: pool.name,
    size: pool.size,
    // The cluster autoscaler owns the count between these; nodeCount stays unset, or every
    // `pulumi up` would reset the pool to it.
    autoScale: true,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
    labels: { [NODE_POOL_LABEL]: pool.name },
    tags: [stackTag(stack)],
  };
}

export class DigitalOceanKubernetes extends pulumi.ComponentResource {
  public readonly clusterId: pulumi.Output<string>;
  /** The API server's URL: no credential, safe to show. */
  public readonly endpoint: pulumi.Output<string>;
  public readonly clusterUrn: pulumi.Output<string>;
  /** The version slug the cluster runs, e.g. 1.34.1-do.0. */
  public readonly version: pulumi.Output<string>;
  /** Talks to the cluster: parent of nothing, but the `provider` of every object on it. */
  public readonly provider: kubernetes.Provider;

  constructor(name: string, args: DigitalOceanKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:DigitalOceanKubernetes", name, {}, opts);
    const child = { parent: this };
    const [first, ...others] = args.plan.nodePools;
    if (!first) throw new Error("the plan has a Kubernetes tier without node pools");

    // The newest patch of the planned minor, as the provider's docs advise: a fixed slug would
    // show a diff after every automatic patch upgrade.
    const version = digitalocean.getKubernetesVersionsOutput({ versionPrefix: `${args.plan.version}.` }, child).apply((v) => {
      if (!v.latestVersion) throw new Error(`DigitalOcean offers no Kubernetes ${args.plan.version} release in this account (doctl kubernetes options versions lists those it does): set kubernetes.version to one it offers`);
      return v.latestVersion;
    });
    const cluster = new digitalocean.KubernetesCluster(
      name,
      {
        name: `${args.stack}-k8s`,
        region: args.region,
        version,
        vpcUuid: args.vpcId,
        clusterSubnet: args.plan.podCidr,
        serviceSubnet: args.plan.serviceCidr,
        ha: args.plan.highAvailability,
        autoUpgrade: true,
        surgeUpgrade: true,
        maintenancePolicy: MAINTENANCE_WINDOW,
        // The first planned pool is the cluster's own, which DOKS never lets go: the provider
        // replaces the whole cluster when its size changes (ForceNew in its node pool schema),
        // so resize it by adding a pool, not by editing this one.
        nodePool: poolArgs(args.stack, first),
        tags: [stackTag(args.stack)],
      },
      child,
    );
    for (const pool of others) {
      new digitalocean.KubernetesNodePool(`${name}-pool-${pool.name}`, { clusterId: cluster.id, ...poolArgs(args.stack, pool) }, child);
    }

    // Credentials fetched afresh on every run, by name once the cluster exists: the kubeconfig
    // the cluster resource keeps in its state holds a token that expires after 7 days and is
    // renewed only by `pulumi refresh`, after which every `pulumi up` would fail to reach the
    // cluster. Keyed on the id, so nothing is looked up before the cluster is created.
    const existing = pulumi.all([cluster.id, cluster.name]).apply(([, clusterName]) => clusterName);
    const credentials = digitalocean.getKubernetesClusterOutput({ name: existing, kubeconfigExpireSeconds: KUBECONFIG_EXPIRE_SECONDS }, child);
    const kubeconfig = pulumi.secret(credentials.kubeConfigs.apply((c) => {
      const raw = c[0]?.rawConfig;
      if (!raw) throw new Error(`DigitalOcean returned no kubeconfig for the cluster ${args.stack}-k8s`);
      return raw;
    }));
    // Replaced only with the cluster: a fresh token in the kubeconfig is an update, never a
    // reason to recreate every object on the cluster.
    this.provider = new kubernetes.Provider(`${name}-provider`, { kubeconfig, clusterIdentifier: cluster.id }, child);

    this.clusterId = cluster.id;
    this.endpoint = cluster.endpoint;
    this.clusterUrn = cluster.clusterUrn;
    this.version = cluster.version;
    this.registerOutputs({ clusterId: this.clusterId, endpoint: this.endpoint });
  }
}
