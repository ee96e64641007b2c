// DigitalOcean catalog (USD, monthly, excl. tax).
//
// Sources:
//   Droplets        https://www.digitalocean.com/pricing/droplets
//   Managed DBs     https://www.digitalocean.com/pricing/managed-databases
//   PG connections  https://docs.digitalocean.com/products/databases/postgresql/details/limits/
//   DB size slugs   https://github.com/digitalocean/openapi (specification/resources/databases/responses/options.yml, 2026-08-07)
//   PG machine types https://docs.digitalocean.com/products/databases/postgresql/details/availability/ (generated 2026-03-26)
//   Standby nodes   https://docs.digitalocean.com/products/databases/postgresql/how-to/add-standby-nodes/ (edited 2025-06-17)
//   Droplet list    a `doctl compute size list` transcript in a public repository's README (its Basic,
//                   General Purpose and CPU-Optimized prices match the Droplets below), used only to
//                   estimate the dedicated database prices below
//   Load balancers  https://www.digitalocean.com/pricing/load-balancer
//   Volumes         https://docs.digitalocean.com/products/volumes/details/pricing/
//   Spaces          https://www.digitalocean.com/pricing/spaces-object-storage
//                   https://docs.digitalocean.com/products/spaces/details/availability/ (generated 2026-03-23)
// checked: 2026-09-30. The pricing pages themselves could not be fetched from here; every figure
// below was cross-checked against dated third-party transcriptions of them (2026-09-23, 2026-09-30)
// and the slugs against @pulumi/digitalocean's enums and DO's OpenAPI spec. Figures marked
// UNCONFIRMED are extrapolations and must be re-read from the pricing page before relying on them.

import { byslug, type ManagedPostgresSize, type ManagedSize, type ProviderCatalog, type ServerSize } from "./types";


const droplet = (slug: string, vcpu: number, memoryGb: number, diskGb: number, monthly: number, dedicatedCpu = false): ServerSize => ({
  slug,
  vcpu,
  memoryMb: Math.round(memoryGb * 1024),
  diskGb,
  arch: "x86",
  dedicatedCpu,
  monthly,
});

const node = (slug: string, vcpu: number, memoryGb: number, monthlyPerNode: number, locations?: readonly string[]): ManagedSize => ({
  slug,
  vcpu,
  memoryMb: memoryGb * 1024,
  monthlyPerNode,
  ...(locations ? { locations } : {}),
});

// A cluster is a primary and up to two standbys (3 nodes), but "due to the memory requirements of
// replication, standby nodes are only supported for plans with 2 GB of RAM or more" (standby-node
// docs above); DO's OpenAPI options list db-s-1vcpu-1gb for PostgreSQL only under num_nodes: 1.
const STANDBY_MIN_GB = 2;

// DO gives PostgreSQL 25 backend connections per GiB of RAM and keeps 3 for its own maintenance,
// so the usable figure is 25·GiB − 3 (1 GiB → 22, the number DO's own pooling guide uses).
const pg = (slug: string, vcpu: number, memoryGb: number, monthlyPerNode: number, locations?: readonly string[]): ManagedPostgresSize => ({
  ...node(slug, vcpu, memoryGb, monthlyPerNode, locations),
  maxConnections: 25 * memoryGb - 3,
  maxNodes: memoryGb >= STANDBY_MIN_GB ? 3 : 1,
});

