// The resource-graph part of summary.md: what the program registers, per provider and type, the
// longest dependency chain, and which registered resource each cost line pays for.
import { formatMoney } from "../plan/format";
import type { CostLine, Plan } from "../plan/types";
import type { GraphStats } from "../program/graph";
import type { RecordedResource } from "../program/mocks";

const BILLED_TYPES: Record<CostLine["billed"]["kind"], (r: RecordedResource) => boolean> = {
  server: (r) => r.type === "digitalocean:index/droplet:Droplet" || r.type === "hcloud:index/server:Server",
  ipv4: (r) => r.type === "hcloud:index/primaryIp:PrimaryIp" && input(r, "type") === "ipv4",
  volume: (r) => r.type === "digitalocean:index/volume:Volume" || r.type === "hcloud:index/volume:Volume",
  loadBalancer: (r) => r.type === "digitalocean:index/loadBalancer:LoadBalancer" || r.type === "hcloud:index/loadBalancer:LoadBalancer",
  postgres: (r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && input(r, "engine") === "pg",
  redis: (r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && ["valkey", "redis"].includes(String(input(r, "engine"))),
  search: (r) => r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && input(r, "engine") === "opensearch",
  kubernetes: (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
  nodePool: (r) => r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
  objectStorage: (r) => r.type === "digitalocean:index/spacesBucket:SpacesBucket" || r.type === "cloudflare:index/r2Bucket:R2Bucket",
};

function input(r: RecordedResource, key: string): unknown {
  return (r.inputs as Record<string, unknown>)[key];
}

/** The registered resource a cost line pays for: by type, and by host name for per-host lines. */
export function billedResource(line: CostLine, resources: readonly RecordedResource[]): RecordedResource | undefined {
  const host = line.billed.host;
  const candidates = resources.filter((r) => r.custom && BILLED_TYPES[line.billed.kind](r));
  if (!host) return candidates.length === 1 ? candidates[0] : undefined;
  const exact = candidates.filter((r) => r.name.endsWith(`-${host}`));
  const loose = exact.length > 0 ? exact : candidates.filter((r) => r.name.includes(`-${host}-`));
  return [...loose].sort((a, b) => a.name.length - b.name.length)[0];
}

const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

export function resourcesMarkdown(plan: Plan, resources: readonly RecordedResource[], g: GraphStats): string[] {
  const out = ["## Cloud resources", ""];
  out.push(
    `The program registers ${g.cloudResources} cloud resources under ${g.resources - g.cloudResources} components (${Object.entries(g.byProvider).map(([p, k]) => `${p} ${k}`).join(", ")}); every input is in plan.json, secrets as \`<redacted>\`.`,
    "",
  );
  out.push(table(["provider", "type", "count"], Object.entries(g.byType).map(([t, k]) => [t.split(":")[0]!, `\`${t.split(":").pop()}\``, k])), "");
  out.push(`Longest dependency chain (${g.longestChain.length} resources, created one after another): ${g.longestChain.map((c) => `\`${c.split("::")[1]}\``).join(" → ")}.`, "");
  out.push("### Cost per resource", "");
  out.push(
    table(
      ["cost line", "Pulumi resource", "monthly"],
      plan.cost.lines.map((l) => {
        const r = billedResource(l, resources);
        return [l.resource, r ? `\`${r.name}\` (${r.type.split(":").pop()})` : "—", formatMoney(l.monthly, l.currency)];
      }),
    ),
    "",
  );
  return out;
}
