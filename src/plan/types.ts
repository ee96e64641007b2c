// The Plan: everything decided before any cloud resource exists. Pure data, no Pulumi.
import type { CloudProvider, Currency } from "../catalog/types";
import type { Queue, Role } from "../spec/schema/common";

/** What a change to a file requires on its host, so a converge restarts exactly what changed. */
export type Action =
  | { kind: "daemon-reload" }
  | { kind: "reload"; unit: string }
  | { kind: "restart"; unit: string }
  | { kind: "enable"; unit: string }
  /** Run a oneshot that applies configuration now, whether or not it ran before (restart, not try-restart). */
  | { kind: "apply"; unit: string }
  /** Rebuild the system CA store after a CA file under /usr/local/share/ca-certificates changed. */
  | { kind: "update-ca-certificates" };

export interface HostFile {
  /** Absolute path on the host. */
  path: string;
  /** Octal, e.g. "0600". */
  mode: string;
  owner: string;
  group: string;
  /** Rendered text; secrets and resource outputs appear as {{secret:NAME}} / {{output:NAME}}. */
  content: string;
  secrets: string[];
  outputs: string[];
  after: Action[];
}

export type ProcessKind = "web" | "streaming" | "sidekiq";

export interface PlannedProcess {
  kind: ProcessKind;
  /** systemd unit that runs it, e.g. mastodon-sidekiq-ingress-1.service */
  unit: string;
  /** Puma workers (web only; 1 for the others). */
  workers: number;
  /** Threads per worker (Puma MAX_THREADS, Sidekiq -c); streaming: its database pool. */
  threads: number;
  /** Database connections one worker may hold. */
  dbPool: number;
  /** Database connections the whole process may hold (workers × dbPool). */
  connections: number;
  memoryMb: number;
  port?: number;
  queues?: Queue[];
}

export interface MemoryItem {
  what: string;
  mb: number;
}

export interface PlannedHost {
  /** Instance name: group name plus index when the group has more than one (web-1, web-2). */
  name: string;
  group: string;
  index: number;
  size: string;
  vcpu: number;
  memoryMb: number;
  roles: Role[];
  ipv6Only: boolean;
  /** Private address: a literal where the plan decides it, else an {{output:…}} placeholder. */
  privateAddress: string;
  volumeGb?: number;
  processes: PlannedProcess[];
  memory: { items: MemoryItem[]; usedMb: number; availableMb: number; headroomMb: number };
  files: HostFile[];
  /** cloud-init user-data the server boots with (#cloud-config). */
  userData: string;
  /** The apt sources and packages the packages step keeps installed (render/packages-step.ts). */
  packages: PackageStep;
}

/** A third-party apt source: its file, and the key that signs it, fetched from keyUrl and accepted only with this fingerprint. */
export interface AptSource {
  list: string;
  keyring: string;
  /** The signing key's full fingerprint (40 hex digits). */
  fingerprint: string;
  keyUrl: string;
  content: string;
}

export interface PackageStep {
  sources: AptSource[];
  packages: string[];
  /** nodejs must be at least this major (NodeSource's): Debian's older one is replaced. */
  nodeMajor?: number;
  /** Install `package` only while `path` is a mount point (its data belongs on the host's volume). */
  mounts: { path: string; package: string }[];
  /** What the packages script reads on stdin. */
  input: string;
  /** sha256 of input: the step's trigger. */
  sha256: string;
}

export interface BudgetLine {
  what: string;
  count: number;
  each: number;
  total: number;
}

export interface ConnectionBudget {
  pooled: boolean;
  poolMode?: "transaction" | "session";
  clients: BudgetLine[];
  clientTotal: number;
  reserve: number;
  /** With a pool: PgBouncer's max_client_conn; without: the database's usable connections. */
  clientLimit: number;
  /** Server-side connections the pool opens (with a pool). */
  poolSize?: number;
  /** What the database allows the application. */
  databaseLimit: number;
  databaseLimitSource: string;
}

/** What kind of cloud resource a cost line pays for, so the resource graph can show it per resource. */
export type BilledKind = "server" | "ipv4" | "volume" | "loadBalancer" | "postgres" | "redis" | "search" | "objectStorage" | "kubernetes" | "nodePool";

export interface CostLine {
  resource: string;
  billed: { kind: BilledKind; host?: string };
  detail: string;
  currency: Currency;
  monthly: number;
  /** What the line costs at the autoscalers' maximum (node pools), when that differs. */
  maxMonthly?: number;
  source: string;
}

