import { formatCount } from "../format";
import { catalogFor } from "../../catalog";
import type { Spec } from "../../spec/schema/stack";
import type { PlannedHost } from "../types";


/** The smallest size of the same CPU architecture whose memory fits what the host needs. */
function biggerSize(spec: Spec, host: Pick<PlannedHost, "size" | "memory">): string | undefined {
  const cat = catalogFor(spec.provider.cloud);
  const current = cat.servers[host.size];
  const keep = 1 - spec.tuning.memoryHeadroomPercent / 100;
  return Object.values(cat.servers)
    .filter((s) => s.arch === current?.arch && s.memoryMb * keep >= host.memory.usedMb && s.memoryMb > (current?.memoryMb ?? 0))
    .sort((a, b) => a.monthly - b.monthly || a.memoryMb - b.memoryMb || a.slug.localeCompare(b.slug))[0]?.slug;
}

export function memoryProblems(spec: Spec, hosts: readonly Pick<PlannedHost, "name" | "size" | "vcpu" | "memoryMb" | "roles" | "memory">[]): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    if (h.memory.usedMb <= h.memory.availableMb) continue;
    const items = h.memory.items.map((i) => `${i.what} ${formatCount(i.mb)}`).join(", ");
    const bigger = biggerSize(spec, h);
    const move = h.roles.includes("sidekiq") && h.roles.length > 1 ? "move sidekiq to its own host" : h.roles.length > 1 ? `move ${h.roles.at(-1)} to another host` : "lower the tuning overrides";
    out.push(
      `host ${h.name} (${h.size}: ${h.vcpu} vCPU, ${formatCount(h.memoryMb)} MB) needs ${formatCount(h.memory.usedMb)} MB but has ${formatCount(h.memory.availableMb)} MB after ${spec.tuning.memoryHeadroomPercent}% headroom (${items}); fix: ${move}${bigger ? ` or use ${bigger}` : ""}`,
    );
  }
  return out;
}
