// Provider catalogs: the facts the spec validates against and the planner sizes from.
// Every table carries where its numbers came from and when they were checked, because
// provider sizes and prices change (Hetzner raised prices twice in 2026).

export type Currency = "USD" | "EUR";
export type CloudProvider = "digitalocean" | "hetzner";

export interface Source {
  /** The page the numbers were taken from. */
  url: string;
  /** ISO date the numbers were last checked against that page. */
  checked: string;
}

export interface ServerSize {
  slug: string;
  vcpu: number;
  memoryMb: number;
  diskGb: number;
  arch: "x86" | "arm";
  /** Dedicated (not shared) vCPUs. */
  dedicatedCpu: boolean;
  /** Monthly price of the server alone, in the catalog's currency (IPv4 priced separately on Hetzner). */
  monthly: number;
  /** Regions where the provider sells this size; absent when it is sold in every catalog region. */
  locations?: readonly string[];
}

export interface ManagedSize {
  slug: string;
  vcpu: number;
  memoryMb: number;
  /** Monthly price of one node. */
  monthlyPerNode: number;
  /** Regions where the provider sells this size; absent when it is sold in every catalog region. */
  locations?: readonly string[];
}

export interface ManagedPostgresSize extends ManagedSize {
  /** Backend connections the plan may use (the provider's limit less its reserved ones). */
  maxConnections: number;
  /** Nodes a cluster of this size may have (primary plus standbys). */
  maxNodes: number;
}

/** A size the provider no longer sells, and the current size that replaced it. */
export interface RetiredSize {
  successor: string;
  /** When and where the provider announced the retirement. */
  note: string;
}

export interface ProviderCatalog {
  provider: CloudProvider;
  currency: Currency;
  source: Source;
  regions: readonly string[];
  servers: Readonly<Record<string, ServerSize>>;
  /** Server slugs that can no longer be ordered, each pointing at its successor in `servers`. */
  retiredServers: Readonly<Record<string, RetiredSize>>;
  /** Block storage, per GB-month. */
  volumePerGbMonth: number;
  /** Public IPv4 address per month (0 where it is included in the server price). */
  ipv4Monthly: number;
  /** Load balancer, smallest size, per month. */
  loadBalancerMonthly: number;
  /** Managed Kubernetes, where offered: nodes are billed as servers of their size. */
  kubernetes?: { controlPlaneMonthly: number; haControlPlaneMonthly: number; source: Source };
  managedPostgres: Readonly<Record<string, ManagedPostgresSize>>;
  managedRedis: Readonly<Record<string, ManagedSize>>;
  managedOpenSearch: Readonly<Record<string, ManagedSize>>;
  /** S3-compatible object storage, if the provider sells it. */
  objectStorage?: {
    baseMonthly: number;
    includedGb: number;
    includedTransferGb: number;
    extraPerGbMonth: number;
    regions: readonly string[];
  };
}

export interface R2Pricing {
  currency: "USD";
  source: Source;
  perGbMonth: number;
  freeGb: number;
  classAPerMillion: number;
  classBPerMillion: number;
}

/** A price table keyed by slug, frozen: the catalogs are read-only facts. */
export const byslug = <T extends { slug: string }>(items: readonly T[]): Readonly<Record<string, T>> =>
  Object.freeze(Object.fromEntries(items.map((i) => [i.slug, i])));
