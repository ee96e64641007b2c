// Where SSH may come from and what the private network may be. An adminCidrs entry that covers
// the Internet opens port 22 (and `pulumi up`'s own path) to everyone, so it needs an explicit
// opt-in; a private network outside the private ranges would make Puma, streaming and the data
// ports (open to "the private network") public, and TRUSTED_PROXY_IP trust anyone.
import ipaddr from "ipaddr.js";
import type { Spec } from "./schema/stack";
import type { Path } from "./rules";
import { MAX_HOSTS } from "./schema/hosts";

type Report = (path: Path, message: string, fix: string) => void;

/** RFC 1918 and the shared address space (RFC 6598) some clouds use for VPCs. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;

/** Wider than this counts as "the Internet" for SSH (a /7 is two /8s of other people's hosts). */
const WIDEST = { ipv4: 8, ipv6: 16 } as const;

function networkOf(addr: ipaddr.IPv4 | ipaddr.IPv6, bits: number): string {
  const net = addr.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${bits}`);
  return net.toString();
}

/** Covers every IPv4 address through the IPv4-mapped block ::ffff:0:0/96. */
function coversMappedIpv4(addr: ipaddr.IPv6, bits: number): boolean {
  return bits <= 96 && ipaddr.parse("::ffff:0.0.0.0").match(addr, bits);
}

/** Whether a CIDR lets a large part of the Internet in (the policy pack judges firewall sources by it too). */
export function coversInternet(cidr: string): boolean {
  const [addr, bits] = ipaddr.parseCIDR(cidr);
  return bits < WIDEST[addr.kind()] || (addr.kind() === "ipv6" && coversMappedIpv4(addr as ipaddr.IPv6, bits));
}

export function checkNetwork(spec: Spec, report: Report): void {
  spec.network.adminCidrs.forEach((cidr, i) => {
    const path = ["network", "adminCidrs", i];
    const [addr, bits] = ipaddr.parseCIDR(cidr);
    const net = networkOf(addr, bits);
    if (net !== addr.toString()) {
      report(path, `${cidr} has host bits set: it means ${net}/${bits}`, `write ${net}/${bits}, or ${addr.toString()}/${addr.kind() === "ipv4" ? 32 : 128} for that one address`);
    }
    if (coversInternet(cidr) && !spec.network.sshFromAnywhere) {
      report(path, `${cidr} opens SSH to ${bits === 0 ? "the whole Internet" : "a large part of the Internet"}`, "list the addresses you administer from (e.g. 203.0.113.7/32), or set network.sshFromAnywhere: true to accept it knowingly");
    }
  });
  const [base, bits] = ipaddr.parseCIDR(spec.network.privateCidr);
  const inside = PRIVATE_RANGES.some((r) => {
    const [rb, rbits] = ipaddr.parseCIDR(r);
    return bits >= rbits && base.match(rb, rbits);
  });
  if (!inside) {
    report(["network", "privateCidr"], `${spec.network.privateCidr} is not a private range: the ports open to the private network would be open to it, and nginx would trust it as proxies`, `use a block inside ${PRIVATE_RANGES.join(", ")}, such as 10.10.0.0/16`);
  }
}

/**
 * The plan numbers hosts from x.y.1.10 (address 266 of the block) and keeps x.y.0.x for the
 * gateway and balancer. A /22 holds 757 hosts that way, more than the MAX_HOSTS the rules admit,
 * so this one bound makes every planned address fit inside privateCidr.
 */
export const MAX_PRIVATE_PREFIX = 22;
export const FIRST_HOST_OFFSET = 256 + 10;

/** Every host's private address is derived from privateCidr, so the block must hold them all. */
export function checkAddressing(spec: Spec, report: Report): void {
  const cidr = spec.network.privateCidr;
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const hosts = spec.hosts.reduce((n, h) => n + h.count, 0);
  if (hosts > MAX_HOSTS) {
    report(["hosts"], `the stack has ${hosts} hosts (counts added up); at most ${MAX_HOSTS} are planned on VMs`, "use fewer, larger hosts; a fleet beyond that belongs on managed Kubernetes");
  }
  if (prefix > MAX_PRIVATE_PREFIX) {
    report(["network", "privateCidr"], `/${prefix} is too small for the stack's ${hosts} host${hosts === 1 ? "" : "s"}: hosts get addresses from x.y.1.10 upward and x.y.0.x is kept for the gateway and load balancer`, `use a /${MAX_PRIVATE_PREFIX} or larger, such as 10.10.0.0/16`);
  }
  if (net4(addr as ipaddr.IPv4, prefix) !== addr.toString()) {
    report(["network", "privateCidr"], `${cidr} does not start on a network boundary`, "use the network's first address, such as 10.10.0.0/16");
  }
}

function net4(addr: ipaddr.IPv4, bits: number): string {
  return ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${bits}`).toString();
}

/** adminCidrs entries that cover the Internet (accepted with sshFromAnywhere, warned about). */
export function worldAdminCidrs(spec: Spec): string[] {
  return spec.network.adminCidrs.filter(coversInternet);
}
