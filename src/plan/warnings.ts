// Things that are allowed but that an admin should decide knowingly.
import { dnsZone, namesOutsideZone, webDomainOf } from "../spec/dns";
import { worldAdminCidrs } from "../spec/network-rules";
import type { Spec } from "../spec/schema/stack";
import type { PlannedHost } from "./types";

export function planWarnings(spec: Spec, hosts: readonly PlannedHost[]): string[] {
  const out: string[] = [];
  if (!spec.backups) out.push("no backups are configured: add a backups section (schedule, retention, target)");
  if (!spec.mail) out.push("no SMTP server is configured: sign-up confirmations and password resets will not be sent");
  if (spec.postgres.managed && spec.postgres.managed.nodes === 1) out.push("managed Postgres has a single node: a node failure means downtime until the provider replaces it");
  if (hosts.filter((h) => h.roles.includes("web")).length === 1 && spec.loadBalancer.enabled) out.push("the load balancer fronts a single web host: it adds cost but no redundancy");
  const world = worldAdminCidrs(spec);
  if (world.length > 0) out.push(`network.adminCidrs ${world.join(", ")} opens SSH to the Internet (network.sshFromAnywhere): only the SSH key stands between the world and root on every host`);
  if (!spec.network.encryptInternal) out.push("network.encryptInternal is false: database and Redis traffic between hosts is unencrypted");
  if (spec.media.r2 && !spec.media.r2.customDomain) out.push("R2 media is served from the bucket's r2.dev host, which Cloudflare rate-limits and does not cache: set media.r2.customDomain (DNS on Cloudflare) for a real instance");
  // The proxies give such a name a certificate of its own (plan/render/acme/separate.ts), so it
  // cannot hold up the others. (A terminating balancer refuses these names in the spec rules.)
  for (const n of namesOutsideZone(spec)) {
    out.push(`${n} is outside the DNS zone ${dnsZone(spec)}: point it at the instance yourself. It gets a certificate of its own, issued once it points here (certbot.timer tries twice a day); until then only ${n} fails, and the certificate for ${webDomainOf(spec)} and the zone's other names is issued without it`);
  }
  // Data services are sized to fill their host; only application hosts can run short.
  for (const h of hosts.filter((x) => x.processes.length > 0)) {
    const free = h.memory.availableMb - h.memory.usedMb;
    if (free < h.memoryMb * 0.05) out.push(`host ${h.name} has ${free} MB left after its planned processes: little room for spikes`);
  }
  return out;
}
