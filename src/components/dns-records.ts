// The records an instance needs in its zone, decided from the spec: the web domain and the
// domains that redirect to it point at whatever faces users (load balancer or proxy hosts), and
// the mail authentication records the admin supplies. Pure and generic over the address type,
// so it is tested with strings and used with Pulumi outputs.
import { dnsZone, inZone, webDomainOf } from "../spec/dns";
import type { Spec } from "../spec/schema/stack";

export interface DnsRecord<T> {
  /** Stable suffix for the resource name: identity, never renamed. */
  key: string;
  /** Fully qualified name. */
  name: string;
  type: "A" | "AAAA" | "TXT";
  value: T | string;
}

export interface Ingress<T> {
  ipv4: T[];
  ipv6: T[];
}

/** Record name relative to the zone ("@" at the apex), as DigitalOcean wants it. */
export function relativeName(fqdn: string, zone: string): string {
  return fqdn === zone ? "@" : fqdn.slice(0, -(zone.length + 1));
}

export function dnsRecords<T>(spec: Spec, ingress: Ingress<T>): DnsRecord<T>[] {
  const zone = dnsZone(spec);
  const webDomain = webDomainOf(spec);
  // LOCAL_DOMAIN, when it differs, only needs to redirect /.well-known to the web domain; our
  // nginx does that when the name points at it. Names outside the zone are left to the admin.
  const names = [...new Set([webDomain, spec.domain, ...spec.alternateDomains])].filter((n) => inZone(n, zone));
  const records: DnsRecord<T>[] = [];
  for (const name of names) {
    ingress.ipv4.forEach((v, i) => records.push({ key: `${name}-a-${i}`, name, type: "A", value: v }));
    ingress.ipv6.forEach((v, i) => records.push({ key: `${name}-aaaa-${i}`, name, type: "AAAA", value: v }));
  }
  const mail = spec.mail?.records;
  if (mail) {
    if (mail.spf) records.push({ key: `${spec.domain}-spf`, name: spec.domain, type: "TXT", value: mail.spf });
    for (const d of mail.dkim) records.push({ key: `${spec.domain}-dkim-${d.selector}`, name: `${d.selector}._domainkey.${spec.domain}`, type: "TXT", value: d.value });
    if (mail.dmarc) records.push({ key: `${spec.domain}-dmarc`, name: `_dmarc.${spec.domain}`, type: "TXT", value: mail.dmarc });
  }
  return records;
}
