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
