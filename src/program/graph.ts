// The resource graph as the engine schedules it: a resource waits for the resources its inputs
// (or dependsOn) name and for its explicit provider (the Kubernetes objects wait for the
// provider, which waits for the cluster); depending on a component means waiting for
// everything under it. The
// longest chain of cloud resources bounds how fast `pulumi up` can create the stack.
import type { RecordedResource } from "./mocks";

export interface GraphStats {
  resources: number;
  cloudResources: number;
  byType: Record<string, number>;
  byProvider: Record<string, number>;
  /** The longest chain of custom resources, first to last, by "type::name". */
  longestChain: string[];
}

function provider(type: string): string {
  return type.split(":")[0] ?? type;
}

export function graphStats(resources: readonly RecordedResource[]): GraphStats {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const customUnder = (urn: string): string[] => {
    const r = byUrn.get(urn);
    if (!r) return [];
    if (r.custom) return [urn];
    return (children.get(urn) ?? []).flatMap(customUnder);
  };
  const memo = new Map<string, string[]>();
  const chain = (urn: string, seen: Set<string>): string[] => {
    const hit = memo.get(urn);
    if (hit) return hit;
    if (seen.has(urn)) return [];
    seen.add(urn);
    let best: string[] = [];
    const r = byUrn.get(urn);
    for (const d of [...(r?.dependencies ?? []), ...(r?.provider ? [r.provider] : [])]) {
      for (const c of customUnder(d)) {
        const sub = chain(c, seen);
        if (sub.length > best.length) best = sub;
      }
    }
    seen.delete(urn);
    const out = [...best, urn];
    memo.set(urn, out);
    return out;
  };
  const custom = resources.filter((r) => r.custom);
  let longest: string[] = [];
  for (const r of custom) {
    const c = chain(r.urn, new Set());
    if (c.length > longest.length) longest = c;
  }
  const byType: Record<string, number> = {};
  const byProvider: Record<string, number> = {};
  for (const r of custom) {
    byType[r.type] = (byType[r.type] ?? 0) + 1;
    byProvider[provider(r.type)] = (byProvider[provider(r.type)] ?? 0) + 1;
  }
  return {
    resources: resources.length,
    cloudResources: custom.length,
    byType: Object.fromEntries(Object.entries(byType).sort()),
    byProvider: Object.fromEntries(Object.entries(byProvider).sort()),
    longestChain: longest.map((u) => `${byUrn.get(u)!.type}::${byUrn.get(u)!.name}`),
  };
}
