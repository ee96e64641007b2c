// The names a stack serves — its web domain, the DNS zone its records live in, which names fall
// inside that zone — read by the spec rules, the plan, the renderers and the DNS components alike.
import type { Spec } from "./schema/stack";

/** Where the web UI and API answer: webDomain, else the instance's domain (WEB_DOMAIN's rule). */
export function webDomainOf(spec: Spec): string {
  return spec.webDomain ?? spec.domain;
}

/** The registered domain holding the records: dns.zone, else the instance's domain. */
export function dnsZone(spec: Spec): string {
  return spec.dns.provider === "none" ? spec.domain : spec.dns.zone ?? spec.domain;
}

export function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** Names the stack serves that its DNS provider will not hold: the admin points them by hand. */
export function namesOutsideZone(spec: Spec): string[] {
  if (spec.dns.provider === "none") return [];
  const zone = dnsZone(spec);
  return [...new Set([spec.domain, ...spec.alternateDomains])].filter((n) => !inZone(n, zone));
}
