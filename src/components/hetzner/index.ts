// Hetzner Cloud: the private network, the role firewalls, the servers, and the load balancer
// when the stack has one — in that order, because servers are created with their network and
// firewalls attached, and the load balancer targets the servers.
import type * as pulumi from "@pulumi/pulumi";
import type { ProviderFactory } from "../contract";
import { firewallGroups } from "../firewall-rules";
import { stackLabels } from "./common";
import { HetznerFirewalls } from "./firewalls";
import { HetznerHosts } from "./hosts";
import { HetznerLoadBalancer } from "./load-balancer";
import { HetznerNetwork } from "./network";
import { egressGateway } from "../../plan/render/cloud-init/network";

/**
 * The load balancer's private address: x.y.0.5 of the network. The plan puts hosts from x.y.1.10
 * upward and leaves x.y.0.x to the network's gateway (x.y.0.1) and the load balancer.
 */
export function loadBalancerAddress(privateCidr: string): string {
  const [a, b, c] = (privateCidr.split("/")[0] ?? "").split(".").map(Number);
  return `${a}.${b}.${c}.5`;
}

export const createHetzner: ProviderFactory = (name, { spec, plan, config }, opts) => {
  const location = spec.provider.region;
  // The first instance of the named group forwards, as the hosts' cloud-init expects.
  const gateway = egressGateway(spec, plan.hosts);

  const network = new HetznerNetwork(
    `${name}-network`,
    { networkName: spec.name, ipRange: spec.network.privateCidr, location, labels: stackLabels(spec.name), ...(gateway ? { egressGateway: gateway.privateAddress } : {}) },
    opts,
  );
  const firewalls = new HetznerFirewalls(`${name}-firewalls`, { stack: spec.name, groups: firewallGroups(spec, plan), adminCidrs: spec.network.adminCidrs }, opts);
  const servers = new HetznerHosts(
    `${name}-hosts`,
    { stack: spec.name, location, hosts: plan.hosts, sshKeys: config.sshKeys, networkId: network.networkId, subnetId: network.subnetId, firewallIds: firewalls.byHost, protectData: spec.protectData },
    opts,
  );

  const proxies = plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => servers.hosts[h.name]!);
  const lb = plan.services.loadBalancer.enabled
    ? new HetznerLoadBalancer(
        `${name}-lb`,
        {
          stack: spec.name,
          location,
          subnetId: network.subnetId,
          privateAddress: loadBalancerAddress(spec.network.privateCidr),
          targets: Object.fromEntries(proxies.map((h) => [h.name, h.id])),
          webDomain: plan.stack.webDomain,
        },
        opts,
      )
    : undefined;

  const outputs: Record<string, pulumi.Output<string>> = {};
  const exports: Record<string, pulumi.Output<string>> = lb ? { loadBalancerAddress: lb.ipv4 } : {};
  for (const h of Object.values(servers.hosts)) outputs[`address.${h.name}`] = h.privateAddress;
  for (const [host, device] of Object.entries(servers.volumeDevices)) outputs[`volume.${host}.device`] = device;

  return {
    hosts: servers.hosts,
    outputs,
    ingress: lb
      ? { ipv4: [lb.ipv4], ipv6: [lb.ipv6] }
      : { ipv4: proxies.flatMap((h) => (h.publicIpv4 ? [h.publicIpv4] : [])), ipv6: proxies.flatMap((h) => (h.publicIpv6 ? [h.publicIpv6] : [])) },
    exports,
    // Hetzner has no managed data services: Postgres and Redis come up with their host's converge.
    dataReady: [],
  };
};
