// Hetzner Cloud catalog (EUR, monthly net, excl. VAT and excl. the primary IPv4).
//
// Sources:
//   Prices          https://docs.hetzner.com/general/infrastructure-and-availability/price-adjustment/
//   Server types    https://docs.hetzner.cloud/reference/cloud#server-types (GET /v1/server_types, /v1/pricing)
//   Primary IPv4    https://docs.hetzner.com/general/others/ipv4-pricing/
// checked: 2026-07-23. Server prices are the list for orders and rescales from 2026-06-15, as the
// authenticated Hetzner API returned them for hel1 on 2026-07-23 (cross-checked against several
// independent post-June transcriptions: CX23 €5.49, CX33 €8.49, CAX11 €5.99, CPX32 €35.49,
// CPX42 €69.49, CCX13 €42.99, CCX23 €85.99). Volumes, IPs and load balancers were not part of
// the June change; their figures are the ones in force since 2026-04-01.
//
// Servers ordered before 2026-06-15 keep the 2026-04-01 rates until rescaled. For reference
// (EU, €/month): cx23 3.99, cx33 6.49, cx43 11.99, cx53 22.49; cax11 4.49, cax21 7.99,
// cax31 15.99, cax41 31.49; cpx22 7.99, cpx32 13.99, cpx42 25.49, cpx52 36.49, cpx62 50.49;
// ccx13 15.99, ccx23 31.49, ccx33 62.49, ccx43 124.99.
//
// Prices here are the EU (fsn1/nbg1/hel1) list. ash, hil and sin sell CPX/CCX only, at higher
// prices and with 1–8 TB (US) or 0.5 TB (sin) instead of 20 TB included traffic. This table has no
// per-location price, so a US or Singapore plan is underestimated; check the Console before
// ordering there.
//
// Where each type is sold (checked 2026-11-30):
//   CX and CAX: EU only. The 2026-07-23 API snapshot above listed them for fsn1/nbg1/hel1 only;
//     Hetzner's own price API lists no US or Singapore price for any CX or CAX type (read
//     2026-09-03, table in https://github.com/robhunter/agentdeals/pull/1286), while it does for
//     CPX (e.g. CPX12 €15.99 in sin); Hetzner support: "CX-Servers ... are not offered in our
//     US-Locations" (https://github.com/trailofbits/algo/issues/14562); CAX is not offered in ash
//     (https://wardnet.github.io/inforge/providers/hetzner).
//   CPX and CCX: every location. Whether ash/hil already sell the cpx12…cpx62 generation was not
//     confirmed from a US price; the Console is the last word.
// The API's per-type `locations` list is the authoritative source
// (https://docs.hetzner.cloud/changelog#2026-04-01-datacenter-deprecations moved availability there).

import { byslug, type ManagedPostgresSize, type ManagedSize, type ProviderCatalog, type RetiredSize, type ServerSize } from "./types";


const server = (
  slug: string,
  vcpu: number,
  memoryGb: number,
  diskGb: number,
  monthly: number,
  opts: { arch?: "x86" | "arm"; dedicatedCpu?: boolean; locations?: readonly string[] } = {},
): ServerSize => ({
  slug,
  vcpu,
  memoryMb: memoryGb * 1024,
  diskGb,
  arch: opts.arch ?? "x86",
  dedicatedCpu: opts.dedicatedCpu ?? false,
  monthly,
  ...(opts.locations ? { locations: opts.locations } : {}),
});

/** The EU locations, the only ones that sell the cost-optimized CX and CAX types. */
export const EU = ["fsn1", "nbg1", "hel1"] as const;
const eu = { locations: EU } as const;
const arm = { arch: "arm", locations: EU } as const;
const dedicated = { dedicatedCpu: true } as const;

