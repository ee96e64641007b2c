// Mastodon on the Kubernetes tier's cluster, every object through the cluster's provider: its
// namespace, the add-ons (cert-manager, KEDA), the Secrets, the database handed to the
// application user, the migrations around the chart's release, the owner account and the
// registrations mode, the Gateway users reach, and the autoscalers. What the objects are comes from the pure builders (plan/kubernetes/); this only
// creates them, fills in what exists once the cloud resources do, and orders them.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import { DO_DIRECT_PORT } from "../../plan/endpoints";
import { endpointsFromOutputs, type ClusterEndpoints } from "../../plan/kubernetes/cluster-endpoints";
import { ownLabels, SECRETS } from "../../plan/kubernetes/names";
import type { Plan } from "../../plan/types";
import type { Spec } from "../../spec/schema/stack";
import type { ClusterHandle, ProviderContribution } from "../contract";
import { ClusterAddons } from "./addons";
import { DatabaseSetupJob } from "./database-setup";
import { MastodonChart } from "./release";
import { MastodonRouting } from "./routing";
import { MastodonScaling } from "./scaling";
import { MastodonSecrets } from "./secrets";
import { MastodonTootctl } from "./tootctl";

type Values = Readonly<Record<string, pulumi.Output<string>>>;

export interface MastodonOnKubernetesArgs {
  spec: Spec;
  plan: Plan;
  cluster: ClusterHandle;
  /** The provider's outputs by name (postgres.host, redis.host, media.cdnHost, …). */
  outputs: Values;
  /** Secret values by marker (SECRET_KEY_BASE, DB_PASS, …). */
  secrets: Values;
  managedPostgres: NonNullable<ProviderContribution["managedPostgres"]>;
  /** The managed services' clusters, users, pools and trusted sources: nothing connects before they exist. */
  dataReady: pulumi.Resource[];
}

/**
 * Pod Security for the namespace: every pod must at least meet "baseline" (no host access, no
 * privileged containers); what falls short of "restricted" is reported on admission.
 */
export const POD_SECURITY = {
  "pod-security.kubernetes.io/enforce": "baseline",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
} as const;

export class MastodonOnKubernetes extends pulumi.ComponentResource {
  /** The Gateway load balancer's public address: what the DNS names point at. */
  public readonly address: pulumi.Output<string>;
  public readonly chart: MastodonChart;

  constructor(name: string, args: MastodonOnKubernetesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Mastodon", name, {}, opts);
    const { spec, plan } = args;
    const k = plan.kubernetes;
    if (!k) throw new Error("MastodonOnKubernetes needs a plan with a Kubernetes tier");
    const provider = args.cluster.provider;
    const child = { parent: this };

    const ns = new kubernetes.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: { name: k.namespace, labels: { ...ownLabels(k.release, "namespace"), ...POD_SECURITY } } },
      { parent: this, provider },
    );
    const namespace = ns.metadata.name;
    const addons = new ClusterAddons(`${name}-addons`, { addons: k.addons, provider }, child);
    const addon = (chart: string): kubernetes.helm.v3.Release => {
      const r = addons.releases[chart];
      if (!r) throw new Error(`the plan installs no ${chart}, which the Kubernetes tier needs`);
      return r;
    };
    const secrets = new MastodonSecrets(`${name}-secrets`, { spec, plan, namespace, provider, secrets: args.secrets, outputs: args.outputs }, child);

    const database = new DatabaseSetupJob(
      `${name}-database`,
      {
        namespace,
        provider,
        host: args.managedPostgres.host,
        port: DO_DIRECT_PORT,
        adminPassword: args.managedPostgres.adminPassword,
        caSecret: { name: SECRETS.postgresCa.name, key: SECRETS.postgresCa.keys[0] },
        postgresVersion: plan.services.postgres.version,
        user: spec.postgres.user,
        database: spec.postgres.database,
        labels: ownLabels(k.release, "database-setup"),
        after: [secrets.secret("postgresCa"), ...args.dataReady],
      },
      child,
    );

    const required = (key: string): pulumi.Output<string> => {
      const v = args.outputs[key];
      if (!v) throw new Error(`the Kubernetes tier needs ${key}, which the provider did not give`);
      return v;
    };
    const endpoints: ClusterEndpoints<pulumi.Input<string>> = endpointsFromOutputs(spec, required, (...parts) => pulumi.concat(...parts), secrets.revision);

    this.chart = new MastodonChart(
      `${name}-release`,
      {
        spec,
        plan,
        endpoints,
        namespace,
        provider,
        after: [database.job, ...Object.values(secrets.byKind), ...args.dataReady],
        releaseAfter: [addon("cert-manager"), addon("keda")],
      },
      child,
    );
    new MastodonTootctl(
      `${name}-tootctl`,
      {
        release: k.release,
        base: this.chart.postManifest,
        namespace,
        provider,
        ...(spec.mastodon.admin ? { admin: spec.mastodon.admin } : {}),
        registrations: spec.mastodon.registrations,
        after: [this.chart.postMigration],
      },
      child,
    );
    const routing = new MastodonRouting(`${name}-routing`, { spec, plan, namespace, provider, certManager: addon("cert-manager") }, child);
    new MastodonScaling(`${name}-scaling`, { plan, endpoints, namespace, provider, keda: addon("keda"), release: this.chart.release, redisSecret: secrets.secret("redis") }, child);

    this.address = routing.address;
    this.registerOutputs({ address: this.address });
  }
}
