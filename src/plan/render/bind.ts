// Which address Puma and streaming listen on. Only proxies talk to them: loopback when every
// proxy is on the same host, the private address when every proxy is elsewhere, and all
// addresses (behind the host firewall) when both. Puma reads BIND before .env.production is
// loaded, so this goes into the units, never the env file.
import type { PlannedHost } from "../types";

type Listener = Pick<PlannedHost, "name" | "roles" | "privateAddress">;

export function bindAddress(hosts: readonly Listener[], host: Listener): string {
  const proxies = hosts.filter((h) => h.roles.includes("proxy"));
  const local = proxies.some((p) => p.name === host.name);
  const remote = proxies.some((p) => p.name !== host.name);
  if (local && remote) return "0.0.0.0";
  return remote ? host.privateAddress : "127.0.0.1";
}
