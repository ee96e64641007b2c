// The instance's records in a Cloudflare zone. Not proxied: Mastodon's streaming websockets, the
// PROXY-protocol load balancer and ACME HTTP-01 all expect clients to reach the origin directly.
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import type { DnsRecord } from "../dns-records";

export interface CloudflareDnsArgs {
  zoneId: string;
  records: DnsRecord<pulumi.Output<string>>[];
}

const TTL_SECONDS = 300;

export class CloudflareDns extends pulumi.ComponentResource {
  public readonly names: pulumi.Output<string[]>;

  constructor(name: string, args: CloudflareDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:dns:CloudflareDns", name, {}, opts);
    const created = args.records.map(
      (r) =>
        new cloudflare.DnsRecord(
          `${name}-${r.key}`,
          // TXT content goes quoted, as Cloudflare recommends for values with spaces.
          { zoneId: args.zoneId, name: r.name, type: r.type, content: r.type === "TXT" ? pulumi.output(r.value).apply((v) => `"${v}"`) : r.value, ttl: TTL_SECONDS, proxied: false },
          { parent: this },
        ),
    );
    this.names = pulumi.all(created.map((c) => c.name)).apply((n) => [...new Set(n)].sort());
    this.registerOutputs({ names: this.names });
  }
}
