// The objects we create beside Mastodon's chart, each validated against its API's schema
// (kubernetes-models), and the rules they hold: the scheduler never autoscales, Jobs are named
// per release, Secrets carry exactly the keys the chart reads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chartValues } from "../../src/plan/kubernetes/chart-values";
import type { ClusterEndpoints } from "../../src/plan/kubernetes/cluster-endpoints";
import { allObjects, ownManifests } from "../../src/plan/kubernetes/manifests/all";
import { horizontalPodAutoscalers, scaledObjects, schedulerRefusal } from "../../src/plan/kubernetes/manifests/autoscaling";
import { clusterIssuer } from "../../src/plan/kubernetes/manifests/cert-manager";
import { podDisruptionBudgets } from "../../src/plan/kubernetes/manifests/disruption";
import { gateway, GATEWAY_CLASS, webDomainRedirectRoutes } from "../../src/plan/kubernetes/manifests/gateway";
import { MIGRATION_DEADLINE_SECONDS, migrationJobs } from "../../src/plan/kubernetes/manifests/migrations";
import { secretManifests, type SecretValues } from "../../src/plan/kubernetes/manifests/secrets";
import { SECRETS } from "../../src/plan/kubernetes/names";
import type { Plan, PlannedWorkload } from "../../src/plan/types";
import { validateObject } from "../helpers/k8s-validate";
import { AT, kubeExample } from "../helpers/kube";

const { spec, plan } = kubeExample();
const k = plan.kubernetes!;
const secrets: SecretValues<string> = {
  secretKeyBase: "a",
  vapidPrivateKey: "b",
  vapidPublicKey: "c",
  activeRecordPrimaryKey: "d",
  activeRecordDeterministicKey: "e",
  activeRecordDerivationSalt: "f",
  postgresPassword: "g",
  redisPassword: "h",
  s3AccessKeyId: "i",
  s3SecretAccessKey: "j",
  smtpPassword: "k",
  searchPassword: "l",
  postgresCaCertificate: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
};
const own = ownManifests(spec, plan, AT, secrets);
const everything = allObjects(own);
const withWorkloads = (change: (w: PlannedWorkload) => PlannedWorkload): Plan => ({ ...plan, kubernetes: { ...k, workloads: k.workloads.map(change) } });

describe("objects beside the chart", () => {
  it("every one is valid for its API (core, KEDA, cert-manager, Gateway API), in its namespace", () => {
    for (const o of everything) validateObject(o);
    for (const o of everything) if (o.kind !== "ClusterIssuer") assert.equal((o.metadata as { namespace?: string }).namespace, k.namespace, `${o.kind}/${o.metadata.name}`);
  });

  it("a broken object is refused by the same validation", () => {
    const so = structuredClone(own.withRelease.scaledObjects[0]!);
    assert.throws(() => validateObject({ ...so, spec: { ...so.spec, scaleTargetRef: {} } } as never), /ScaledObject\/mastodon-sidekiq-default: .*scaleTargetRef must have required property name/);
    const gw = structuredClone(own.ingress.gateway);
    assert.throws(() => validateObject({ ...gw, spec: { ...gw.spec, listeners: [{ ...gw.spec.listeners[0]!, port: "80" }] } } as never), /port must be integer/);
    assert.throws(() => validateObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } }), /no model to validate v1\/Pod/);
  });

  it("the same plan gives the same objects (deterministic)", () => {
    assert.equal(JSON.stringify(ownManifests(spec, plan, AT, secrets)), JSON.stringify(own));
  });
});

