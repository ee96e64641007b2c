// The decisions behind a proxy host's site config: names, listeners, where the client address
// comes from, and whether static files are on this host's disk.
import type { Spec } from "../../../spec/schema/stack";
import type { SizedHost } from "../../capacity/hosts";
import { webDomainOf } from "../../../spec/dns";
import { certificateSplit } from "../acme/separate";

export type LbMode = "none" | "passthrough" | "terminate";

export interface SiteShape {
  webDomain: string;
  /** The local domain (when the web domain differs) and alternate domains: all 301 to the web domain. */
  redirectDomains: string[];
  /** Redirecting names in another DNS zone, on certificates of their own (acme/separate.ts); none behind a terminating balancer. */
  separateDomains: string[];
  lb: LbMode;
  /** Listener parameters after the port, e.g. "ssl http2 proxy_protocol". */
  httpParams: string;
  httpsParams: string;
  realIp?: { from: string; header: "proxy_protocol" | "X-Forwarded-For" };
  staticOnDisk: boolean;
  localMedia: boolean;
}

/**
 * Static files (packs, assets, emoji, local media) exist only where Mastodon is installed to run
 * Puma. A proxy host without Puma proxies everything, and Puma must then serve them itself
 * (RAILS_SERVE_STATIC_FILES=true).
 */
export function servesStaticFromDisk(host: Pick<SizedHost, "processes">): boolean {
  return host.processes.some((p) => p.kind === "web");
}

/** True when some proxy host has no Puma beside it: web hosts must set RAILS_SERVE_STATIC_FILES=true. */
export function railsMustServeStatic(hosts: readonly Pick<SizedHost, "roles" | "processes">[]): boolean {
  return hosts.some((h) => h.roles.includes("proxy") && !servesStaticFromDisk(h));
}

export function lbMode(spec: Spec): LbMode {
  return spec.loadBalancer.enabled ? spec.loadBalancer.tls : "none";
}

export function siteShape(spec: Spec, host: SizedHost): SiteShape {
  const webDomain = webDomainOf(spec);
  const lb = lbMode(spec);
  const separate = lb === "terminate" ? [] : certificateSplit(spec).separate;
  const redirectDomains = [...new Set([spec.domain, ...spec.alternateDomains])].filter((d) => d !== webDomain && !separate.includes(d));
  // The load balancer sends PROXY protocol on every forwarded port, health checks included.
  const pp = lb === "passthrough" ? " proxy_protocol" : "";
  return {
    webDomain,
    redirectDomains,
    separateDomains: separate,
    lb,
    httpParams: pp.trim(),
    httpsParams: `ssl http2${pp}`,
    ...(lb === "passthrough" ? { realIp: { from: spec.network.privateCidr, header: "proxy_protocol" as const } } : {}),
    ...(lb === "terminate" ? { realIp: { from: spec.network.privateCidr, header: "X-Forwarded-For" as const } } : {}),
    staticOnDisk: servesStaticFromDisk(host),
    localMedia: Boolean(spec.media.local),
  };
}
