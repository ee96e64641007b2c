// Monthly cost per resource from the catalogs' price tables (each with its source and date).
import { catalogFor } from "../catalog";
import { r2 } from "../catalog/cloudflare";
import type { Currency } from "../catalog/types";
import type { Spec } from "../spec/schema/stack";
import type { CostLine, CostSummary, PlannedHost } from "./types";

/** Used only to show one total for mixed-currency stacks (ECB reference rate, 2026-11-24). */
export const EUR_PER_USD = 0.86;
const EXCHANGE_SOURCE = "ECB euro reference rate, 2026-11-24";

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The cost of the stack's hosts and services, plus `extra` lines (the Kubernetes cluster's, in the provider's currency). */
export function estimateCost(spec: Spec, hosts: readonly PlannedHost[], extra: readonly CostLine[] = []): CostSummary {
  const cat = catalogFor(spec.provider.cloud);
  const cur = cat.currency;
  const src = `${cat.source.url} (checked ${cat.source.checked})`;
  const lines: CostLine[] = [];
  const add = (billed: CostLine["billed"], resource: string, detail: string, monthly: number, currency: Currency = cur, source = src) =>
    lines.push({ resource, billed, detail, currency, monthly: round2(monthly), source });

  for (const h of hosts) {
    const size = cat.servers[h.size];
    if (!size) continue;
    add({ kind: "server", host: h.name }, `server ${h.name}`, `${h.size} (${h.vcpu} vCPU, ${h.memoryMb} MB)`, size.monthly);
    if (cat.ipv4Monthly > 0 && !h.ipv6Only) add({ kind: "ipv4", host: h.name }, `ipv4 ${h.name}`, "primary IPv4 address", cat.ipv4Monthly);
    if (h.volumeGb) add({ kind: "volume", host: h.name }, `volume ${h.name}`, `${h.volumeGb} GB block storage`, h.volumeGb * cat.volumePerGbMonth);
  }
  if (spec.loadBalancer.enabled) add({ kind: "loadBalancer" }, "load balancer", "smallest size", cat.loadBalancerMonthly);
  const pg = spec.postgres.managed;
  if (pg) {
    const s = cat.managedPostgres[pg.size];
    if (s) add({ kind: "postgres" }, "managed postgres", `${pg.size} × ${pg.nodes} node(s)`, s.monthlyPerNode * pg.nodes);
  }
  const redis = spec.redis.managed;
  if (redis) {
    const s = cat.managedRedis[redis.size];
    if (s) add({ kind: "redis" }, "managed valkey", redis.size, s.monthlyPerNode);
  }
  const search = spec.search.managed;
  if (search) {
    const s = cat.managedOpenSearch[search.size];
    if (s) add({ kind: "search" }, "managed opensearch", search.size, s.monthlyPerNode);
  }
  if (spec.media.spaces && cat.objectStorage) {
    add({ kind: "objectStorage" }, "spaces", `${cat.objectStorage.includedGb} GB + ${cat.objectStorage.includedTransferGb} GB transfer included${spec.media.spaces.cdn ? ", CDN included" : ""}`, cat.objectStorage.baseMonthly);
  }
  if (spec.media.r2) {
    add({ kind: "objectStorage" }, "r2 bucket", `first ${r2.freeGb} GB free, then $${r2.perGbMonth}/GB-month; egress free`, 0, "USD", `${r2.source.url} (checked ${r2.source.checked})`);
  }

  lines.push(...extra);
  const totals: Partial<Record<Currency, number>> = {};
  for (const l of lines) totals[l.currency] = round2((totals[l.currency] ?? 0) + l.monthly);
  const other = cur === "EUR" ? (totals.USD ?? 0) * EUR_PER_USD : (totals.EUR ?? 0) / EUR_PER_USD;
  const mixed = Object.keys(totals).length > 1;
  return {
    lines,
    totals,
    total: { currency: cur, monthly: round2((totals[cur] ?? 0) + other), ...(mixed ? { rate: `1 USD = ${EUR_PER_USD} EUR (${EXCHANGE_SOURCE})` } : {}) },
    ...(extra.some((l) => l.maxMonthly !== undefined) ? { totalAtMax: round2((totals[cur] ?? 0) + other + extra.reduce((n, l) => n + (l.maxMonthly ?? l.monthly) - l.monthly, 0)) } : {}),
  };
}
