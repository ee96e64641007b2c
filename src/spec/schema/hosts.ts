import { z } from "zod";
import { Name, Queue, Role } from "./common";

export const SidekiqGroup = z.strictObject({
  name: Name.optional().describe("Names the unit: mastodon-sidekiq-<name>. Defaults to the queues joined by '-'."),
  queues: z.array(Queue).min(1).refine((q) => new Set(q).size === q.length, { error: "lists a queue twice" }),
  threads: z.number().int().min(1).max(25, { error: "must be at most 25: split the group into more processes instead" }).optional().describe("Threads per process; more than 25 in one process wastes database connections."),
  processes: z.number().int().min(1).max(16).default(1).describe("Processes running this group on each host of the group."),
});
export type SidekiqGroup = z.infer<typeof SidekiqGroup>;

/**
 * Planning is pure but not free: under load the offline plan of 50 hosts took 33 s and 200 hosts
 * 77 s and 770 MB (2026-11-30), and 10,000 groups ran out of heap. Past these the design moves
 * to managed Kubernetes (DESIGN.md, "Beyond one machine"), so larger files are refused up front.
 */
export const MAX_HOST_GROUPS = 50;
export const MAX_HOSTS = 100;

export const Host = z.strictObject({
  name: Name,
  size: z.string().min(1).describe("Provider size slug: s-2vcpu-4gb on DigitalOcean, cx23 on Hetzner."),
  count: z.number().int().min(1).max(50).default(1),
  roles: z
    .array(Role)
    .min(1, { error: "must list at least one role" })
    .refine((r) => new Set(r).size === r.length, { error: "lists a role twice" }),
  sidekiq: z.strictObject({ groups: z.array(SidekiqGroup).min(1) }).optional().describe("Explicit Sidekiq queue groups; without them the planner derives groups from the host's size."),
  /** Hetzner only: no public IPv4 (saves the IPv4 fee); needs network.ipv4Egress to reach IPv4-only peers. */
  ipv6Only: z.boolean().default(false),
  volume: z.strictObject({ sizeGb: z.number().int().min(10).max(10000) }).optional().describe("A block-storage volume for the data this host keeps (Postgres data directory, local media)."),
});
export type Host = z.infer<typeof Host>;
