// What the VM tier does with tootctl after its migrations (../host/admin.ts), as Jobs on the
// cluster: the owner account of a new instance, and the registrations mode. Each runs the
// release's image with the post-migration Job's environment (Sidekiq's, so Rails boots as it
// does in the pods), and only once: a Job's name says what it did, and later changes to its pod
// (a new image on upgrade) are ignored, so an upgrade never repeats either. The mode is in its
// Job's name, so a new mode in the stack file runs a new Job — a change made in the admin UI
// stands until then.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import type { JobManifest } from "../../plan/kubernetes/manifests/migrations";
import { chartFullName } from "../../plan/kubernetes/names";
import { shellQuote } from "../../plan/render/shell";
import { adminArgs, registrationsArgs } from "../host/admin";
import { inNamespace } from "./custom-resource";
import type { Spec } from "../../spec/schema/stack";

type Registrations = Spec["mastodon"]["registrations"];

const tootctl = (args: string[]) => ["bin/tootctl", ...args].map(shellQuote).join(" ");

/**
 * The owner account, created confirmed and approved, or made owner if it exists. tootctl prints
 * the generated password, which a pod's log would keep in the clear for anyone who may read
 * logs: it is discarded, and the owner sets one with "Forgot your password?" (mail) or
 * `tootctl accounts modify --reset-password` in a pod.
 */
export function adminScript(username: string, email: string): string {
  const a = adminArgs(username, email);
  return `${tootctl(a.create)} >/dev/null || ${tootctl(a.modify)}`;
}

/**
 * A Job from the post-migration one: same image, environment and pod, its own name and command —
 * and kept once finished: were Kubernetes to delete it, a `pulumi refresh` would see it gone and
 * the next `pulumi up` would run it again (resetting a registrations mode changed in the admin UI).
 */
export function tootctlJob<T>(base: JobManifest<T>, name: string, command: string[]): JobManifest<T> {
  const { ttlSecondsAfterFinished: _kept, ...spec } = base.spec!;
  const pod = spec.template.spec!;
  const [container] = pod.containers;
  if (!container) throw new Error(`${base.metadata.name} has no container`);
  const labels = { ...base.metadata.labels, "app.kubernetes.io/component": name };
  return {
    ...base,
    metadata: { ...base.metadata, name, labels },
    spec: { ...spec, template: { ...spec.template, metadata: { labels }, spec: { ...pod, containers: [{ ...container, name, command }] } } },
  };
}

export interface MastodonTootctlArgs {
  release: string;
  /** The post-migration Job's manifest. */
  base: JobManifest<pulumi.Input<string>>;
  namespace: pulumi.Output<string>;
  admin?: { username: string; email: string };
  registrations?: Registrations;
  provider: kubernetes.Provider;
  /** The post-migration Job: the schema these need is in place. */
  after: pulumi.Resource[];
}

export class MastodonTootctl extends pulumi.ComponentResource {
  constructor(name: string, args: MastodonTootctlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Tootctl", name, {}, opts);
    const full = chartFullName(args.release);
    const job = (suffix: string, jobName: string, script: string) =>
      new kubernetes.batch.v1.Job(
        `${name}-${suffix}`,
        inNamespace(tootctlJob(args.base, jobName, ["sh", "-c", script]), args.namespace) as kubernetes.batch.v1.JobArgs,
        { parent: this, provider: args.provider, dependsOn: args.after, ignoreChanges: ["spec"], customTimeouts: { create: "15m" } },
      );
    if (args.admin) job("admin", `${full}-admin`, adminScript(args.admin.username, args.admin.email));
    if (args.registrations) job("registrations", `${full}-registrations-${args.registrations}`, tootctl(registrationsArgs(args.registrations)));
    this.registerOutputs({});
  }
}
