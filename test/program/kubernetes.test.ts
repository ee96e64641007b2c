// The Kubernetes tier under mocks (stacks/kubernetes.yaml, and the same with a second node pool
// for Sidekiq and a web domain apart from the local one), asserted on what the providers would
// receive: the DOKS cluster in the VPC with its autoscaled pools; the managed services trusting
// exactly the cluster; no droplet, no balancer or firewall of ours, nothing but the Gateway's
// 80/443 facing the Internet; the chart's values held to the chart and free of secrets; Sidekiq
// scaled on its queues and never the scheduler; migrations around the release; every Secret's
// data a Pulumi secret; the add-ons pinned; DNS at the Gateway's address.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { RELEASE_TIMEOUT_SECONDS } from "../../src/components/kubernetes/release";
import { sidekiqGroup } from "../../src/plan/kubernetes/names";
import type { RecordedResource } from "../../src/program/mocks";
import { mockState } from "../../src/program/mock-state/index";
import { runOffline } from "../../src/program/offline";
import { parseStack } from "../../src/spec/load";
import { contractViolations, loadChart } from "../helpers/chart-contract";
import { inputs, one, ofType, type ProgramRun } from "../helpers/program";
import { buildPlan } from "../../src/plan";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { STACKS } from "../helpers/program";
import { edited } from "../helpers/stacks";
import path from "node:path";

