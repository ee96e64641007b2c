// DigitalOcean: the VPC, the droplets, the load balancer when the stack has one, the role
// firewalls, and the managed data services — in that order, because droplets join the VPC, the
// firewalls admit the load balancer by its id, and the databases trust droplets by theirs. The
// Kubernetes tier has its own: ./kubernetes-tier.ts.
import type * as pulumi from "@pulumi/pulumi";
import { certificateNames } from "../../plan/render/acme";
import type { Spec } from "../../spec/schema/stack";
import type { ProviderFactory } from "../contract";
import { dnsZone, inZone } from "../../spec/dns";
import { applicationHosts, firewallGroups } from "../firewall-rules";
import { createDataServices } from "./data-services";
import { DigitalOceanFirewalls } from "./firewalls";
import { DigitalOceanHosts } from "./hosts";
import { createDigitalOceanKubernetes } from "./kubernetes-tier";
import { DigitalOceanLoadBalancer } from "./load-balancer";
import { DigitalOceanNetwork } from "./network";
import { trustedDroplets } from "./trusted-sources";

type Values = Record<string, pulumi.Output<string>>;

/**
 * The names a load balancer's Let's Encrypt certificate covers: every name the instance answers
 * for, web domain first. DigitalOcean validates them through its DNS, so each must be in the
 * zone; the spec rules refuse anything else with its location, and this is the last guard.
 */
export function loadBalancerCertificateNames(spec: Spec): string[] {
  const zone = dnsZone(spec);
  const names = certificateNames(spec);
  const outside = names.filter((n) => !inZone(n, zone));
  if (outside.length > 0) throw new Error(`loadBalancer.tls is terminate, but ${outside.join(", ")} ${outside.length === 1 ? "is" : "are"} outside the DNS zone ${zone}: DigitalOcean cannot put ${outside.length === 1 ? "it" : "them"} on the balancer's certificate`);
  return names;
}

/** The VM tier, or the Kubernetes tier when the plan has one. */
export const createDigitalOcean: ProviderFactory = (name, args, opts) => (args.plan.kubernetes ? createDigitalOceanKubernetes(name, args, opts) : createDigitalOceanHosts(name, args, opts));

const createDigitalOceanHosts: ProviderFactory = (name, { spec, plan, config }, opts) => {
  const region = spec.provider.region;
  const stack = spec.name;
  const outputs: Values = {};
  const exports: Values = {};

  const network = new DigitalOceanNetwork(`${name}-vpc`, { vpcName: `${stack}-${region}`, region, ipRange: spec.network.privateCidr }, opts);
  const droplets = new DigitalOceanHosts(`${name}-hosts`, { stack, region, vpcId: network.vpcId, hosts: plan.hosts, sshKeys: config.sshKeys, protectData: spec.protectData }, opts);
  const hosts = droplets.hosts;
  for (const h of Object.values(hosts)) outputs[`address.${h.name}`] = h.privateAddress;
  for (const [host, device] of Object.entries(droplets.volumeDevices)) outputs[`volume.${host}.device`] = device;

  const proxies = plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => h.name);
  const lbPlan = plan.services.loadBalancer;
  const lb = lbPlan.enabled
    ? new DigitalOceanLoadBalancer(
        `${name}-lb`,
        {
          stack,
          region,
          vpcId: network.vpcId,
          dropletIds: proxies.map((p) => droplets.dropletIds[p]!),
          tls: lbPlan.tls,
          ...(lbPlan.tls === "terminate" ? { certificateDomains: loadBalancerCertificateNames(spec) } : {}),
        },
        opts,
      )
    : undefined;
  if (lb) exports.loadBalancerAddress = lb.ip;

  new DigitalOceanFirewalls(
    `${name}-firewalls`,
    {
      stack,
      groups: firewallGroups(spec, plan),
      adminCidrs: spec.network.adminCidrs,
      privateCidr: spec.network.privateCidr,
      dropletIds: droplets.dropletIds,
      ...(lb ? { loadBalancerId: lb.id } : {}),
    },
    opts,
  );

  // The data services trust exactly the droplets that run Mastodon processes.
  const trusted = trustedDroplets(applicationHosts(plan).map((h) => hosts[h]!.id));
  const data = createDataServices(name, { spec, plan, vpcId: network.vpcId, trusted }, opts);

  const proxyHandles = proxies.map((p) => hosts[p]!);
  return {
    ...data,
    hosts,
    outputs: { ...outputs, ...data.outputs },
    exports: { ...exports, ...data.exports },
    ingress: lb
      ? { ipv4: [lb.ip], ipv6: [] }
      : { ipv4: proxyHandles.flatMap((h) => (h.publicIpv4 ? [h.publicIpv4] : [])), ipv6: proxyHandles.flatMap((h) => (h.publicIpv6 ? [h.publicIpv6] : [])) },
  };
};
