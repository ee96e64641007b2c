// Several proxies answering for the same names (behind a passthrough balancer, or in DNS round
// robin) each run certbot with HTTP-01, but the CA's validation request reaches whichever proxy
// the balancer picks. A proxy that does not hold the token asks the others: each serves the
// tokens it holds on a private-only port, from its own webroot and nothing else, so a request
// is passed on at most once.
import type { SizedHost } from "../../capacity/hosts";

/** The port a proxy answers its peers' challenge lookups on (private network only). */
export const ACME_PEER_PORT = 8042;

/** The other proxies' lookup addresses (host:port); empty with one proxy. */
export function acmePeers(hosts: readonly SizedHost[], self: SizedHost): string[] {
  return hosts.filter((h) => h.roles.includes("proxy") && h.name !== self.name).map((h) => `${h.privateAddress}:${ACME_PEER_PORT}`);
}
