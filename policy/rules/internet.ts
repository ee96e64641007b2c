// Only the web is open to the Internet. A DigitalOcean inbound rule or a Hetzner "in" rule whose
// sources cover the Internet — wider than an IPv4 /8 or an IPv6 /16, counted as the stack rules
// count adminCidrs — may carry icmp and tcp/udp 80 and 443, nothing else: not SSH (unless the stack
// file accepts it knowingly with network.sshFromAnywhere), not a data port (Postgres, PgBouncer,
// Redis, search, DigitalOcean's managed 25060/25061), not any other port or protocol. The same
// holds for the Kubernetes tier's Gateway listeners and LoadBalancer Services (./exposure.ts);
// and a managed database's firewall never trusts an address range that covers the Internet.
import * as digitalocean from "@pulumi/digitalocean";
import * as hcloud from "@pulumi/hcloud";
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { DO_DIRECT_PORT, DO_POOL_PORT, PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT, SEARCH_PORT, SSH_PORT, WEB_PORTS } from "../../src/plan/endpoints";
import { coversInternet } from "../../src/spec/network-rules";
import type { PackContext } from "../context";
import { clusterExposure, DATABASE_FIREWALL_TYPE, databaseAddressRules, type Inbound } from "./exposure";

const PORT_NAMES: Readonly<Record<number, string>> = {
  [SSH_PORT]: "SSH",
  [POSTGRES_PORT]: "Postgres",
  [PGBOUNCER_PORT]: "PgBouncer",
  [REDIS_PORT]: "Redis",
  [REDIS_TLS_PORT]: "Redis over TLS",
  [SEARCH_PORT]: "search",
  [DO_DIRECT_PORT]: "managed Postgres",
  [DO_POOL_PORT]: "managed pool and Valkey",
};

const INTERNET_POLICY = "internet-reaches-only-the-web";

/** Sources that let the Internet in; an unparsable one is the provider's to refuse. */
function internetSources(sources: readonly string[]): string[] {
  return sources.filter((s) => {
    try {
      return s.includes("/") && coversInternet(s);
    } catch {
      return false;
    }
  });
}

/** Inclusive range; a missing, "all"/"any" or unreadable port means every port. */
function portSpan(ports: string | undefined): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(ports ?? "");
  if (!m) return [1, 65535];
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function whatOpens(protocol: string, ports: string | undefined): string {
  if (protocol !== "tcp" && protocol !== "udp") return protocol;
  const [lo, hi] = portSpan(ports);
  if (lo !== hi) return `${protocol} ${lo}-${hi}`;
  const name = PORT_NAMES[lo];
  return name ? `${protocol} ${lo} (${name})` : `${protocol} ${lo}`;
}

function allowedFromInternet(rule: Inbound, ctx: PackContext): boolean {
  if (rule.protocol === "icmp" || rule.protocol === "icmpv6") return true;
  if (rule.protocol !== "tcp" && rule.protocol !== "udp") return false;
  const [lo, hi] = portSpan(rule.ports);
  if (lo !== hi) return false;
  return WEB_PORTS.includes(lo) || (lo === SSH_PORT && rule.protocol === "tcp" && ctx.sshFromAnywhere);
}

function internetMessage(where: string, rule: Pick<Inbound, "protocol" | "ports">, sources: readonly string[]): string {
  return `${where} opens ${whatOpens(rule.protocol, rule.ports)} to the Internet (${sources.join(", ")}): only the web (tcp and udp ${WEB_PORTS.join(", ")}) may be open to it — SSH comes from network.adminCidrs (or anywhere with network.sshFromAnywhere: true), data ports from the private network`;
}

function check(rules: readonly Inbound[], label: string, ctx: PackContext, report: ReportViolation): void {
  rules.forEach((rule, i) => {
    const open = internetSources(rule.sources);
    if (open.length > 0 && !allowedFromInternet(rule, ctx)) report(internetMessage(`${label} ${i + 1}`, rule, open));
  });
}

export function internetReachesOnlyTheWeb(ctx: PackContext): ResourceValidationPolicy {
  return {
    name: INTERNET_POLICY,
    description: "A firewall rule, Gateway listener or load-balanced Service open to the Internet admits only the web (tcp/udp 80 and 443) and icmp; SSH and data ports never; a managed database trusts no range covering the Internet.",
    // One validation that dispatches on the type (asType is the SDK's typed view of the inputs),
    // so a firewall is "not applicable" to nothing and everything else once.
    validateResource: (args, report) => {
      const ocean = args.asType(digitalocean.Firewall);
      if (ocean) {
        const rules = (ocean.inboundRules ?? []).map((r) => ({ protocol: r.protocol, ports: r.portRange, sources: r.sourceAddresses ?? [] }));
        return check(rules, "inbound rule", ctx, report);
      }
      const hetzner = args.asType(hcloud.Firewall);
      if (hetzner) {
        // Rules keep their place in the list, so a message's number finds the rule; "out" rules admit nothing.
        const rules = (hetzner.rules ?? []).map((r) => ({ protocol: r.protocol, ports: r.port, sources: r.direction === "in" ? (r.sourceIps ?? []) : [] }));
        return check(rules, "rule", ctx, report);
      }
      const exposed = clusterExposure(args);
      if (exposed) return check(exposed.rules, exposed.label, ctx, report);
      if (args.type === DATABASE_FIREWALL_TYPE) {
        for (const r of databaseAddressRules(args.props)) {
          if (internetSources([r.source]).length > 0) report(`database firewall rule ${r.rule} trusts ${r.source}, which covers the Internet: the managed database would take connections from anywhere — it trusts only what runs Mastodon (the application droplets, or the Kubernetes cluster)`);
        }
        return;
      }
      args.notApplicable("only firewalls, Gateways and load-balanced Services admit traffic");
    },
  };
}
