// A generated 50-host DigitalOcean stack: the size a busy instance reaches before Kubernetes.
import { stringify } from "yaml";

export function largeStackYaml(hosts = 50): string {
  const edge = Math.max(2, Math.round(hosts * 0.1));
  const web = Math.round((hosts - edge) / 2);
  const worker = hosts - edge - web;
  return stringify({
    name: "large",
    domain: "large.example.social",
    mastodon: { version: "v4.5.2" },
    provider: { cloud: "digitalocean", region: "fra1" },
    network: { adminCidrs: ["203.0.113.7/32"] },
    hosts: [
      { name: "edge", size: "s-2vcpu-2gb", count: edge, roles: ["proxy"] },
      { name: "web", size: "s-4vcpu-8gb", count: web, roles: ["web", "streaming"] },
      { name: "worker", size: "s-4vcpu-8gb", count: worker, roles: ["sidekiq"] },
    ],
    loadBalancer: { enabled: true },
    postgres: { managed: { size: "db-s-16vcpu-64gb", nodes: 3 }, pool: { mode: "transaction" } },
    redis: { managed: { size: "db-s-4vcpu-8gb" } },
    search: { managed: { size: "db-s-4vcpu-8gb" } },
    media: { spaces: { region: "fra1", cdn: true } },
  });
}
