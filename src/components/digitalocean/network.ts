// The stack's private network. Droplets, the load balancer and the managed databases all join
// it, so traffic between tiers never leaves DigitalOcean's private fabric and the database
// clusters are reached on their private hostnames.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";

export interface DigitalOceanNetworkArgs {
  /** VPC names are unique per account, so the stack name and region go into it. */
  vpcName: string;
  region: string;
  /** network.privateCidr: the range the plan's rules and nginx's real-IP trust refer to. */
  ipRange: string;
}

export class DigitalOceanNetwork extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly ipRange: pulumi.Output<string>;

  constructor(name: string, args: DigitalOceanNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:network:DigitalOceanNetwork", name, {}, opts);
    const vpc = new digitalocean.Vpc(
      name,
      { name: args.vpcName, region: args.region, ipRange: args.ipRange, description: `Mastodon stack ${args.vpcName}, managed by mastodon-stack` },
      { parent: this },
    );
    this.vpcId = vpc.id;
    this.ipRange = vpc.ipRange;
    this.registerOutputs({ vpcId: this.vpcId, ipRange: this.ipRange });
  }
}
