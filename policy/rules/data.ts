// What holds the instance's data carries Pulumi's protect, so `pulumi destroy` or a change that
// would replace it stops instead of deleting it: a Postgres cluster, every volume, the media
// bucket (Spaces or R2), and a server keeping Postgres on its own disk — which the program marks
// on the provider's side (src/components/protection.ts), since nothing else in the server's
// inputs says where its database lives. Only the stack file's protectData: false lets them go
// unprotected.
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as hcloud from "@pulumi/hcloud";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { DATA_ON_DISK } from "../../src/components/protection";
import type { PackContext } from "../context";

const DATA_POLICY = "data-is-protected";

function dataMessage(what: string, source: PackContext["source"]): string {
  const read = "file" in source ? `${source.file} keeps it true` : `none was read: ${source.unread}`;
  return `${what} holds the instance's data but is not protected: pulumi destroy or a replacing change would delete it. Only protectData: false in the stack file allows that, and ${read}`;
}

/** What a resource is when it holds data, or undefined when it holds none (or is not ours to judge). */
function dataHeld(args: ResourceValidationArgs): string | undefined {
  const cluster = args.asType(digitalocean.DatabaseCluster);
  if (cluster) return cluster.engine === "pg" ? "the Postgres cluster" : undefined;
  if (args.isType(digitalocean.Volume) || args.isType(hcloud.Volume)) return "the volume";
  if (args.isType(digitalocean.SpacesBucket)) return "the Spaces bucket";
  if (args.isType(cloudflare.R2Bucket)) return "the R2 bucket";
  const droplet = args.asType(digitalocean.Droplet);
  if (droplet) return (droplet.tags ?? []).includes(DATA_ON_DISK.tag) ? "the droplet keeping Postgres on its own disk" : undefined;
  const server = args.asType(hcloud.Server);
  if (server) return server.labels?.[DATA_ON_DISK.label] === DATA_ON_DISK.value ? "the server keeping Postgres on its own disk" : undefined;
  return undefined;
}

export function dataIsProtected(ctx: PackContext): ResourceValidationPolicy {
  return {
    name: DATA_POLICY,
    description: "The Postgres cluster or the server keeping Postgres on its disk, volumes and media buckets are protected, unless the stack file sets protectData: false.",
    validateResource: (args, report) => {
      const what = dataHeld(args);
      if (what === undefined) return args.notApplicable("holds none of the instance's data");
      if (!ctx.protectData && "file" in ctx.source) return args.notApplicable(`protectData: false in ${ctx.source.file}`);
      if (!args.opts.protect) report(dataMessage(what, ctx.source));
    },
  };
}