// Regions where Basic Droplets, regional load balancers and managed PostgreSQL are all sold; nyc2,
// sfo1 and ams2 are closed to new resources, and ric1 only takes the newer v5 Droplet plans.
const regions = ["nyc1", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1", "atl1"] as const;

// Regions whose PostgreSQL availability row has General Purpose and Storage-Optimized (not atl1).
const dedicatedRegions = regions.filter((r) => r !== "atl1");

const servers = byslug([
  // Basic (shared CPU), Regular SSD: unchanged since the July 2022 repricing.
  droplet("s-1vcpu-512mb-10gb", 1, 0.5, 10, 4),
  droplet("s-1vcpu-1gb", 1, 1, 25, 6),
  droplet("s-1vcpu-2gb", 1, 2, 50, 12),
  droplet("s-2vcpu-2gb", 2, 2, 60, 18),
  droplet("s-2vcpu-4gb", 2, 4, 80, 24),
  droplet("s-4vcpu-8gb", 4, 8, 160, 48),
  droplet("s-8vcpu-16gb", 8, 16, 320, 96),
  // General Purpose (dedicated CPU, 4 GiB per vCPU).
  droplet("g-2vcpu-8gb", 2, 8, 25, 63, true),
  droplet("g-4vcpu-16gb", 4, 16, 50, 126, true),
  droplet("g-8vcpu-32gb", 8, 32, 100, 252, true),
  // CPU-Optimized (dedicated CPU, 2 GiB per vCPU); the API names them by vCPU count only.
  droplet("c-2", 2, 4, 25, 42, true),
  droplet("c-4", 4, 8, 50, 84, true),
  droplet("c-8", 8, 16, 100, 168, true),
]);

// Storage-inclusive PostgreSQL prices (10/30/60 GiB included on the three smallest plans).
// 1–4 GiB confirmed at $15.15/$30.45/$60.90; the larger plans follow the same +1.5 % over the
// old flat $120/$240/$480/$960 list and are UNCONFIRMED. DO's options example lists the 8/16
// vCPU sizes only for other engines; they remain valid slugs in @pulumi/digitalocean.
const managedPostgres = byslug([
  pg("db-s-1vcpu-1gb", 1, 1, 15.15),
  pg("db-s-1vcpu-2gb", 1, 2, 30.45),
  pg("db-s-2vcpu-4gb", 2, 4, 60.9),
  pg("db-s-4vcpu-8gb", 4, 8, 121.8), // UNCONFIRMED
  pg("db-s-6vcpu-16gb", 6, 16, 243.6), // UNCONFIRMED
  pg("db-s-8vcpu-32gb", 8, 32, 487.2), // UNCONFIRMED
  pg("db-s-16vcpu-64gb", 16, 64, 974.4), // UNCONFIRMED
  // General Purpose (gd-, dedicated vCPU, 4 GiB each) and Storage-Optimized (so1_5-, dedicated
  // vCPU, 8 GiB each, more disk): the slugs DO's OpenAPI options list for pg at 1, 2 and 3 nodes.
  // The reference deployment's database today is "2 dedicated vCPU and 16GB" (so1_5-2vcpu-16gb).
  // DO's availability page sells both in every region here except atl1 (and no Memory-Optimized
  // PostgreSQL anywhere). No managed-database price for them could be read: each is estimated
  // as the Droplet of the same slug × 2.5375, the ratio of DO's confirmed db-s prices to their
  // Basic Droplets ($60.90 / $24). UNCONFIRMED: read https://www.digitalocean.com/pricing/managed-databases.
  pg("gd-2vcpu-8gb", 2, 8, 172.55, dedicatedRegions), // UNCONFIRMED (Droplet $68)
  pg("gd-4vcpu-16gb", 4, 16, 345.1, dedicatedRegions), // UNCONFIRMED (Droplet $136)
  pg("gd-8vcpu-32gb", 8, 32, 690.2, dedicatedRegions), // UNCONFIRMED (Droplet $272)
  pg("gd-16vcpu-64gb", 16, 64, 1380.4, dedicatedRegions), // UNCONFIRMED (Droplet $544)
  pg("so1_5-2vcpu-16gb", 2, 16, 413.61, dedicatedRegions), // UNCONFIRMED (Droplet $163)
  pg("so1_5-4vcpu-32gb", 4, 32, 827.23, dedicatedRegions), // UNCONFIRMED (Droplet $326)
  pg("so1_5-8vcpu-64gb", 8, 64, 1654.45, dedicatedRegions), // UNCONFIRMED (Droplet $652)
]);

// Managed Caching (Valkey 8; the legacy "redis" engine has the same sizes). In-memory only, so no
// storage component: $15 for 1 GiB is confirmed, the doubling above it is DO's long-standing
// list and UNCONFIRMED for 2026. The 1 GiB plan cannot take standby nodes.
const managedRedis = byslug([
  node("db-s-1vcpu-1gb", 1, 1, 15),
  node("db-s-1vcpu-2gb", 1, 2, 30), // UNCONFIRMED
  node("db-s-2vcpu-4gb", 2, 4, 60), // UNCONFIRMED
  node("db-s-4vcpu-8gb", 4, 8, 120), // UNCONFIRMED
  node("db-s-6vcpu-16gb", 6, 16, 240), // UNCONFIRMED
  node("db-s-8vcpu-32gb", 8, 32, 480), // UNCONFIRMED
  node("db-s-16vcpu-64gb", 16, 64, 960), // UNCONFIRMED
  // Memory-Optimized (m-, dedicated vCPU, 8 GiB each): DO's OpenAPI options list them for the
  // caching engine only. Priced like the dedicated PostgreSQL sizes above. UNCONFIRMED.
  node("m-2vcpu-16gb", 2, 16, 213.15), // UNCONFIRMED (Droplet $84)
  node("m-4vcpu-32gb", 4, 32, 426.3), // UNCONFIRMED (Droplet $168)
  node("m-8vcpu-64gb", 8, 64, 852.6), // UNCONFIRMED (Droplet $336)
]);

// OpenSearch offers only these shared-CPU sizes (db-s-1vcpu-2gb as a single node only; 3+ nodes
// need ≥ db-s-2vcpu-4gb; larger clusters use gd-/m3- sizes not listed here). No OpenSearch price
// could be confirmed: these assume PostgreSQL's per-node price for the same size. UNCONFIRMED.
const managedOpenSearch = byslug([
  node("db-s-1vcpu-2gb", 1, 2, 30.45), // UNCONFIRMED
  node("db-s-2vcpu-4gb", 2, 4, 60.9), // UNCONFIRMED
  node("db-s-4vcpu-8gb", 4, 8, 121.8), // UNCONFIRMED
]);

export const digitalocean: ProviderCatalog = {
  provider: "digitalocean",
  currency: "USD",
  source: { url: "https://www.digitalocean.com/pricing", checked: "2026-09-30" },
  regions,
  servers,
  // Droplet slugs stay orderable when DO adds plans; none of the ones this catalog lists is retired.
  retiredServers: Object.freeze({}),
  volumePerGbMonth: 0.1,
  // Every Droplet gets a public IPv4 at no charge; only unassigned reserved IPs cost money.
  ipv4Monthly: 0,
  // Regional load balancers are priced per node; one node is the smallest size.
  loadBalancerMonthly: 12,
  // DOKS: the control plane is free, the highly available one a flat monthly fee; worker nodes
  // are Droplets at their own price, the Gateway's load balancer a load balancer. UNCONFIRMED:
  // the $40 HA fee is from memory of DO's pricing page, which is not reachable from here.
  kubernetes: { controlPlaneMonthly: 0, haControlPlaneMonthly: 40, source: { url: "https://www.digitalocean.com/pricing/kubernetes", checked: "unconfirmed" } },
  managedPostgres,
  managedRedis,
  managedOpenSearch,
  objectStorage: {
    // Subscription covers 250 GiB stored and 1 TiB outbound; overage is $0.02/GiB stored, $0.01/GiB out.
    baseMonthly: 5,
    includedGb: 250,
    includedTransferGb: 1024,
    extraPerGbMonth: 0.02,
    // Spaces Standard Storage regions; a stack in nyc1 must keep its media in nyc3 or on R2.
    regions: ["nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1", "atl1"],
  },
};
