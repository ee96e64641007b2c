// The pure firewall rules (../firewall-rules.ts) as Hetzner Cloud Firewalls: one per group, each
// attached to the group's hosts by hosts.ts.
//
// Hetzner Cloud Firewalls filter only a server's public interfaces; traffic on a private network
// never meets them. So a rule whose source is the private network has nothing to open here (the
// services listen on private addresses only, and the public side stays closed by the implicit
// inbound deny), and the load balancer reaches its targets over the private network
// (usePrivateIp), so "HTTP(S) from the load balancer only" means no public rule either. A group
// left without rules gets no firewall: Hetzner allows at most 5 per server
// (docs.hetzner.com/cloud/firewalls/faq), and an empty one would say nothing.
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { WORLD, type FirewallGroup, type PortRule, type Source } from "../firewall-rules";
import { hcloudId, stackLabels } from "./common";


/** Hetzner allows no more firewalls on one server. */
const MAX_FIREWALLS_PER_SERVER = 5;

export interface HetznerFirewallsArgs {
  stack: string;
  /** firewallGroups(spec, plan). */
  groups: FirewallGroup[];
  adminCidrs: string[];
}

/** Public source addresses for a rule, or undefined when the rule only concerns the private network. */
function publicSources(source: Source, adminCidrs: string[]): string[] | undefined {
  switch (source) {
    case "admin":
      return adminCidrs;
    case "world":
      return WORLD;
    case "private":
    case "loadBalancer":
      return undefined;
  }
}

export function hetznerRules(rules: readonly PortRule[], adminCidrs: string[]): hcloud.types.input.FirewallRule[] {
  return rules.flatMap((r) => {
    const sourceIps = publicSources(r.source, adminCidrs);
    if (!sourceIps) return [];
    // Hetzner wants a port for tcp and udp and refuses one for icmp.
    return [{ direction: "in", protocol: r.protocol, ...(r.protocol === "icmp" ? {} : { port: r.ports }), sourceIps, description: r.why }];
  });
}

export class HetznerFirewalls extends pulumi.ComponentResource {
  /** Firewall id per group that has a rule Hetzner applies. */
  public readonly ids: Record<string, pulumi.Output<number>>;
  /** Firewall ids per host name, in group order: what each server is created with. */
  public readonly byHost: Record<string, pulumi.Output<number>[]>;

  constructor(name: string, args: HetznerFirewallsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:firewall:HetznerFirewalls", name, {}, opts);
    this.ids = {};
    this.byHost = {};
    for (const g of args.groups) {
      const rules = hetznerRules(g.rules, args.adminCidrs);
      if (rules.length === 0) continue;
      const firewall = new hcloud.Firewall(`${name}-${g.group}`, { name: `${args.stack}-${g.group}`, rules, labels: stackLabels(args.stack) }, { parent: this });
      const id = hcloudId(firewall.id);
      this.ids[g.group] = id;
      for (const h of g.hosts) (this.byHost[h] ??= []).push(id);
    }
    for (const [host, ids] of Object.entries(this.byHost)) {
      if (ids.length > MAX_FIREWALLS_PER_SERVER) throw new Error(`host ${host} would need ${ids.length} Hetzner firewalls; a server takes at most ${MAX_FIREWALLS_PER_SERVER}`);
    }
    this.registerOutputs({ ids: this.ids });
  }
}