const T = {
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

type Obj = Record<string, any>;

let k8s: ProgramRun;
let twoPools: ProgramRun;

async function run(spec: Spec): Promise<ProgramRun> {
  const plan = buildPlan(spec);
  return { spec, plan, ...(await runOffline(spec, plan, { revealSecrets: true })) };
}

before(async () => {
  k8s = await run(loadStack(path.join(STACKS, "kubernetes.yaml")));
  twoPools = await run(
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
});

const raw = (r: RecordedResource): Obj => r.rawInputs as Obj;
const chartRelease = (r: ProgramRun) => one(r, T.release, `${r.spec.name}-k8s-release`);
const values = (r: ProgramRun): Obj => inputs(chartRelease(r)).values as Obj;
const clusterId = (r: ProgramRun) => `${r.spec.name}-cluster-id`;
const byName = (r: ProgramRun, type: string) => new Map(ofType(r, type).map((x) => [(inputs(x).metadata as Obj).name as string, x]));
const kubernetesObjects = (r: ProgramRun) => r.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"));

describe("kubernetes: the DOKS cluster", () => {
  it("puts the cluster in the stack's VPC and region with VPC-native subnets, the newest patch of the planned minor, and patch upgrades in a window with a surge node", () => {
    const c = inputs(one(k8s, T.cluster, "large-cluster"));
    const k = k8s.plan.kubernetes!;
    assert.deepEqual(
      [c.name, c.region, c.vpcUuid, c.clusterSubnet, c.serviceSubnet, c.ha, c.autoUpgrade, c.surgeUpgrade],
      ["large-k8s", "tor1", `${one(k8s, T.vpc, "large-vpc").name}-id`, k.podCidr, k.serviceCidr, k.highAvailability, true, true],
    );
    // The mocked versions data source answers for the prefix it was asked: 1.34. → 1.34.2-do.0.
    assert.equal(c.version, "1.34.2-do.0");
    assert.deepEqual(c.maintenancePolicy, { day: "sunday", startTime: "04:00" });
    assert.equal(c.destroyAllAssociatedResources, undefined, "destroying the cluster must not take volumes and balancers it did not create");
  });

  it("makes the first planned pool the cluster's own, autoscaled between the planned minimum and maximum with no fixed count", () => {
    const pool = inputs(one(k8s, T.cluster, "large-cluster")).nodePool as Obj;
    const planned = k8s.plan.kubernetes!.nodePools[0]!;
    assert.deepEqual([pool.name, pool.size, pool.autoScale, pool.minNodes, pool.maxNodes, pool.nodeCount], [planned.name, planned.size, true, 3, 8, undefined]);
    assert.deepEqual([planned.minNodes, planned.maxNodes], [3, 8]);
    assert.deepEqual(pool.labels, { "mastodon-stack/pool": "apps" });
    assert.equal(ofType(k8s, T.nodePool).length, 0);
  });

  it("adds every further pool as a node pool of the cluster, named <name>-pool-<pool>, autoscaled as planned", () => {
    assert.deepEqual(ofType(twoPools, T.nodePool).map((p) => p.name), ["large-cluster-pool-workers"]);
    const p = inputs(one(twoPools, T.nodePool, "large-cluster-pool-workers"));
    const planned = twoPools.plan.kubernetes!.nodePools.find((x) => x.name === "workers")!;
    assert.deepEqual([p.clusterId, p.name, p.size, p.autoScale, p.minNodes, p.maxNodes, p.nodeCount], [clusterId(twoPools), "workers", planned.size, true, planned.minNodes, planned.maxNodes, undefined]);
    assert.equal((inputs(one(twoPools, T.cluster, "large-cluster")).nodePool as Obj).name, "apps");
  });

  it("talks to the cluster through a provider whose kubeconfig is a secret, replaced only with the cluster", () => {
    const providers = ofType(k8s, T.provider);
    assert.equal(providers.length, 1);
    const p = providers[0]!;
    assert.deepEqual(p.secretInputs, ["kubeconfig"]);
    assert.equal(inputs(p).kubeconfig, "<redacted>");
    assert.equal(inputs(p).clusterIdentifier, clusterId(k8s));
    assert.match(String(raw(p).kubeconfig), /token: mock-k8s-token-/);
    // Every object on the cluster goes through it.
    const objects = kubernetesObjects(k8s);
    assert.ok(objects.length > 20);
    for (const o of objects) assert.equal(o.provider, p.urn, `${o.type} ${o.name}`);
  });

  it("exports the cluster's id and endpoint and the Gateway's address, never a kubeconfig or its token", () => {
    assert.equal(k8s.exports.clusterId, clusterId(k8s));
    assert.equal(k8s.exports.clusterEndpoint, "https://large-cluster-id.k8s.ondigitalocean.example");
    assert.equal(k8s.exports.gatewayAddress, gatewayAddress(k8s));
    assert.ok(!JSON.stringify(k8s.exports).includes("mock-k8s-token"));
    assert.deepEqual([k8s.hostAddresses, k8s.hostFiles, k8s.sshKnownHosts], [{}, {}, ""]);
  });
});

describe("kubernetes: the managed services trust the cluster", () => {
  it("trusts exactly the cluster (type k8s) on Postgres, Valkey and OpenSearch, and no droplet", () => {
    const fws = ofType(k8s, T.dbFirewall);
    assert.deepEqual(fws.map((f) => f.name).sort(), ["large-opensearch-firewall", "large-postgres-firewall", "large-valkey-firewall"]);
    for (const f of fws) assert.deepEqual(inputs(f).rules, [{ type: "k8s", value: clusterId(k8s) }], f.name);
  });

  it("keeps every managed cluster in the VPC, and the Postgres cluster protected", () => {
    const vpcId = `${one(k8s, T.vpc, "large-vpc").name}-id`;
    for (const c of ofType(k8s, T.database)) assert.equal(inputs(c).privateNetworkUuid, vpcId, c.name);
    assert.equal(one(k8s, T.database, "large-postgres").protect, true);
  });
});

describe("kubernetes: what faces the Internet", () => {
  it("creates no droplet, no DigitalOcean load balancer or Cloud Firewall, no SSH step and no internal CA", () => {
    for (const type of [T.droplet, T.lb, T.firewall, T.service, "command:remote:Command", "tls:index/selfSignedCert:SelfSignedCert"]) assert.equal(ofType(k8s, type).length, 0, type);
  });

  it("opens only the Gateway's 80 and 443, and no managed database to an address range", () => {
    const gw = ofType(k8s, T.gateway);
    assert.equal(gw.length, 1);
    const listeners = ((inputs(gw[0]!).spec as Obj).listeners as Obj[]).map((l) => [l.protocol, l.port]);
    assert.deepEqual([...new Set(listeners.map(([, port]) => port))].sort(), [443, 80]);
    for (const f of ofType(k8s, T.dbFirewall)) assert.ok(!(inputs(f).rules as Obj[]).some((r) => r.type === "ipAddr"), f.name);
    // Nothing anywhere names Postgres's port: the pods reach the managed pool on 25061 inside the VPC.
    assert.ok(!/"port":5432\b/.test(JSON.stringify(k8s.resources.map((r) => r.inputs))));
  });

  it("waits for the Gateway's address and points every DNS name at it, IPv4 only", () => {
    const gw = one(k8s, T.gateway, "large-k8s-routing-gateway");
    assert.equal(((inputs(gw).metadata as Obj).annotations as Obj)["pulumi.com/waitFor"], "jsonpath={.status.addresses[0].value}");
    const records = ofType(twoPools, T.dns).map(inputs);
    const a = records.filter((r) => r.type === "A");
    assert.deepEqual(a.map((r) => r.name).sort(), ["@", "social", "www"]);
    for (const r of a) assert.equal(r.value, gatewayAddress(twoPools));
    assert.equal(records.filter((r) => r.type === "AAAA").length, 0);
  });

  it("redirects plain HTTP to HTTPS, and the local domain to the web domain when they differ", () => {
    assert.deepEqual([...byName(k8s, T.route).keys()], ["mastodon-https-redirect"]);
    assert.deepEqual([...byName(twoPools, T.route).keys()].sort(), ["mastodon-https-redirect", "mastodon-web-domain-redirect"]);
    const issuer = one(k8s, T.issuer, "large-k8s-routing-issuer");
    assert.ok(issuer.dependencies.includes(addon(k8s, "cert-manager").urn), "the ClusterIssuer waits for cert-manager's CRDs");
  });
});

const gatewayAddress = (r: ProgramRun) => String((mockState(T.gateway, `${r.spec.name}-k8s-routing-gateway`, {}).status as Obj).addresses[0].value);
const addon = (r: ProgramRun, name: string) => one(r, T.release, `${r.spec.name}-k8s-addons-${name}`);

describe("kubernetes: Mastodon's chart", () => {
  it("installs the planned chart version from Mastodon's repository into the planned namespace, atomically, with a bounded wait and history", () => {
    const i = inputs(chartRelease(k8s));
    const k = k8s.plan.kubernetes!;
    assert.deepEqual(
      [i.name, i.chart, i.version, (i.repositoryOpts as Obj).repo, i.namespace, i.timeout, i.atomic],
      [k.release, "mastodon", k.chart.version, "https://mastodon.github.io/helm-charts", k.namespace, RELEASE_TIMEOUT_SECONDS, true],
    );
    assert.equal(k.chart.version, "1.0.2");
    assert.ok(Number(i.maxHistory) > 0);
  });

  it("gives the chart values it declares (the contract with chart 1.0.2), every secret through an existingSecret", () => {
    assert.deepEqual(contractViolations(loadChart(), values(k8s)), []);
    assert.deepEqual(contractViolations(loadChart(), values(twoPools)), []);
    const v = values(k8s);
    assert.deepEqual(
      [v.mastodon.secrets.existingSecret, v.postgresql.existingSecret, v.redis.existingSecret, v.mastodon.s3.existingSecret, v.mastodon.smtp.existingSecret, v.elasticsearch.existingSecret],
      ["mastodon-app", "mastodon-postgres", "mastodon-redis", "mastodon-s3", "mastodon-smtp", "mastodon-elasticsearch"],
    );
    // The hosts the cloud resources made, filled in.
    assert.equal(v.postgresql.hostname, "private-large-postgres.db.ondigitalocean.example");
    assert.equal(v.mastodon.s3.aliasHost, "large-media.nyc3.cdn.digitaloceanspaces.com");
  });

  it("carries no secret value: nothing in the release's inputs is secret, and no Secret's data appears outside Secrets", () => {
    const release = chartRelease(k8s);
    assert.deepEqual(release.secretInputs, []);
    assert.ok(!JSON.stringify(release.inputs).includes("<redacted>"));
    const secretValues = secretStrings(k8s);
    assert.ok(secretValues.length >= 10, secretValues.length.toString());
    for (const r of k8s.resources) {
      if (r.type === T.secret || r.type === T.provider) continue;
      const text = JSON.stringify(r.rawInputs);
      for (const s of secretValues) assert.ok(!text.includes(s), `${r.type} ${r.name} holds a Secret's value`);
    }
  });

  it("runs one Sidekiq worker per planned queue group, with its queues, threads and node pool", () => {
    for (const r of [k8s, twoPools]) {
      const groups = r.plan.kubernetes!.workloads.filter((w) => w.kind === "sidekiq");
      const workers = values(r).mastodon.sidekiq.workers as Obj[];
      assert.deepEqual(workers.map((w) => w.name), groups.map(sidekiqGroup));
      assert.equal(new Set(workers.map((w) => w.name)).size, workers.length);
      groups.forEach((g, i) => {
        assert.deepEqual([workers[i]!.queues, workers[i]!.concurrency, workers[i]!.replicas], [g.process.queues, g.process.threads, g.replicas.min], g.name);
        assert.deepEqual(workers[i]!.nodeSelector, { "doks.digitalocean.com/node-pool": g.pool });
      });
    }
    assert.deepEqual([...new Set((values(twoPools).mastodon.sidekiq.workers as Obj[]).map((w) => w.nodeSelector["doks.digitalocean.com/node-pool"]))], ["workers"]);
  });

  it("runs the scheduler queue in exactly one worker, one replica, which no autoscaler targets", () => {
    const workers = values(k8s).mastodon.sidekiq.workers as Obj[];
    const schedulers = workers.filter((w) => (w.queues as string[]).includes("scheduler"));
    assert.equal(schedulers.length, 1);
    assert.equal(schedulers[0]!.replicas, 1);
    const deployment = `mastodon-sidekiq-${schedulers[0]!.name}`;
    const targets = [...ofType(k8s, T.scaledObject), ...ofType(k8s, T.hpa)].map((x) => ((inputs(x).spec as Obj).scaleTargetRef as Obj).name);
    assert.ok(targets.length > 0);
    assert.ok(!targets.includes(deployment), `${deployment} is scaled`);
  });

  it("scales each queue-autoscaled group with one ScaledObject, between its planned minimum and maximum, on its queues in Valkey over TLS", () => {
    const scaled = k8s.plan.kubernetes!.workloads.filter((w) => w.autoscale.kind === "queues");
    assert.equal(scaled.length, 5);
    const objects = byName(k8s, T.scaledObject);
    assert.deepEqual([...objects.keys()].sort(), scaled.map((w) => `mastodon-${w.name}`).sort());
    const auth = one(k8s, T.triggerAuth, "large-k8s-scaling-keda-auth");
    for (const w of scaled) {
      const so = objects.get(`mastodon-${w.name}`)!;
      const spec = inputs(so).spec as Obj;
      assert.deepEqual([spec.scaleTargetRef.name, spec.minReplicaCount, spec.maxReplicaCount], [`mastodon-${w.name}`, w.replicas.min, w.replicas.max], w.name);
      const triggers = spec.triggers as Obj[];
      assert.deepEqual(triggers.map((t) => t.metadata.listName), (w.autoscale.kind === "queues" ? w.autoscale.queues : []).map((q) => `queue:${q}`));
      for (const t of triggers) assert.deepEqual([t.type, t.metadata.address, t.metadata.enableTLS, t.authenticationRef.name], ["redis", "private-large-valkey.db.ondigitalocean.example:25061", "true", "mastodon-redis"]);
      // KEDA's CRDs and the Deployment it scales exist first.
      for (const dep of [addon(k8s, "keda").urn, auth.urn, chartRelease(k8s).urn]) assert.ok(so.dependencies.includes(dep), `${so.name} does not wait for ${dep}`);
    }
  });

  it("scales web and streaming on CPU with HorizontalPodAutoscalers and lets drains take them one pod at a time", () => {
    const hpas = byName(k8s, T.hpa);
    assert.deepEqual([...hpas.keys()].sort(), ["mastodon-streaming", "mastodon-web"]);
    for (const w of k8s.plan.kubernetes!.workloads.filter((x) => x.autoscale.kind === "cpu")) {
      const spec = inputs(hpas.get(`mastodon-${w.name}`)!).spec as Obj;
      assert.deepEqual([spec.minReplicas, spec.maxReplicas], [w.replicas.min, w.replicas.max]);
    }
    assert.deepEqual([...byName(k8s, T.pdb).keys()].sort(), ["mastodon-streaming", "mastodon-web"]);
  });
});

describe("kubernetes: migrations around the release", () => {
  const jobs = (r: ProgramRun) => byName(r, T.job);

  it("hands the database to the application user first, as doadmin with the password from a Secret, never on the command line", () => {
    const setup = jobs(k8s).get("mastodon-database-setup")!;
    const container = ((inputs(setup).spec as Obj).template.spec.containers as Obj[])[0]!;
    assert.deepEqual(container.env, [{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { key: "password", name: "mastodon-postgres-admin" } } }]);
    const command = (container.command as string[]).join(" ");
    assert.match(command, /host=private-large-postgres\.db\.ondigitalocean\.example port=25060 dbname=defaultdb user=doadmin sslmode=verify-full/);
    assert.match(command, /GRANT ALL ON SCHEMA public TO "mastodon";/);
    assert.ok(!command.includes("mock-cluster-password"));
    for (const ready of ofType(k8s, T.dbFirewall)) assert.ok(setup.dependencies.includes(ready.urn), `the setup Job runs before ${ready.name} trusts the cluster`);
  });

  it("orders them: database setup → pre-migration Job → the release → post-migration Job", () => {
    const all = jobs(k8s);
    const v = k8s.plan.stack.mastodonVersion.replace(/\./g, "-");
    const setup = all.get("mastodon-database-setup")!;
    const pre = all.get(`mastodon-db-pre-${v}`)!;
    const post = all.get(`mastodon-db-post-${v}`)!;
    assert.ok(pre && post, [...all.keys()].join(", "));
    const release = chartRelease(k8s);
    assert.ok(pre.dependencies.includes(setup.urn));
    assert.ok(release.dependencies.includes(pre.urn));
    assert.ok(post.dependencies.includes(release.urn));
    // Never the other way round.
    assert.ok(!pre.dependencies.includes(release.urn) && !release.dependencies.includes(post.urn));
    assert.deepEqual(((inputs(pre).spec as Obj).template.spec.containers as Obj[])[0]!.command, ["bundle", "exec", "rails", "db:prepare"]);
    assert.deepEqual(((inputs(post).spec as Obj).template.spec.containers as Obj[])[0]!.command, ["bundle", "exec", "rails", "db:migrate"]);
    // The release also waits for every Secret it reads and the add-ons.
    for (const s of ofType(k8s, T.secret).filter((x) => x.name.startsWith("large-k8s-secrets-"))) assert.ok(release.dependencies.includes(s.urn), s.name);
    for (const a of ["cert-manager", "keda"]) assert.ok(release.dependencies.includes(addon(k8s, a).urn), a);
  });
});

describe("kubernetes: Secrets and add-ons", () => {
  it("sends every Secret's data as a Pulumi secret, and nothing else of theirs", () => {
    const secrets = ofType(k8s, T.secret);
    assert.deepEqual(
      secrets.map((s) => (inputs(s).metadata as Obj).name).sort(),
      ["mastodon-app", "mastodon-elasticsearch", "mastodon-postgres", "mastodon-postgres-admin", "mastodon-postgres-ca", "mastodon-redis", "mastodon-s3", "mastodon-smtp"],
    );
    for (const s of secrets) {
      assert.deepEqual(s.secretInputs, ["stringData"], s.name);
      assert.equal(inputs(s).stringData, "<redacted>", s.name);
      assert.equal(inputs(s).data, undefined, s.name);
    }
    // The values are the generated and provider-made ones.
    const app = raw(one(k8s, T.secret, "large-k8s-secrets-mastodon-app")).stringData as Obj;
    assert.equal(app["secret-key-base"], mockState("random:index/randomBytes:RandomBytes", "large-secrets-secret-key-base", {}).hex);
    assert.equal((raw(one(k8s, T.secret, "large-k8s-secrets-mastodon-smtp")).stringData as Obj).password, "offline-smtpPassword");
    assert.equal((raw(one(k8s, T.secret, "large-k8s-database-admin")).stringData as Obj).password, "mock-cluster-password");
  });

  it("pins every add-on to the planned chart, repository and version, cert-manager with its CRDs and Gateway API support", () => {
    const planned = k8s.plan.kubernetes!.addons;
    assert.deepEqual(planned.map((a) => a.name).sort(), ["cert-manager", "keda"]);
    for (const a of planned) {
      const i = inputs(addon(k8s, a.name));
      assert.deepEqual([i.name, i.chart, i.version, (i.repositoryOpts as Obj).repo, i.namespace, i.createNamespace], [a.name, a.chart, a.version, a.repository, a.namespace, true], a.name);
      assert.match(String(i.version), /^v?\d+\.\d+\.\d+$/, `${a.name} is not pinned to a release`);
    }
    const cm = inputs(addon(k8s, "cert-manager")).values as Obj;
    assert.equal(cm.crds.enabled, true);
    assert.equal(cm.config.enableGatewayAPI, true);
    assert.equal(cm.config.kind, "ControllerConfiguration");
  });
});

/** Every secret value of every Secret (not the user names, nor the CA's public certificate): what must appear nowhere else. */
function secretStrings(r: ProgramRun): string[] {
  const out = new Set<string>();
  for (const s of ofType(r, T.secret)) {
    for (const [k, v] of Object.entries((raw(s).stringData ?? {}) as Obj)) if (typeof v === "string" && v !== "" && k !== "username" && k !== "ca.crt") out.add(v);
  }
  return [...out];
}
