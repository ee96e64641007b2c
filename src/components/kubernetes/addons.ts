// The cluster add-ons the Mastodon objects need, as Helm releases pinned to the versions the plan
// names: cert-manager (Let's Encrypt certificates for the Gateway, and the ClusterIssuer's CRD)
// and KEDA (Sidekiq scaled on its queues, and the ScaledObject's CRD). Each in its own namespace.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import type { KubernetesPlan } from "../../plan/types";

export type AddonPlan = KubernetesPlan["addons"][number];

export interface ClusterAddonsArgs {
  addons: readonly AddonPlan[];
  provider: kubernetes.Provider;
}

/** Helm's wait for an add-on's Deployments and webhooks to be ready. */
export const ADDON_TIMEOUT_SECONDS = 600;
/** Release revisions Helm keeps (its Secrets in the add-on's namespace): enough to roll back a few upgrades. */
export const MAX_HISTORY = 5;

type Values = Record<string, unknown>;

/**
 * What we set on each chart, by chart name. cert-manager (values of charts.jetstack.io's
 * cert-manager, 1.15 and later): its CRDs from the chart and kept on uninstall (deleting them
 * would delete every certificate), and its Gateway API support, which reads HTTPRoutes for
 * HTTP-01 challenges and the Gateway's listeners for certificates (off by default; DOKS installs
 * the Gateway API CRDs it needs). KEDA installs its CRDs itself and needs nothing.
 */
export const ADDON_VALUES: Readonly<Record<string, Values>> = {
  "cert-manager": {
    crds: { enabled: true, keep: true },
    config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true },
  },
  keda: {},
};

export class ClusterAddons extends pulumi.ComponentResource {
  /** Each add-on's release by its chart name: what objects of its CRDs wait for. */
  public readonly releases: Readonly<Record<string, kubernetes.helm.v3.Release>>;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Addons", name, {}, opts);
    const releases: Record<string, kubernetes.helm.v3.Release> = {};
    for (const a of args.addons) {
      const values = ADDON_VALUES[a.chart];
      if (values === undefined) throw new Error(`the plan names a cluster add-on ${a.name} (chart ${a.chart}) the program does not know how to configure`);
      releases[a.chart] = new kubernetes.helm.v3.Release(
        `${name}-${a.name}`,
        {
          // A fixed release name: Helm's own objects and the add-on's Services keep theirs.
          name: a.name,
          chart: a.chart,
          version: a.version,
          repositoryOpts: { repo: a.repository },
          namespace: a.namespace,
          createNamespace: true,
          values,
          timeout: ADDON_TIMEOUT_SECONDS,
          maxHistory: MAX_HISTORY,
          // A failed upgrade rolls back rather than leaving webhooks half-replaced.
          atomic: true,
          cleanupOnFail: true,
        },
        { parent: this, provider: args.provider },
      );
    }
    this.releases = releases;
    this.registerOutputs({});
  }
}
