import { z } from "zod";
import { Cidr, DomainName, Ipv4Cidr, Name, Region } from "./common";
import { Host, MAX_HOST_GROUPS } from "./hosts";
import { Kubernetes } from "./kubernetes";
import { Backups, Dns, LoadBalancer, Mail, Media, Postgres, Redis, Search } from "./services";

export const Mastodon = z.strictObject({
  version: z.string().regex(/^v4\.([3-9]|[1-9]\d)\.\d+$/, { error: "must be a release tag v4.3.0 or newer, such as v4.5.2" }).describe("A release tag; 4.3 is the oldest with REDIS_DRIVER (rediss://) and ES_CA_FILE, which managed tiers need."),
  singleUserMode: z.boolean().default(false),
  registrations: z.enum(["open", "approval", "closed"]).default("approval"),
  defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/).default("en"),
  authorizedFetch: z.boolean().default(false),
  /** The first admin account, created once on a new instance. */
  admin: z.strictObject({ username: z.string().regex(/^[a-zA-Z0-9_]{1,30}$/), email: z.email() }).optional(),
});

export const Provider = z.strictObject({
  cloud: z.enum(["digitalocean", "hetzner"]),
  region: Region,
});

export const Network = z.strictObject({
  privateCidr: Ipv4Cidr.default("10.10.0.0/16"),
  adminCidrs: z.array(Cidr).min(1, { error: "must list at least one CIDR for SSH, such as your address/32" }).describe("Where SSH (and so `pulumi up`) comes from. Nothing else may reach port 22."),
  sshFromAnywhere: z
    .literal(true)
    .optional()
    .describe("Opt in to adminCidrs covering the whole Internet (0.0.0.0/0, ::/0): refused without it, warned about with it."),
  encryptInternal: z.boolean().default(true).describe("TLS on every connection between hosts (Postgres, PgBouncer, Redis)."),
  /** How IPv6-only hosts reach IPv4-only peers (GitHub, many instances). */
  // nat64 was accepted here once but never rendered: see ../retired.ts.
  ipv4Egress: z.strictObject({ gateway: Name.describe("A host group with IPv4 whose first host forwards IPv4 for the IPv6-only hosts.") }).optional(),
});

export const Tuning = z.strictObject({
  puma: z
    .strictObject({ workers: z.number().int().min(1).max(64).optional(), threads: z.number().int().min(1).max(64).optional() })
    .optional(),
  streaming: z.strictObject({ processes: z.number().int().min(1).max(32).optional() }).optional(),
  postgres: z
    .strictObject({
      maxConnections: z.number().int().min(20).max(10000).optional(),
      sharedBuffersMb: z.number().int().min(16).optional(),
    })
    .optional(),
  memoryHeadroomPercent: z.number().int().min(0).max(60).default(15).describe("Share of each host's memory kept free of planned processes (page cache, spikes)."),
  connectionReserve: z.number().int().min(0).max(500).default(10).describe("Connections held back for migrations, consoles and maintenance jobs."),
});

export const Stack = z.strictObject({
  $schema: z.string().optional(),
  name: Name,
  domain: DomainName,
  webDomain: DomainName.optional(),
  alternateDomains: z.array(DomainName).default([]),
  mastodon: Mastodon,
  provider: Provider,
  network: Network,
  // At least one unless the stack runs on Kubernetes (a rule: rules.ts checkTier).
  hosts: z
    .array(Host)
    .max(MAX_HOST_GROUPS, { error: `must list at most ${MAX_HOST_GROUPS} host groups: a fleet that large belongs on managed Kubernetes` })
    .default([]),
  kubernetes: Kubernetes.optional().describe("Run Mastodon's processes as pods on DigitalOcean Kubernetes instead of on hosts."),
  loadBalancer: LoadBalancer.default({ enabled: false, tls: "passthrough" }),
  postgres: Postgres,
  redis: Redis,
  search: Search.default({ off: true }),
  media: Media,
  dns: Dns.default({ provider: "none" }),
  mail: Mail.optional(),
  backups: Backups.optional(),
  tuning: Tuning.default({ memoryHeadroomPercent: 15, connectionReserve: 10 }),
  rollout: z
    .strictObject({
      hostsAtOnce: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(1)
        .describe("App hosts restarted together on an upgrade or a configuration change. 1 keeps the most capacity serving; more finishes a large fleet sooner."),
    })
    .default({ hostsAtOnce: 1 }),
  protectData: z
    .boolean()
    .default(true)
    .describe("Create the database, data volumes, media buckets (and a host that keeps Postgres on its own disk) with Pulumi's protect: destroy or replacement stops instead of deleting data."),
});

export type Spec = z.infer<typeof Stack>;
export type StackInput = z.input<typeof Stack>;
