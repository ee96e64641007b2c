// Media on Cloudflare R2: the bucket, CORS for the web app, and the public host media URLs use
// (S3_ALIAS_HOST). R2's S3 API never serves anonymous reads, so a public host is required: the
// custom domain when the zone is on Cloudflare, else the bucket's r2.dev host (rate-limited by
// Cloudflare and meant for light use: the plan warns about it).
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { dataProtection } from "../protection";

export interface R2StorageArgs {
  accountId: pulumi.Input<string>;
  bucket: string;
  /** Origin allowed to fetch media from scripts: https://<web domain>. */
  webOrigin: string;
  customDomain?: { domain: string; zoneId: pulumi.Input<string> };
  protectData: boolean;
}

export class R2Storage extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** S3_ALIAS_HOST: the custom domain or the r2.dev host. */
  public readonly publicHost: pulumi.Output<string>;
  /** The account id, for the S3 endpoint https://<account>.r2.cloudflarestorage.com. */
  public readonly accountId: pulumi.Output<string>;

  constructor(name: string, args: R2StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:storage:R2Storage", name, {}, opts);
    const parent = { parent: this };
    const bucket = new cloudflare.R2Bucket(name, { accountId: args.accountId, name: args.bucket }, { ...parent, ...dataProtection(args.protectData) });
    new cloudflare.R2BucketCors(
      name,
      {
        accountId: args.accountId,
        bucketName: bucket.name,
        rules: [{ allowed: { methods: ["GET", "HEAD"], origins: [args.webOrigin] }, maxAgeSeconds: 3600 }],
      },
      parent,
    );
    if (args.customDomain) {
      const domain = new cloudflare.R2CustomDomain(
        name,
        { accountId: args.accountId, bucketName: bucket.name, domain: args.customDomain.domain, zoneId: args.customDomain.zoneId, enabled: true, minTls: "1.2" },
        parent,
      );
      this.publicHost = domain.domain;
    } else {
      this.publicHost = new cloudflare.R2ManagedDomain(name, { accountId: args.accountId, bucketName: bucket.name, enabled: true }, parent).domain;
    }
    this.bucketName = bucket.name;
    this.accountId = pulumi.output(args.accountId);
    this.registerOutputs({ bucketName: this.bucketName, publicHost: this.publicHost });
  }
}
