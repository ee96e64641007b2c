// Media on Spaces: the bucket, the CORS rule browsers need to fetch media from the web domain,
// the CDN in front of it when the stack asks for one, and a key that can touch only this bucket.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import { dataProtection } from "../protection";

/** Media objects never change under one key, so edge caches may keep them an hour. */
const CDN_TTL_SECONDS = 3600;

export interface SpacesStorageArgs {
  /** Names the key after the stack. */
  stack: string;
  bucket: string;
  region: string;
  cdn: boolean;
  /** https://<web domain>: the only origin whose pages load media with CORS. */
  webOrigin: string;
  protectData: boolean;
}

export class SpacesStorage extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** The CDN's host name (S3_ALIAS_HOST), when there is a CDN. */
  public readonly cdnHost?: pulumi.Output<string>;
  /** Where media is served from: the CDN, else the bucket's own host. */
  public readonly publicHost: pulumi.Output<string>;
  public readonly accessKeyId: pulumi.Output<string>;
  public readonly secretAccessKey: pulumi.Output<string>;

  constructor(name: string, args: SpacesStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:storage:SpacesStorage", name, {}, opts);
    const child = { parent: this };

    // Private by default: Mastodon uploads each object with a public-read ACL of its own, so
    // nothing else in the bucket (such as an admin's stray upload) is listed or served.
    const bucket = new digitalocean.SpacesBucket(name, { name: args.bucket, region: args.region, acl: "private" }, { ...child, ...dataProtection(args.protectData) });
    new digitalocean.SpacesBucketCorsConfiguration(
      `${name}-cors`,
      { bucket: bucket.name, region: args.region, corsRules: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: [args.webOrigin] }] },
      child,
    );
    if (args.cdn) {
      const cdn = new digitalocean.Cdn(`${name}-cdn`, { origin: bucket.bucketDomainName, ttl: CDN_TTL_SECONDS }, child);
      this.cdnHost = cdn.endpoint;
    }
    // Read and write on this bucket only: a leaked key cannot reach the account's other Spaces.
    const key = new digitalocean.SpacesKey(`${name}-key`, { name: `${args.stack}-media`, grants: [{ bucket: bucket.name, permission: "readwrite" }] }, child);

    this.bucketName = bucket.name;
    this.publicHost = this.cdnHost ?? bucket.bucketDomainName;
    this.accessKeyId = pulumi.secret(key.accessKey);
    this.secretAccessKey = pulumi.secret(key.secretKey);
    this.registerOutputs({ bucketName: this.bucketName, publicHost: this.publicHost });
  }
}