export interface CostSummary {
  lines: CostLine[];
  totals: Partial<Record<Currency, number>>;
  /** Everything in the provider's currency, at a stated exchange rate. */
  total: { currency: Currency; monthly: number; rate?: string };
  /** The total with every node pool at its maximum (Kubernetes tier). */
  totalAtMax?: number;
}

export interface ServicePlan {
  postgres:
    | { kind: "managed"; size: string; nodes: number; version: string; maxConnections: number }
    | { kind: "selfHosted"; host: string; version: string; maxConnections: number; sharedBuffersMb: number };
  pool: { kind: "managed" | "pgbouncer" | "none"; mode?: "transaction" | "session"; hosts: string[]; size: number; maxClientConn: number };
  redis: { kind: "managed"; size: string } | { kind: "selfHosted"; host: string; maxmemoryMb: number };
  search: { kind: "off" } | { kind: "managed"; size: string } | { kind: "selfHosted"; host: string; heapMb: number };
  media: { kind: "spaces" | "r2" | "s3" | "local" };
  loadBalancer: { enabled: boolean; tls: "passthrough" | "terminate" };
}

/** CPU in millicores and memory in MB (MiB, as Kubernetes' Mi): what a pod requests or a node offers. */
export interface PodResources {
  cpuMillis: number;
  memoryMb: number;
}

/** How a workload's replica count moves between its min and max. */
export type Autoscale =
  | { kind: "fixed" }
  /** A HorizontalPodAutoscaler on average CPU as a share of the pods' request. */
  | { kind: "cpu"; targetPercent: number }
  /** KEDA's Redis list scaler: one trigger per queue (Sidekiq queues are Redis lists `queue:<name>`). */
  | { kind: "queues"; queues: Queue[]; backlogPerReplica: number };

export interface PlannedWorkload {
  /** The chart's component: web, streaming, or sidekiq-<group> (its Deployment is <release>-<name>). */
  name: string;
  kind: ProcessKind;
  /** The node pool its pods run on. */
  pool: string;
  replicas: { min: number; max: number };
  autoscale: Autoscale;
  /** One pod: Puma workers × threads, or Sidekiq threads and queues; its connections and memory. */
  process: PlannedProcess;
  requests: PodResources;
  /** Memory limit only: a CPU limit would throttle a busy Puma worker and slow every request on it. */
  limits: { memoryMb: number };
  /** Where the stack file sets its replicas (for located refusals), e.g. ["kubernetes", "sidekiq", 2, "replicas"]. */
  at: (string | number)[];
}

export interface PlannedNodePool {
  name: string;
  size: string;
  vcpu: number;
  memoryMb: number;
  /** What one node leaves pods after DOKS's reservations and its system pods. */
  allocatable: PodResources;
  minNodes: number;
  maxNodes: number;
  /** The pods' requests on this pool (and the cluster add-ons on the first) at min and at max replicas. */
  requestedAtMin: PodResources;
  requestedAtMax: PodResources;
  /** Nodes those requests need, the headroom kept free. */
  nodesAtMin: number;
  nodesAtMax: number;
}

export interface KubernetesPlan {
  /** DOKS minor version; the newest patch of it is used. */
  version: string;
  highAvailability: boolean;
  podCidr: string;
  serviceCidr: string;
  namespace: string;
  /** Helm release name of Mastodon's chart: its objects are named <release>-web, <release>-sidekiq-<group>. */
  release: string;
  /** Mastodon's official chart (fixture: ../shared/fixtures/mastodon-helm-chart/<version>). */
  chart: { repository: string; name: string; version: string };
  nodePools: PlannedNodePool[];
  workloads: PlannedWorkload[];
  /** Cluster add-ons the program installs (cert-manager, KEDA), with what their pods request. */
  addons: { name: string; chart: string; repository: string; version: string; namespace: string; requests: PodResources }[];
}

export interface Plan {
  stack: { name: string; domain: string; webDomain: string; provider: CloudProvider; region: string; mastodonVersion: string };
  /** Empty on the Kubernetes tier, where every process is a pod (kubernetes.workloads). */
  hosts: PlannedHost[];
  kubernetes?: KubernetesPlan;
  services: ServicePlan;
  budget: ConnectionBudget;
  cost: CostSummary;
  /** Why the sizing came out as it did, for the summary: where the scheduler runs, what bounded each derived Sidekiq host. */
  sizing: { scheduler: string; sidekiq: string[] };
  warnings: string[];
}