describe("autoscaling", () => {
  it("KEDA scales each Sidekiq group on its queues' backlog (a trigger per queue), through Valkey over TLS with the pods' password", () => {
    const mailers = own.withRelease.scaledObjects.find((s) => s.metadata.name === "mastodon-sidekiq-mailers")!;
    const w = k.workloads.find((x) => x.name === "sidekiq-mailers")!;
    assert.deepEqual([mailers.spec.minReplicaCount, mailers.spec.maxReplicaCount], [w.replicas.min, w.replicas.max]);
    assert.deepEqual(mailers.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "mastodon-sidekiq-mailers" });
    assert.deepEqual(
      mailers.spec.triggers.map((t) => [t.type, t.metadata, t.authenticationRef]),
      ["mailers", "fasp"].map((q) => ["redis", { address: `${AT.redisHost}:25061`, enableTLS: "true", listName: `queue:${q}`, listLength: "500" }, { name: "mastodon-redis" }]),
    );
    assert.deepEqual(own.withRelease.triggerAuthentication.spec.secretTargetRef, [{ parameter: "password", name: SECRETS.redis.name, key: "password" }]);
    assert.ok(!own.withRelease.scaledObjects.some((s) => s.metadata.name === "mastodon-sidekiq-scheduler"));
  });

  it("refuses a scaled workload that holds the scheduler queue, weighted or not", () => {
    const scaled = (queues: string[]) => withWorkloads((w) => (w.name === "sidekiq-scheduler" ? { ...w, replicas: { min: 1, max: 3 }, autoscale: { kind: "queues", queues: queues as never, backlogPerReplica: 100 }, process: { ...w.process, queues: queues as never } } : w));
    const w = { name: "sidekiq-scheduler", replicas: { min: 1, max: 3 } };
    assert.equal(schedulerRefusal(w), "sidekiq-scheduler holds the scheduler queue and cannot autoscale: a second replica would run every periodic job twice (replicas 1 to 3); move its other queues to a group of their own");
    assert.throws(() => scaledObjects(scaled(["scheduler"]), AT), { message: schedulerRefusal(w) });
    assert.throws(() => scaledObjects(scaled(["default", "scheduler,1"]), AT), { message: schedulerRefusal(w) });
  });

  it("web and streaming scale on CPU as planned; fixed workloads get no autoscaler", () => {
    assert.deepEqual(
      own.withRelease.horizontalPodAutoscalers.map((h) => [h.metadata.name, h.spec!.minReplicas, h.spec!.maxReplicas, h.spec!.metrics![0]!.resource!.target.averageUtilization]),
      k.workloads.filter((w) => w.autoscale.kind === "cpu").map((w) => [`mastodon-${w.name}`, w.replicas.min, w.replicas.max, (w.autoscale as { targetPercent: number }).targetPercent]),
    );
    const fixed = withWorkloads((w) => ({ ...w, replicas: { min: w.replicas.min, max: w.replicas.min }, autoscale: { kind: "fixed" } }));
    assert.deepEqual([horizontalPodAutoscalers(fixed).length, scaledObjects(fixed, AT).length], [0, 0]);
  });

  it("disruption budgets for web and streaming only when they run two or more", () => {
    assert.deepEqual(own.withRelease.podDisruptionBudgets.map((b) => [b.metadata.name, b.spec!.maxUnavailable]), [["mastodon-web", 1], ["mastodon-streaming", 1]]);
    assert.deepEqual(podDisruptionBudgets(withWorkloads((w) => (w.name === "streaming" ? { ...w, replicas: { min: 1, max: 3 } } : w))).map((b) => b.metadata.name), ["mastodon-web"]);
  });
});

describe("Secrets", () => {
  it("exactly the keys the chart reads, usernames from the stack, values as given", () => {
    assert.deepEqual(own.secrets.map((s) => [s.metadata.name, Object.keys(s.stringData!)]), Object.values(SECRETS).map((s) => [s.name, [...s.keys].sort()]));
    const pg = own.secrets.find((s) => s.metadata.name === SECRETS.postgres.name)!;
    assert.deepEqual(pg.stringData, { password: "g", username: spec.postgres.user });
    assert.deepEqual(own.secrets.find((s) => s.metadata.name === SECRETS.smtp.name)!.stringData, { password: "k", username: "AKIAEXAMPLE" });
  });

  it("without mail the SMTP Secret is empty; without search there is none; with mail a password is needed", () => {
    const { mail: _m, ...noMail } = spec;
    const bare = secretManifests({ ...noMail, search: { off: true } }, plan, secrets);
    assert.deepEqual(bare.find((s) => s.metadata.name === SECRETS.smtp.name)!.stringData, { password: "", username: "" });
    assert.ok(!bare.some((s) => s.metadata.name === SECRETS.elasticsearch.name));
    const { smtpPassword: _p, ...noSmtp } = secrets;
    assert.throws(() => secretManifests(spec, plan, noSmtp), /mastodon-smtp Secret needs the SMTP password/);
  });
});

