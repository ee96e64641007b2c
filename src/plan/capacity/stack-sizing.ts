// Sizing that depends on the whole stack, not one host: derived Sidekiq layouts share a fixed
// connection limit, and the scheduler queue goes to exactly one of them.
import { formatCount } from "../format";
import type { Spec } from "../../spec/schema/stack";
import type { HostInstance } from "../topology";
import { fixedClientLimit } from "./connections";
import { sizeHost, type SizedHost } from "./hosts";
import { SIDEKIQ_MIN_THREADS } from "./model";

export interface StackSizing {
  hosts: SizedHost[];
  /** Why the scheduler runs where it does. */
  scheduler: string;
  /** One line per derived Sidekiq host: its threads and what bounded them. */
  sidekiq: string[];
  /** Sidekiq hosts starved by a fixed connection limit: also plan warnings. */
  warnings: string[];
}

const derives = (h: SizedHost) => h.roles.includes("sidekiq") && !h.instance.group.sidekiq;
const free = (h: SizedHost) => h.memory.availableMb - h.memory.usedMb;

/**
 * Threads each derived host may keep when the stack's client limit is fixed and the derived
 * layouts would exceed it: the room left by everything else, shared in proportion to what
 * each host planned. Undefined when nothing needs to shrink.
 */
function connectionCaps(spec: Spec, hosts: readonly SizedHost[], postgresVcpu: number): { caps: Map<string, number>; note: string; fix: string } | undefined {
  const limit = fixedClientLimit(spec, postgresVcpu);
  if (!limit) return undefined;
  const sidekiq = hosts.filter(derives);
  const planned = sidekiq.reduce((n, h) => n + (h.sidekiqSizing?.threads ?? 0), 0);
  const others = hosts.flatMap((h) => h.processes.filter((p) => !(derives(h) && p.kind === "sidekiq"))).reduce((n, p) => n + p.connections, 0);
  const room = limit.clients - others;
  if (planned <= room) return undefined;
  const caps = new Map(sidekiq.map((h) => [h.name, Math.max(SIDEKIQ_MIN_THREADS, Math.floor((Math.max(0, room) * (h.sidekiqSizing?.threads ?? 0)) / planned))]));
  const note = `${limit.source} leaves ${formatCount(limit.clients)} client connections; web, streaming and explicit Sidekiq groups take ${formatCount(others)}, so derived Sidekiq layouts share ${formatCount(Math.max(0, room))}`;
  return { caps, note, fix: limit.fix };
}

/**
 * The derived Sidekiq host with the most memory left after its planned processes takes the
 * scheduler (001 runs it on its larger worker host); ties go to more vCPU, then file order.
 */
function schedulerHost(hosts: readonly SizedHost[]): { host: SizedHost; reason: string } | undefined {
  const candidates = hosts.filter(derives);
  const best = [...candidates].sort((a, b) => free(b) - free(a) || b.vcpu - a.vcpu)[0];
  if (!best) return undefined;
  const others = candidates.filter((h) => h !== best);
  const next = others.sort((a, b) => free(b) - free(a) || b.vcpu - a.vcpu)[0];
  let reason = `it is the only host with derived Sidekiq queue groups`;
  if (next && free(next) === free(best) && next.vcpu === best.vcpu) reason = `the derived Sidekiq hosts have equal room (${formatCount(free(best))} MB free, ${best.vcpu} vCPU), so the first in file order takes it`;
  else if (next && free(next) === free(best)) reason = `it has the most vCPU (${best.vcpu}) of the derived Sidekiq hosts with the most memory free (${formatCount(free(best))} MB)`;
  else if (next) reason = `it has the most memory free after its planned processes of the derived Sidekiq hosts (${formatCount(free(best))} MB; next ${next.name} with ${formatCount(free(next))} MB)`;
  return { host: best, reason };
}

export function sizeStack(spec: Spec, instances: readonly HostInstance[], pgbouncers: readonly string[]): StackSizing {
  const pgVcpu = instances.find((h) => h.roles.includes("postgres"))?.size.vcpu ?? 0;
  let hosts = instances.map((h) => sizeHost(spec, h, pgbouncers));
  const capped = connectionCaps(spec, hosts, pgVcpu);
  const capOf = (name: string) => capped?.caps.get(name);
  const resize = (h: SizedHost, scheduler: boolean) => {
    const cap = capOf(h.name);
    return sizeHost(spec, h.instance, pgbouncers, { scheduler, ...(cap !== undefined ? { connectionCap: cap } : {}) });
  };
  if (capped) hosts = hosts.map((h) => (capped.caps.has(h.name) ? resize(h, false) : h));

  const explicit = spec.hosts.flatMap((g, i) => (g.sidekiq?.groups ?? []).flatMap((q, j) => (q.queues.includes("scheduler") ? [`hosts[${i}].sidekiq.groups[${j}]`] : [])));
  let scheduler = explicit.length > 0 ? `${explicit.join(", ")} lists it` : "no host runs Sidekiq";
  if (explicit.length === 0) {
    const chosen = schedulerHost(hosts);
    if (chosen) {
      hosts = hosts.map((h) => (h === chosen.host ? resize(h, true) : h));
      scheduler = `placed on ${chosen.host.name}: ${chosen.reason}`;
    }
  }

  const sidekiq: string[] = [];
  const starved: string[] = [];
  for (const h of hosts.filter(derives)) {
    const s = h.sidekiqSizing;
    if (!s) continue;
    const processes = s.groups.length;
    const head = `${h.name} (${h.size}): ${s.threads} Sidekiq threads in ${processes} process${processes === 1 ? "" : "es"}`;
    if (s.limitedBy === "memory") sidekiq.push(`${head}, fewer than the target ${s.target} because more would not fit the host's memory`);
    else if (s.limitedBy === "connections") {
      sidekiq.push(`${head}, fewer than the target ${s.target} because of the database connections`);
      starved.push(`${h.name} ${s.threads} of ${s.target}`);
    } else sidekiq.push(`${head}, the target for its CPU share (reference 001 ran 120 threads on 2 vCPU / 4 GB and on 4 vCPU / 8 GB)`);
  }
  const warnings: string[] = [];
  if (capped && starved.length > 0) {
    const line = `Sidekiq threads cut to fit the database connections (${starved.join(", ")}): ${capped.note}; fix: ${capped.fix}`;
    sidekiq.push(line);
    warnings.push(line);
  }
  return { hosts, scheduler, sidekiq, warnings };
}
