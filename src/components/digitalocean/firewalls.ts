// The pure firewall rules (../firewall-rules.ts) as DigitalOcean Cloud Firewalls: one per group,
// attached to that group's droplets by id. This file only translates sources into DigitalOcean's
// terms; which port opens to whom is decided there, never here.
//
// Unlike Hetzner's, DigitalOcean Cloud Firewalls filter the VPC interface too, so rules from the
// private network are real rules here. And a Cloud Firewall that holds no outbound rule blocks
// all egress of its droplets, so the base group (every host) carries the outbound rules.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import { WORLD, type FirewallGroup, type PortRule, type Source } from "../firewall-rules";

export interface DigitalOceanFirewallsArgs {
  stack: string;
  /** firewallGroups(spec, plan). */
  groups: FirewallGroup[];
  adminCidrs: string[];
  /** network.privateCidr: the VPC's range. */
  privateCidr: string;
  /** Numeric droplet id per host name. */
  dropletIds: Readonly<Record<string, pulumi.Input<number>>>;
  /** The load balancer's id, when rules admit traffic from it. */
  loadBalancerId?: pulumi.Input<string>;
}

type Sources = Pick<digitalocean.types.input.FirewallInboundRule, "sourceAddresses" | "sourceLoadBalancerUids">;

function sourcesOf(source: Source, args: DigitalOceanFirewallsArgs): Sources {
  switch (source) {
    case "admin":
      return { sourceAddresses: args.adminCidrs };
    case "private":
      return { sourceAddresses: [args.privateCidr] };
    case "world":
      return { sourceAddresses: WORLD };
    case "loadBalancer":
      if (args.loadBalancerId === undefined) throw new Error("a firewall rule admits the load balancer, but the stack has none");
      return { sourceLoadBalancerUids: [args.loadBalancerId] };
  }
}

export function inboundRules(rules: readonly PortRule[], args: DigitalOceanFirewallsArgs): digitalocean.types.input.FirewallInboundRule[] {
  // DigitalOcean wants a port range for tcp and udp and none for icmp.
  return rules.map((r) => ({ protocol: r.protocol, ...(r.protocol === "icmp" ? {} : { portRange: r.ports }), ...sourcesOf(r.source, args) }));
}

/** Egress is unrestricted: hosts fetch packages, federate with any instance, and send mail. */
export const OUTBOUND: digitalocean.types.input.FirewallOutboundRule[] = [
  { protocol: "tcp", portRange: "1-65535", destinationAddresses: WORLD },
  { protocol: "udp", portRange: "1-65535", destinationAddresses: WORLD },
  { protocol: "icmp", destinationAddresses: WORLD },
];

export class DigitalOceanFirewalls extends pulumi.ComponentResource {
  /** Firewall id per group. */
  public readonly ids: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: DigitalOceanFirewallsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:firewall:DigitalOceanFirewalls", name, {}, opts);
    this.ids = {};
    for (const g of args.groups) {
      const dropletIds = g.hosts.map((h) => {
        const id = args.dropletIds[h];
        if (id === undefined) throw new Error(`firewall group ${g.group} names host ${h}, which has no droplet`);
        return id;
      });
      const firewall = new digitalocean.Firewall(
        `${name}-${g.group}`,
        {
          name: `${args.stack}-${g.group}`,
          dropletIds,
          inboundRules: inboundRules(g.rules, args),
          ...(g.group === "base" ? { outboundRules: OUTBOUND } : {}),
        },
        { parent: this },
      );
      this.ids[g.group] = firewall.id;
    }
    this.registerOutputs({ ids: this.ids });
  }
}
