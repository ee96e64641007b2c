// The instance's records in a DigitalOcean zone (the domain must already be added to the
// account; we never create or delete the zone itself, which holds records we do not own).
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import { relativeName, type DnsRecord } from "../dns-records";

export interface DigitalOceanDnsArgs {
  zone: string;
  records: DnsRecord<pulumi.Output<string>>[];
}

const TTL_SECONDS = 300;

export class DigitalOceanDns extends pulumi.ComponentResource {
  public readonly fqdns: pulumi.Output<string[]>;

  constructor(name: string, args: DigitalOceanDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:dns:DigitalOceanDns", name, {}, opts);
    const created = args.records.map(
      (r) =>
        new digitalocean.DnsRecord(
          `${name}-${r.key}`,
          { domain: args.zone, name: relativeName(r.name, args.zone), type: r.type, value: r.value, ttl: TTL_SECONDS },
          { parent: this },
        ),
    );
    this.fqdns = pulumi.all(created.map((c) => c.fqdn)).apply((n) => [...new Set(n)].sort());
    this.registerOutputs({ fqdns: this.fqdns });
  }
}