const servers = byslug([
  // CX (cost-optimized, shared Intel/AMD): the October 2025 generation that replaced
  // cx22/cx32/cx42/cx52, which were deprecated then and are no longer orderable.
  server("cx23", 2, 4, 40, 5.49, eu),
  server("cx33", 4, 8, 80, 8.49, eu),
  server("cx43", 8, 16, 160, 15.99, eu),
  server("cx53", 16, 32, 320, 29.49, eu),
  // CPX (regular performance, shared AMD): cpx12…cpx62 replaced cpx11…cpx51 in the EU, where the
  // old types can no longer be ordered. Note the new sizes do not map one-to-one (cpx12 is 1 vCPU).
  server("cpx12", 1, 2, 40, 11.49),
  server("cpx22", 2, 4, 80, 19.49),
  server("cpx32", 4, 8, 160, 35.49),
  server("cpx42", 8, 16, 320, 69.49),
  server("cpx52", 12, 24, 480, 100.49),
  server("cpx62", 16, 32, 640, 129.99),
  // CAX (cost-optimized, shared Ampere Altra ARM64): priced above CX since 2026-06-15, and often
  // unavailable; images must be built for arm64.
  server("cax11", 2, 4, 40, 5.99, arm),
  server("cax21", 4, 8, 80, 10.49, arm),
  server("cax31", 8, 16, 160, 20.99, arm),
  server("cax41", 16, 32, 320, 40.99, arm),
  // CCX (general purpose, dedicated AMD vCPUs).
  server("ccx13", 2, 8, 80, 42.99, dedicated),
  server("ccx23", 4, 16, 160, 85.99, dedicated),
  server("ccx33", 8, 32, 240, 138.49, dedicated),
  server("ccx43", 16, 64, 360, 275.99, dedicated),
]);

// Types Hetzner no longer sells, each pointing at the current type with the same vCPU and memory
// in the same family, so a stack copied from an older one is told what to use instead.
// - The CX Gen 2 (cx22…cx52) and CPX Gen 1 (cpx11…cpx51) types were deprecated on 2025-10-16 and
//   removed from the API at the end of 2025 (https://docs.hetzner.cloud/changelog#2025-10-16-server-types-deprecated,
//   as quoted in https://github.com/ansible-collections/hetzner.hcloud/pull/718 and
//   https://github.com/pulumi/pulumi-hcloud/pull/939). The CX successors keep vCPU and memory
//   (cx22 2/4 → cx23 2/4). CPX Gen 2 was resized: each CPX Gen 1 type maps to the Gen 2 type with
//   the same memory (cpx11 2 vCPU/2 GB → cpx12 1 vCPU/2 GB; cpx21 3/4 → cpx22 2/4; cpx51 16/32 → cpx62).
// - The Intel CX Gen 1 types (cx11…cx51) were deprecated on 2024-06-06
//   (https://docs.hetzner.cloud/changelog#2024-06-06-old-server-types-with-shared-intel-vcpus-are-deprecated,
//   quoted in https://github.com/hetznercloud/terraform-provider-hcloud/pull/937); their
//   successors cx22…cx52 are themselves retired, so they point at today's type of the same memory.
// checked: 2026-11-30.
const retired = (successor: string, note: string): RetiredSize => ({ successor, note });
const gen2 = "deprecated by Hetzner on 2025-10-16, no longer orderable";
const gen1 = "deprecated by Hetzner on 2024-06-06, no longer orderable";
const retiredServers: Readonly<Record<string, RetiredSize>> = Object.freeze({
  cx11: retired("cx23", gen1),
  cx21: retired("cx23", gen1),
  cx31: retired("cx33", gen1),
  cx41: retired("cx43", gen1),
  cx51: retired("cx53", gen1),
  cx22: retired("cx23", gen2),
  cx32: retired("cx33", gen2),
  cx42: retired("cx43", gen2),
  cx52: retired("cx53", gen2),
  cpx11: retired("cpx12", gen2),
  cpx21: retired("cpx22", gen2),
  cpx31: retired("cpx32", gen2),
  cpx41: retired("cpx42", gen2),
  cpx51: retired("cpx62", gen2),
});

// Hetzner sells no managed databases, caches or search, so the spec must self-host all three.
const none = <T extends ManagedSize>(): Readonly<Record<string, T>> => Object.freeze({});

export const hetzner: ProviderCatalog = {
  provider: "hetzner",
  currency: "EUR",
  source: { url: "https://docs.hetzner.com/general/infrastructure-and-availability/price-adjustment/", checked: "2026-07-23" },
  regions: ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"],
  servers,
  retiredServers,
  // €0.0572/GB-month (a 200 GB set of volumes priced €11.44 in the 2026-07-23 API snapshot).
  volumePerGbMonth: 0.0572,
  // A primary IPv4 is billed separately from the server (€0.50 EU; US $0.60); IPv6-only hosts skip it.
  ipv4Monthly: 0.5,
  // LB11 (5 services, 25 targets): €7.49, derived from the API's LB11 + one IPv4 = €7.99.
  loadBalancerMonthly: 7.49,
  managedPostgres: none<ManagedPostgresSize>(),
  managedRedis: none<ManagedSize>(),
  managedOpenSearch: none<ManagedSize>(),
  // objectStorage stays undefined: Hetzner Object Storage exists, but the spec's `spaces` media
  // backend is DigitalOcean's; Hetzner stacks put media on R2 or another S3 service.
};
