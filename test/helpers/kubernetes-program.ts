// The Kubernetes tier's program runs the tests share: stacks/kubernetes.yaml, and the same with a
// second node pool for Sidekiq and a web domain apart from the local one, recorded with their
// secrets revealed (to prove where they do not go); and the accessors the tests read them with.
import path from "node:path";
import { buildPlan } from "../../src/plan";
import type { RecordedResource } from "../../src/program/mocks";
import { mockState } from "../../src/program/mock-state/index";
import { runOffline } from "../../src/program/offline";
import { loadStack, parseStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { inputs, one, ofType, STACKS, type ProgramRun } from "./program";
import { edited } from "./stacks";

export type Obj = Record<string, any>;

export const T = {
  cluster: "digitalocean:index/kubernetesCluster:KubernetesCluster",
  nodePool: "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
  vpc: "digitalocean:index/vpc:Vpc",
  droplet: "digitalocean:index/droplet:Droplet",
  lb: "digitalocean:index/loadBalancer:LoadBalancer",
  firewall: "digitalocean:index/firewall:Firewall",
  database: "digitalocean:index/databaseCluster:DatabaseCluster",
  dbFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  dns: "digitalocean:index/dnsRecord:DnsRecord",
  provider: "pulumi:providers:kubernetes",
  release: "kubernetes:helm.sh/v3:Release",
  job: "kubernetes:batch/v1:Job",
  secret: "kubernetes:core/v1:Secret",
  service: "kubernetes:core/v1:Service",
  gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  issuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
  scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
  triggerAuth: "kubernetes:keda.sh/v1alpha1:TriggerAuthentication",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
} as const;

async function run(spec: Spec): Promise<ProgramRun> {
  const plan = buildPlan(spec);
  return { spec, plan, ...(await runOffline(spec, plan, { revealSecrets: true })) };
}

/** stacks/kubernetes.yaml as shipped. */
export const runKubernetesStack = () => run(loadStack(path.join(STACKS, "kubernetes.yaml")));

/** The same with a second pool for every Sidekiq group, and social.example.social serving example.social (www too). */
export const runTwoPools = () =>
  run(
    parseStack(
      edited("kubernetes", (d) => {
        d.kubernetes.nodePools.push({ name: "workers", size: "s-4vcpu-8gb", minNodes: 1, maxNodes: 4 });
        for (const g of d.kubernetes.sidekiq) g.pool = "workers";
        d.webDomain = "social.example.social";
        d.alternateDomains = ["www.example.social"];
      }),
      "kubernetes.yaml",
    ),
  );

export const raw = (r: RecordedResource): Obj => r.rawInputs as Obj;
export const chartRelease = (r: ProgramRun) => one(r, T.release, `${r.spec.name}-k8s-release`);
export const values = (r: ProgramRun): Obj => inputs(chartRelease(r)).values as Obj;
export const clusterId = (r: ProgramRun) => `${r.spec.name}-cluster-id`;
/** Objects of a type by their Kubernetes name. */
export const byName = (r: ProgramRun, type: string) => new Map(ofType(r, type).map((x) => [(inputs(x).metadata as Obj).name as string, x]));
export const kubernetesObjects = (r: ProgramRun) => r.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"));
export const addon = (r: ProgramRun, name: string) => one(r, T.release, `${r.spec.name}-k8s-addons-${name}`);
/** What the mocked Gateway controller reports as the load balancer's address. */
export const gatewayAddress = (r: ProgramRun) => String((mockState(T.gateway, `${r.spec.name}-k8s-routing-gateway`, {}).status as Obj).addresses[0].value);

/** Every secret value of every Secret (not the user names, nor the CA's public certificate): what must appear nowhere else. */
export function secretStrings(r: ProgramRun): string[] {
  const out = new Set<string>();
  for (const s of ofType(r, T.secret)) {
    for (const [k, v] of Object.entries((raw(s).stringData ?? {}) as Obj)) if (typeof v === "string" && v !== "" && k !== "username" && k !== "ca.crt") out.add(v);
  }
  return [...out];
}
