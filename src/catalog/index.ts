// Catalog lookups. Callers go through these rather than the provider modules so that adding a
// provider only touches this file.

import { digitalocean } from "./digitalocean";
import { hetzner } from "./hetzner";
import type { CloudProvider, ProviderCatalog, ServerSize } from "./types";

export type * from "./types";
export { digitalocean } from "./digitalocean";
export { hetzner } from "./hetzner";
export { r2 } from "./cloudflare";

const catalogs: Readonly<Record<CloudProvider, ProviderCatalog>> = { digitalocean, hetzner };

export function catalogFor(provider: CloudProvider): ProviderCatalog {
  return catalogs[provider];
}

export function serverSize(provider: CloudProvider, slug: string): ServerSize | undefined {
  // Own-property check, so a slug like "constructor" or "toString" is not mistaken for a size.
  const servers = catalogFor(provider).servers;
  return Object.hasOwn(servers, slug) ? servers[slug] : undefined;
}

export function knownServerSlugs(provider: CloudProvider): string[] {
  return Object.keys(catalogFor(provider).servers).sort();
}

/** Whether a size is sold in a region: sizes without a location list are sold in every region. */
export function soldIn(size: { locations?: readonly string[] }, region: string): boolean {
  return size.locations === undefined || size.locations.includes(region);
}

/** Regions where a size is sold, in the catalog's region order. */
export function regionsSelling(provider: CloudProvider, size: { locations?: readonly string[] }): string[] {
  return catalogFor(provider).regions.filter((r) => soldIn(size, r));
}

/** Server sizes sold in a region, cheapest first (ties by memory, then slug, for stable output). */
export function serversSoldIn(provider: CloudProvider, region: string): ServerSize[] {
  return Object.values(catalogFor(provider).servers)
    .filter((s) => soldIn(s, region))
    .sort((a, b) => a.monthly - b.monthly || a.memoryMb - b.memoryMb || a.slug.localeCompare(b.slug));
}