describe("Gateway and certificates", () => {
  it("DOKS's Cilium class, HTTP for every name, HTTPS per name on one certificate, cert-manager's issuer", () => {
    const gw = gateway(spec, plan);
    assert.equal(gw.spec.gatewayClassName, GATEWAY_CLASS);
    assert.equal(gw.metadata.annotations!["cert-manager.io/cluster-issuer"], "letsencrypt");
    assert.deepEqual(gw.spec.listeners.map((l) => [l.name, l.protocol, l.port, l.hostname, l.tls?.certificateRefs?.[0]?.name]), [["http", "HTTP", 80, undefined, undefined], ["https-example-social", "HTTPS", 443, "example.social", "mastodon-tls"]]);
    assert.deepEqual(own.ingress.routes.map((r) => [r.metadata.name, r.spec.rules![0]!.filters]), [["mastodon-https-redirect", [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }]]]);
  });

  it("a separate web domain gets a listener and the local domain redirects to it", () => {
    const split = { ...spec, webDomain: "social.example.social", alternateDomains: ["example.org"] };
    assert.deepEqual(gateway(split, plan).spec.listeners.map((l) => l.hostname), [undefined, "social.example.social", "example.org", "example.social"]);
    assert.deepEqual(chartValues(split, plan, AT).httproute.hostnames, ["social.example.social", "example.org"]);
    const [route] = webDomainRedirectRoutes(split, plan);
    assert.deepEqual([route!.spec.hostnames, route!.spec.parentRefs!.map((p) => p.sectionName), route!.spec.rules![0]!.filters], [["example.social"], ["https-example-social"], [{ type: "RequestRedirect", requestRedirect: { scheme: "https", hostname: "social.example.social", statusCode: 301 } }]]);
    for (const o of [gateway(split, plan), route!]) validateObject(o);
  });

  it("Let's Encrypt over HTTP-01 on the Gateway's HTTP listener, expiry mail to the admin when there is one", () => {
    const issuer = clusterIssuer(spec, plan);
    assert.equal(issuer.spec!.acme!.email, "admin@example.social");
    assert.deepEqual(issuer.spec!.acme!.solvers![0]!.http01!.gatewayHTTPRoute!.parentRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "mastodon", namespace: k.namespace, sectionName: "http" }]);
    const { admin: _a, ...mastodon } = spec.mastodon;
    assert.equal(clusterIssuer({ ...spec, mastodon }, plan).spec!.acme!.email, undefined);
  });
});

describe("migration Jobs", () => {
  it("db:prepare without post-deployment migrations before the release, db:migrate after it, named per release", () => {
    const [pre, post] = [own.beforeRelease.migration, own.afterRelease.migration];
    assert.deepEqual([pre.metadata.name, post.metadata.name], ["mastodon-db-pre-v4-5-2", "mastodon-db-post-v4-5-2"]);
    const c = (j: typeof pre) => j.spec!.template.spec!.containers[0]!;
    assert.deepEqual([c(pre).command, c(post).command], [["bundle", "exec", "rails", "db:prepare"], ["bundle", "exec", "rails", "db:migrate"]]);
    assert.equal(c(pre).env!.find((e) => e.name === "SKIP_POST_DEPLOYMENT_MIGRATIONS")?.value, "true");
    assert.equal(c(post).env!.find((e) => e.name === "SKIP_POST_DEPLOYMENT_MIGRATIONS"), undefined);
    for (const j of [pre, post]) {
      assert.deepEqual([j.spec!.backoffLimit, j.spec!.activeDeadlineSeconds, j.spec!.template.spec!.restartPolicy], [1, MIGRATION_DEADLINE_SECONDS, "Never"]);
      assert.ok(j.spec!.ttlSecondsAfterFinished! > 0);
      assert.equal(c(j).image, "ghcr.io/mastodon/mastodon:v4.5.2");
      assert.ok(c(j).resources!.requests && c(j).resources!.limits);
      for (const v of Object.values(secrets)) assert.ok(!JSON.stringify(j).includes(`"${v}"`), "no secret value in a Job");
    }
    const next = migrationJobs(spec, { ...plan, stack: { ...plan.stack, mastodonVersion: "v4.5.3" } }, AT);
    assert.equal(next.pre.metadata.name, "mastodon-db-pre-v4-5-3");
  });
});

describe("generic over the value type", () => {
  /** A stand-in for pulumi.Output<string>: an object the builders must pass through, never print. */
  class Out {
    constructor(readonly parts: readonly (string | Out)[]) {}
  }
  const out = (s: string) => new Out([s]);
  const at: ClusterEndpoints<Out> = { postgresHost: out("pg"), redisHost: out("redis"), searchHost: out("search"), mediaAliasHost: out("cdn"), concat: (...parts) => new Out(parts) };

  it("values known only later stay values: placed, never stringified", () => {
    const values = chartValues(spec, plan, at);
    assert.equal(values.postgresql.hostname, at.postgresHost);
    assert.deepEqual(values.mastodon.web.extraEnvVars.REDIS_URL, new Out(["rediss://default:$(REDIS_PASSWORD)@", at.redisHost, ":25061"]));
    const manifests = ownManifests(spec, plan, at, Object.fromEntries(Object.keys(secrets).map((key) => [key, out(key)])) as unknown as SecretValues<Out>);
    assert.deepEqual(manifests.withRelease.scaledObjects[0]!.spec.triggers[0]!.metadata.address, new Out([at.redisHost, ":25061"]));
    assert.ok(!JSON.stringify([values, manifests]).includes("[object Object]"));
  });
});
