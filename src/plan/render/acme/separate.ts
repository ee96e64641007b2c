// Names this stack's DNS does not hold (the local domain or an alternate domain in another zone)
// get a certificate each, apart from the one for the names it does hold. HTTP-01 validates every
// name of an order, so one name that does not point here yet would fail the whole certificate
// and leave the web domain on the self-signed placeholder. Issued apart, such a name fails
// alone, and certbot.timer retries it (a drop-in runs our script after each `certbot renew`,
// which itself only renews lineages that exist) until the admin points it here.
import type { Spec } from "../../../spec/schema/stack";
import { dnsZone, inZone, webDomainOf } from "../../../spec/dns";

/** Where the deploy hook puts a separate name's certificate: one directory per name. */
export const SEPARATE_TLS_DIR = "/etc/nginx/mastodon-tls";
/** Runs certbot for each separate name; certbot.timer's drop-in runs it again after every renew. */
export const SEPARATE_SCRIPT = "/usr/local/sbin/mastodon-certificates";
export const CERTBOT_DROP_IN = "/etc/systemd/system/certbot.service.d/mastodon-stack.conf";
export const SEPARATE_PREFIX = "mastodon-";

export interface CertificateSplit {
  /** The web domain first, then the names the stack's DNS holds: one certificate. */
  main: string[];
  /** Names in another zone: one certificate each. */
  separate: string[];
}

export function certificateSplit(spec: Spec): CertificateSplit {
  const web = webDomainOf(spec);
  const names = [...new Set([web, spec.domain, ...spec.alternateDomains])];
  // Without a DNS provider every name is the admin's to point: nothing tells them apart.
  if (spec.dns.provider === "none") return { main: names, separate: [] };
  const zone = dnsZone(spec);
  // The spec rules keep the web domain inside the zone; it always heads the main certificate.
  return { main: names.filter((n) => n === web || inZone(n, zone)), separate: names.filter((n) => n !== web && !inZone(n, zone)) };
}

/** The certbot lineage (--cert-name) of a separate name. */
export function separateCertName(name: string): string {
  return `${SEPARATE_PREFIX}${name}`;
}
