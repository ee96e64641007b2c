// IPv4 egress for IPv6-only hosts through a gateway host, and the kernel settings a host's
// roles need from its first boot.
//
// Hetzner Cloud networks are routed at layer 3: every packet leaves a server towards the
// network's own gateway, the first address of the network (docs.hetzner.com/networking/networks/
// technical-concepts/architecture, checked 2026-11-24), never straight to another server. So an
// IPv6-only host sends IPv4 to that address, and the network needs a route 0.0.0.0/0 → the
// gateway host's private address (an hcloud.NetworkRoute the component layer creates); the
// gateway host forwards and masquerades.
import type { Spec } from "../../../spec/schema/stack";
import type { SizedHost } from "../../capacity/hosts";
import type { RenderContext } from "../context";
import { runsRedis } from "../data/redis";

export const EGRESS_RULESET = "/etc/mastodon/ipv4-egress.nft";
export const EGRESS_UNIT = "mastodon-ipv4-egress.service";
const EGRESS_TABLE = "mastodon_egress";

export type Egress = { kind: "gateway"; cidr: string } | { kind: "client"; via: string } | { kind: "none" };

/** The network's first address, e.g. 10.10.0.1 for 10.10.0.0/16. */
export function networkGateway(cidr: string): string {
  const [base, bits] = cidr.split("/");
  const octets = (base ?? "").split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const prefix = Number(bits);
  const value = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(value / size) * size + 1;
  return [24, 16, 8, 0].map((s) => Math.floor(first / 2 ** s) % 256).join(".");
}

/** The one instance that forwards: the first of the group `network.ipv4Egress.gateway` names. */
/**
 * The host that forwards IPv4 for IPv6-only hosts: the first instance of the group named by
 * network.ipv4Egress.gateway. Used by the hosts' cloud-init, the Hetzner route and SSH jumps.
 */
export function egressGateway<H extends { name: string; group: string }>(spec: Spec, hosts: readonly H[]): H | undefined {
  const egress = spec.network.ipv4Egress;
  if (!egress || !("gateway" in egress)) return undefined;
  const gateway = hosts.find((h) => h.group === egress.gateway);
  if (!gateway) throw new Error(`network.ipv4Egress.gateway names "${egress.gateway}", which is no host group`);
  return gateway;
}

export function egressFor(ctx: RenderContext, host: SizedHost): Egress {
  const gateway = egressGateway(ctx.spec, ctx.hosts);
  if (!gateway) return { kind: "none" };
  const cidr = ctx.spec.network.privateCidr;
  if (host.name === gateway.name) return { kind: "gateway", cidr };
  if (host.ipv6Only) {
    if (ctx.spec.provider.cloud !== "hetzner") throw new Error(`${host.name}: IPv6-only hosts exist only on Hetzner`);
    return { kind: "client", via: networkGateway(cidr) };
  }
  return { kind: "none" };
}

/** sysctl.d lines, sorted; empty when the host needs none. */
export function sysctlLines(ctx: RenderContext, host: SizedHost, egress: Egress): string[] {
  const lines: string[] = [];
  // Redis forks to save its snapshot; without overcommit the fork can fail under memory
  // pressure, and Redis warns about it at start-up (redis.io/docs/latest/operate/oss_and_stack/
  // management/admin, checked 2026-11-24).
  if (runsRedis(ctx, host)) lines.push("vm.overcommit_memory = 1");
  if (egress.kind === "gateway") lines.push("net.ipv4.ip_forward = 1");
  return lines.sort();
}

/** nftables ruleset for the gateway: replaces only its own table, so other rules are untouched. */
export function egressRuleset(cidr: string): string {
  return [
    "#!/usr/sbin/nft -f",
    "# Written by mastodon-stack: IPv6-only hosts of the private network reach IPv4 through this host.",
    `table ip ${EGRESS_TABLE}`,
    `delete table ip ${EGRESS_TABLE}`,
    `table ip ${EGRESS_TABLE} {`,
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${cidr} ip daddr != ${cidr} masquerade`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export function egressUnit(): string {
  return [
    "# Written by mastodon-stack: loads the IPv4 egress NAT for the IPv6-only hosts.",
    "[Unit]",
    "Description=IPv4 egress NAT for IPv6-only hosts",
    "After=network-pre.target",
    "Before=network-online.target",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=/usr/sbin/nft -f ${EGRESS_RULESET}`,
    `ExecStop=/usr/sbin/nft delete table ip ${EGRESS_TABLE}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/**
 * Runs on every boot, before packages are installed: the default IPv4 route via the network
 * gateway. The private interface may still be coming up, so it retries for a minute, then
 * fails visibly in `cloud-init status`.
 */
export function egressRouteCommand(via: string): string[] {
  const script = `for i in $(seq 1 30); do ip -4 route replace default via ${via} && exit 0; sleep 2; done; echo "no IPv4 default route via ${via}" >&2; exit 1`;
  return ["sh", "-c", script];
}
