// Sizes against the provider's catalog: a size must exist, still be sold, and be sold where the
// stack runs. A retired or unavailable size is refused with the size to use instead, because the
// provider's own error ("error during placement") comes only after resources were created.
import { closest } from "fastest-levenshtein";
import { catalogFor, regionsSelling, serversSoldIn, soldIn } from "../catalog";
import type { ManagedSize, ServerSize } from "../catalog/types";
import type { Spec } from "./schema/stack";
import type { Path } from "./rules";

type Report = (path: Path, message: string, fix: string) => void;

const gb = (mb: number) => `${Math.round((mb / 1024) * 10) / 10} GB`;
const shape = (s: { vcpu: number; memoryMb: number }) => `${s.vcpu} vCPU, ${gb(s.memoryMb)}`;

/** "a, b or c" */
function either(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The cheapest size sold in the region with at least the vCPU and memory of `want`, same architecture. */
function closestSold(spec: Spec, want: ServerSize): ServerSize | undefined {
  return serversSoldIn(spec.provider.cloud, spec.provider.region).find((s) => s.arch === want.arch && s.vcpu >= want.vcpu && s.memoryMb >= want.memoryMb);
}

/** What to do about a size that is not sold in the stack's region. */
function elsewhereFix(spec: Spec, size: ServerSize): string {
  const region = spec.provider.region;
  const near = closestSold(spec, size);
  const sold = serversSoldIn(spec.provider.cloud, region).map((s) => s.slug);
  const instead = near ? `use ${near.slug} (${shape(near)}), the cheapest size sold in ${region} at least as large, or another size sold there (${sold.join(", ")})` : `use a size sold in ${region} (${sold.join(", ")})`;
  return `${instead}; or choose location ${either(regionsSelling(spec.provider.cloud, size))} for ${size.slug}`;
}

/** A server (or Kubernetes node) size must be sold by the provider in the stack's region. */
export function checkServerSize(spec: Spec, path: Path, slug: string, report: Report): void {
  const cloud = spec.provider.cloud;
  const region = spec.provider.region;
  const cat = catalogFor(cloud);
  const size = Object.hasOwn(cat.servers, slug) ? cat.servers[slug] : undefined;
  if (size) {
    // An unknown region is reported by itself; judging availability there would only add noise.
    if (cat.regions.includes(region) && !soldIn(size, region)) report(path, `${slug} is not sold in ${region}`, elsewhereFix(spec, size));
    return;
  }
  const retired = Object.hasOwn(cat.retiredServers, slug) ? cat.retiredServers[slug] : undefined;
  const successor = retired ? cat.servers[retired.successor] : undefined;
  if (retired && successor) {
    const message = `${slug} is a retired ${cloud} server type (${retired.note}); its successor is ${successor.slug} (${shape(successor)})`;
    const sold = !cat.regions.includes(region) || soldIn(successor, region);
    report(path, message, sold ? `use ${successor.slug}` : `${successor.slug} is not sold in ${region}: ${elsewhereFix(spec, successor)}`);
    return;
  }
  const slugs = Object.keys(cat.servers).sort();
  report(path, `"${slug}" is not a ${cloud} server size (did you mean ${closest(slug, slugs)}?)`, `use one of: ${slugs.join(", ")}`);
}

/** A managed size must be sold in the stack's region (DigitalOcean's dedicated database plans are not sold everywhere). */
export function checkManagedRegion(spec: Spec, path: Path, what: string, size: ManagedSize, table: Readonly<Record<string, ManagedSize>>, report: Report): void {
  const region = spec.provider.region;
  if (!catalogFor(spec.provider.cloud).regions.includes(region) || soldIn(size, region)) return;
  const sold = Object.values(table).filter((s) => soldIn(s, region)).map((s) => s.slug);
  report([...path, "size"], `managed ${what} ${size.slug} is not sold in ${region}`, `use a size sold there (${sold.join(", ")}); or choose region ${either(regionsSelling(spec.provider.cloud, size))}`);
}

/** Standby nodes need a plan that can replicate (DigitalOcean: 2 GB of memory or more). */
export function checkManagedNodes(spec: Spec, report: Report): void {
  const m = spec.postgres.managed;
  if (!m) return;
  const table = catalogFor(spec.provider.cloud).managedPostgres;
  const size = Object.hasOwn(table, m.size) ? table[m.size] : undefined;
  if (!size || m.nodes <= size.maxNodes) return;
  const bigger = Object.values(table)
    .filter((s) => s.maxNodes >= m.nodes && soldIn(s, spec.provider.region))
    .sort((a, b) => a.monthlyPerNode - b.monthlyPerNode || a.slug.localeCompare(b.slug))[0];
  report(
    ["postgres", "managed", "nodes"],
    `${m.size} cannot have standby nodes, so nodes: ${m.nodes} is not possible: ${spec.provider.cloud} replicates only plans with 2 GB of memory or more`,
    `set nodes: 1, or use ${bigger?.slug ?? "a larger size"} or larger for ${m.nodes - 1} standby node${m.nodes > 2 ? "s" : ""}`,
  );
}
