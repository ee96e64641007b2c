import { z } from "zod";
import { Ipv4Cidr, Name, Queue } from "./common";

/**
 * Replicas a workload runs between. With min < max it autoscales (web on CPU, a Sidekiq group on
 * its queues' backlog in Redis); the connection budget and the node pools are checked at max.
 */
export const Replicas = z
  .strictObject({
    min: z.number().int().min(1).max(100),
    max: z.number().int().min(1).max(200),
  })
  .refine((r) => r.max >= r.min, { error: "max must be at least min" });

export const NodePool = z.strictObject({
  name: Name.describe("Names the DOKS node pool; workloads pick it with `pool:`."),
  size: z.string().min(1).describe("Droplet size slug of each node, e.g. s-4vcpu-8gb."),
  minNodes: z.number().int().min(1).max(100).default(1),
  maxNodes: z.number().int().min(1).max(100).describe("The cluster autoscaler adds nodes up to this when pods do not fit."),
});

const Pool = Name.optional().describe("The node pool the pods run on; defaults to the first.");

export const KubeWeb = z.strictObject({
  replicas: Replicas.default({ min: 2, max: 4 }),
  workers: z.number().int().min(1).max(16).default(2).describe("Puma workers per pod (WEB_CONCURRENCY)."),
  threads: z.number().int().min(1).max(32).default(5).describe("Threads per Puma worker (MAX_THREADS)."),
  cpuTargetPercent: z.number().int().min(20).max(95).default(70).describe("Average CPU, as a share of the pods' request, above which web scales out."),
  pool: Pool,
});

export const KubeStreaming = z.strictObject({
  replicas: Replicas.default({ min: 2, max: 2 }),
  cpuTargetPercent: z.number().int().min(20).max(95).default(70),
  pool: Pool,
});

export const KubeSidekiq = z.strictObject({
  name: Name.optional().describe("Names the Deployment mastodon-sidekiq-<name>; defaults to the queues joined by '-'."),
  queues: z.array(Queue).min(1).refine((q) => new Set(q).size === q.length, { error: "lists a queue twice" }),
  threads: z.number().int().min(1).max(25, { error: "must be at most 25: scale with replicas instead" }).default(25).describe("Sidekiq concurrency per pod (and so its DB_POOL)."),
  replicas: Replicas.default({ min: 1, max: 1 }),
  backlogPerReplica: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(500)
    .describe("Jobs waiting in the group's queues per replica before another replica starts (KEDA's Redis list scaler)."),
  pool: Pool,
});
export type KubeSidekiq = z.infer<typeof KubeSidekiq>;

/** Run the app tier on DigitalOcean Kubernetes: the data services stay managed, media in object storage. */
export const Kubernetes = z.strictObject({
  version: z
    .string()
    .regex(/^1\.(3[3-9]|[4-9]\d)$/, { error: "must be a Kubernetes minor version 1.33 or newer, such as 1.34 (DOKS's managed Gateway API needs 1.33)" })
    .default("1.34")
    .describe("DOKS minor version; the newest patch DigitalOcean offers of it is used, and patches follow in the maintenance window."),
  highAvailability: z.boolean().default(false).describe("A replicated control plane (billed by DigitalOcean)."),
  podCidr: Ipv4Cidr.default("10.244.0.0/16").describe("VPC-native pod addresses (DOKS cluster_subnet); must not overlap network.privateCidr or serviceCidr."),
  serviceCidr: Ipv4Cidr.default("10.245.0.0/16").describe("Service addresses (DOKS service_subnet)."),
  nodePools: z.array(NodePool).min(1, { error: "must list at least one node pool" }).max(10),
  web: KubeWeb.default({ replicas: { min: 2, max: 4 }, workers: 2, threads: 5, cpuTargetPercent: 70 }),
  streaming: KubeStreaming.default({ replicas: { min: 2, max: 2 }, cpuTargetPercent: 70 }),
  sidekiq: z
    .array(KubeSidekiq)
    .min(1)
    .optional()
    .describe("One Deployment per queue group; without it the planner derives the groups. The group with the scheduler queue runs exactly one replica."),
});
export type Kubernetes = z.infer<typeof Kubernetes>;
