// Mastodon's official chart as a Helm release, between its migrations in the order the VM tier
// upgrades (../host/release.ts): the "pre" Job (db:prepare — the schema on a new database, the
// pre-deployment migrations on an existing one) runs to completion, then the release rolls the
// pods over to the new version and waits for them, then the "post" Job runs the post-deployment
// migrations the old pods could not have survived. The chart's own migration hooks are off
// (chart-values.ts says why); Jobs and values come from the pure builders.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import { chartValues } from "../../plan/kubernetes/chart-values";
import type { ClusterEndpoints } from "../../plan/kubernetes/cluster-endpoints";
import { MIGRATION_DEADLINE_SECONDS, migrationJobs, type JobManifest } from "../../plan/kubernetes/manifests/migrations";
import type { Plan } from "../../plan/types";
import type { Spec } from "../../spec/schema/stack";
import { inNamespace } from "./custom-resource";

export interface MastodonChartArgs {
  spec: Spec;
  plan: Plan;
  endpoints: ClusterEndpoints<pulumi.Input<string>>;
  namespace: pulumi.Output<string>;
  provider: kubernetes.Provider;
  /** What the first migration needs: the Secrets, the database handed to the application user, the data services. */
  after: pulumi.Input<pulumi.Resource>[];
  /** What the release itself waits for besides the "pre" Job (the cluster add-ons). */
  releaseAfter: pulumi.Input<pulumi.Resource>[];
}

/**
 * Helm's wait for every Deployment to be ready: image pulls on new nodes the autoscaler is still
 * adding, then Puma's boot. Past it, the atomic release rolls back to the running version.
 */
export const RELEASE_TIMEOUT_SECONDS = 20 * 60;
/** Revisions Helm keeps (Secrets in the namespace): enough to roll back across a few upgrades. */
export const RELEASE_MAX_HISTORY = 10;

/** Pulumi waits for a migration Job to succeed, at most as long as its own deadline (and a little). */
const jobTimeout = `${Math.ceil(MIGRATION_DEADLINE_SECONDS / 60) + 5}m`;

export class MastodonChart extends pulumi.ComponentResource {
  public readonly release: kubernetes.helm.v3.Release;
  public readonly preMigration: kubernetes.batch.v1.Job;
  public readonly postMigration: kubernetes.batch.v1.Job;
  /** The post-migration Job's manifest: what later one-off Jobs start from. */
  public readonly postManifest: JobManifest<pulumi.Input<string>>;

  constructor(name: string, args: MastodonChartArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Release", name, {}, opts);
    const k = args.plan.kubernetes;
    if (!k) throw new Error("MastodonChart needs a plan with a Kubernetes tier");
    const child = { parent: this, provider: args.provider };
    const jobs = migrationJobs(args.spec, args.plan, args.endpoints);
    this.postManifest = jobs.post;
    const job = (phase: "pre" | "post", m: JobManifest<pulumi.Input<string>>, dependsOn: pulumi.Input<pulumi.Resource>[]) =>
      new kubernetes.batch.v1.Job(
        `${name}-migrate-${phase}`,
        inNamespace(m, args.namespace) as kubernetes.batch.v1.JobArgs,
        // A Job's name carries the version, so an upgrade replaces it (and so runs it); the same version never runs twice.
        { ...child, dependsOn, customTimeouts: { create: jobTimeout, update: jobTimeout } },
      );

    this.preMigration = job("pre", jobs.pre, args.after);
    this.release = new kubernetes.helm.v3.Release(
      name,
      {
        name: k.release,
        chart: k.chart.name,
        version: k.chart.version,
        repositoryOpts: { repo: k.chart.repository },
        namespace: args.namespace,
        values: chartValues(args.spec, args.plan, args.endpoints),
        timeout: RELEASE_TIMEOUT_SECONDS,
        maxHistory: RELEASE_MAX_HISTORY,
        // A release whose pods never become ready goes back to the running version: the
        // pre-deployment migrations it already ran are the kind the old version runs on.
        atomic: true,
        cleanupOnFail: true,
      },
      { ...child, dependsOn: [this.preMigration, ...args.releaseAfter] },
    );
    this.postMigration = job("post", jobs.post, [this.release]);
    this.registerOutputs({ status: this.release.status });
  }
}
