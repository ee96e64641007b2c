// The stack file's kubernetes section and the rules of the tier: every refusal in one pass,
// located, with its fix — and a VM stack without hosts still told to add some.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { edited, issuesOf } from "../helpers/stacks";

const messages = (text: string) => issuesOf(text).map((i) => `${i.path}: ${i.message} | ${i.fix}`);

describe("Kubernetes tier: the stack file's rules", () => {
  it("accepts the reference stack and refuses it on Hetzner, saying so", () => {
    const hetzner = messages(edited("kubernetes", (d) => {
      d.provider = { cloud: "hetzner", region: "fsn1" };
      d.postgres = { selfHosted: { host: "db" } };
      d.redis = { selfHosted: { host: "db" } };
      d.search = { off: true };
      d.media = { r2: {} };
      d.dns = { provider: "none" };
    }));
    assert.ok(hetzner.includes("kubernetes: the Kubernetes tier runs on DigitalOcean Kubernetes only, not hetzner | remove the kubernetes section and run on hosts, or use provider.cloud: digitalocean"), hetzner.join("\n"));
  });

  it("refuses in one pass: hosts beside it, self-hosted data, local media, a balancer, backups, a session pool", () => {
    const m = messages(edited("kubernetes", (d) => {
      d.hosts = [{ name: "web", size: "s-2vcpu-4gb", roles: ["proxy", "web", "streaming", "sidekiq", "redis"] }];
      d.redis = { selfHosted: { host: "web" } };
      d.media = { local: {} };
      d.loadBalancer = { enabled: true };
      d.postgres.pool.mode = "session";
      d.backups = { target: { s3: { endpoint: "https://s3.example.com", bucket: "example-backups" } } };
    }));
    for (const expected of [
      "hosts: a stack on Kubernetes runs every Mastodon process as pods, so it has no hosts | remove the hosts section (node pools are kubernetes.nodePools)",
      "redis: on Kubernetes Redis must be managed (Valkey): Sidekiq's queues must outlive any pod | use redis.managed",
      "media.local: on Kubernetes media must be in object storage: pods share no disk (DigitalOcean offers no ReadWriteMany volumes) | use media.spaces (with cdn), r2 or s3",
      "loadBalancer: on Kubernetes the cluster's Gateway creates its own DigitalOcean load balancer | remove the loadBalancer section",
      "postgres.pool.mode: a session pool gives every replica's threads their own server connections; autoscaling would exhaust it | use mode: transaction",
    ]) assert.ok(m.includes(expected), `${expected}\n--- got:\n${m.join("\n")}`);
    assert.ok(m.some((x) => x.startsWith("backups: the off-site pg_dump backups run on a host")), m.join("\n"));
  });

  it("keeps the scheduler in one group of exactly one replica, and every queue covered", () => {
    const scaled = messages(edited("kubernetes", (d) => (d.kubernetes.sidekiq[5].replicas = { min: 1, max: 2 })));
    assert.deepEqual(scaled, ["kubernetes.sidekiq[5].replicas: the group with the scheduler queue runs 1 to 2 replicas; a second replica would run every periodic job twice, so it never scales | set replicas: { min: 1, max: 1 }, and move the other queues to a group of their own to scale them"]);
    const twice = messages(edited("kubernetes", (d) => d.kubernetes.sidekiq[4].queues.push("scheduler")));
    assert.equal(twice.filter((x) => x.includes("the scheduler queue is in 2 groups")).length, 2);
    const none = messages(edited("kubernetes", (d) => {
      d.kubernetes.sidekiq.pop();
      d.kubernetes.sidekiq[3].queues = ["ingress"];
      d.kubernetes.sidekiq[3].name = "ingress-2";
    }));
    assert.ok(none.includes("kubernetes.sidekiq: no Sidekiq group runs the scheduler queue, so periodic jobs would never run | add a group { name: scheduler, queues: [scheduler], threads: 5 }"), none.join("\n"));
    assert.ok(none.some((x) => x.startsWith("kubernetes.sidekiq: no Sidekiq group runs the pull queue (Mastodon v4.5.2)")), none.join("\n"));
  });

  it("checks pools, names, sizes and address blocks, each at its path", () => {
    const m = messages(edited("kubernetes", (d) => {
      d.kubernetes.nodePools.push({ name: "apps", size: "s-4vcpu-9gb", maxNodes: 2 });
      d.kubernetes.web.pool = "appz";
      d.kubernetes.podCidr = "10.20.0.0/16";
      d.kubernetes.sidekiq[1].name = "default";
      d.kubernetes.nodePools[0].minNodes = 9;
    }));
    const paths = m.map((x) => x.split(":")[0]);
    assert.deepEqual([...paths].sort(), ["kubernetes.nodePools[0].maxNodes", "kubernetes.nodePools[1].name", "kubernetes.nodePools[1].size", "kubernetes.podCidr", "kubernetes.sidekiq[1].name", "kubernetes.web.pool"], m.join("\n"));
    assert.ok(m.includes("kubernetes.podCidr: 10.20.0.0/16 overlaps network.privateCidr 10.20.0.0/16 | use a block outside the VPC's, such as 10.244.0.0/16"));
    assert.ok(m.includes('kubernetes.web.pool: no node pool is named "appz" (did you mean apps?) | use one of: apps, apps'));
  });

  it("a stack with neither hosts nor kubernetes is told to add one", () => {
    const m = messages(edited("hobby", (d) => delete d.hosts));
    assert.ok(m.includes("hosts: must list at least one host | add a host group, or a kubernetes section to run on DigitalOcean Kubernetes"), m.join("\n"));
  });
});
