// The stack's private network: one cloud subnet over the whole range, so the plan's static
// addresses (hosts from x.y.1.10, the load balancer at x.y.0.5) all fall inside it, and, when an
// IPv6-only host needs IPv4, the route that sends it through the gateway host.
//
// Hetzner Cloud networks are routed at layer 3: a server sends every packet for the network to the
// network's first address (docs.hetzner.com/networking/networks/technical-concepts/architecture),
// so a default route on the IPv6-only hosts alone reaches nothing — the network itself must know
// 0.0.0.0/0 → the gateway host. The API allows exactly that destination besides RFC 1918 ranges
// (Hetzner Cloud API, Route.destination: "private IPv4 ranges of RFC1918 or 0.0.0.0/0"; the
// gateway may not be the network's first address). The hosts' side is in
// plan/render/cloud-init/network.ts: the gateway forwards and masquerades the private range, the
// IPv6-only hosts route IPv4 via the network's first address.
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { hcloudId } from "./common";

/** Network zones by location (docs.hetzner.com/cloud/networks/faq, checked 2026-11-24). */
const NETWORK_ZONES: Readonly<Record<string, string>> = {
  fsn1: "eu-central",
  nbg1: "eu-central",
  hel1: "eu-central",
  ash: "us-east",
  hil: "us-west",
  sin: "ap-southeast",
};

export function networkZone(location: string): string {
  const zone = NETWORK_ZONES[location];
  if (!zone) throw new Error(`no Hetzner network zone known for location "${location}" (known: ${Object.keys(NETWORK_ZONES).join(", ")})`);
  return zone;
}

export interface HetznerNetworkArgs {
  /** Hetzner name of the network: the stack's name. */
  networkName: string;
  /** network.privateCidr. */
  ipRange: string;
  /** The stack's location (provider.region). */
  location: string;
  labels: Record<string, string>;
  /** Private address of the host that forwards IPv4 for the IPv6-only hosts (network.ipv4Egress.gateway). */
  egressGateway?: string;
}

export class HetznerNetwork extends pulumi.ComponentResource {
  public readonly networkId: pulumi.Output<number>;
  /** Servers and the load balancer attach by subnet id: that orders them after the subnet exists. */
  public readonly subnetId: pulumi.Output<string>;
  public readonly ipRange: string;

  constructor(name: string, args: HetznerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:network:HetznerNetwork", name, {}, opts);
    const network = new hcloud.Network(`${name}-network`, { name: args.networkName, ipRange: args.ipRange, labels: args.labels }, { parent: this });
    this.networkId = hcloudId(network.id);
    // The whole range as one subnet: the API takes any subnet of the network's range, itself
    // included (API: Subnet.ip_range "must be a subnet of the parent Network's ip_range").
    const subnet = new hcloud.NetworkSubnet(
      `${name}-subnet`,
      { networkId: this.networkId, type: "cloud", networkZone: networkZone(args.location), ipRange: args.ipRange },
      { parent: this },
    );
    this.subnetId = subnet.id;
    if (args.egressGateway) {
      new hcloud.NetworkRoute(`${name}-ipv4-egress`, { networkId: this.networkId, destination: "0.0.0.0/0", gateway: args.egressGateway }, { parent: this });
    }
    this.ipRange = args.ipRange;
    this.registerOutputs({ networkId: this.networkId, subnetId: this.subnetId });
  }
}
