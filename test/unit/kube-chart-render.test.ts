// A real `helm template` of Mastodon's chart 1.0.2 with our values: what the cluster would get,
// checked object by object, validated against the Kubernetes API schemas, and cross-checked with
// the objects we create beside the chart (Secrets, autoscalers, budgets, Gateway, Jobs).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { chartValues } from "../../src/plan/kubernetes/chart-values";
import { ownManifests } from "../../src/plan/kubernetes/manifests/all";
import type { SecretValues } from "../../src/plan/kubernetes/manifests/secrets";
import { GATEWAY_NAME, HSTS, POSTGRES_CA, deploymentName, podResources, sidekiqGroup } from "../../src/plan/kubernetes/names";
import { loadHelm, type K8sObject } from "../helpers/helm";
import { validateObject } from "../helpers/k8s-validate";
import { AT, kubeExample } from "../helpers/kube";

interface Env {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  command?: string[];
  env?: Env[];
  envFrom?: { configMapRef: { name: string } }[];
  resources?: unknown;
  securityContext?: Record<string, unknown>;
  volumeMounts?: unknown;
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; nodeSelector?: Record<string, string>; securityContext?: Record<string, unknown>; volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[] };
}
type Deployment = K8sObject & { spec: { replicas: number; template: PodTemplate } };
type Route = K8sObject & { spec: { parentRefs: { name: string; namespace?: string; sectionName?: string }[]; hostnames: string[]; rules: { filters?: unknown[]; backendRefs: { name: string }[] }[] } };

const helm = loadHelm();
const skip = "missing" in helm ? helm.missing : false;
after(() => ("missing" in helm ? undefined : helm.cleanup()));

const { spec, plan } = kubeExample();
const k = plan.kubernetes!;
const values = chartValues(spec, plan, AT);
const sentinel = (n: string) => `NOT-IN-RENDER-${n}`;
const secretValues: SecretValues<string> = {
  secretKeyBase: sentinel("skb"),
  vapidPrivateKey: sentinel("vapid-private"),
  vapidPublicKey: sentinel("vapid-public"),
  activeRecordPrimaryKey: sentinel("are-primary"),
  activeRecordDeterministicKey: sentinel("are-deterministic"),
  activeRecordDerivationSalt: sentinel("are-salt"),
  postgresPassword: sentinel("pg"),
  redisPassword: sentinel("redis"),
  s3AccessKeyId: sentinel("s3-id"),
  s3SecretAccessKey: sentinel("s3-secret"),
  smtpPassword: sentinel("smtp"),
  searchPassword: sentinel("search"),
  postgresCaCertificate: sentinel("ca"),
};
const own = ownManifests(spec, plan, AT, secretValues);
const render = "missing" in helm ? { objects: [], text: "" } : helm.template(values, { release: k.release, namespace: k.namespace });
const objects = render.objects;
const deployments = objects.filter((o): o is Deployment => o.kind === "Deployment");
const deployment = (name: string) => deployments.find((d) => d.metadata.name === name) ?? assert.fail(`no Deployment ${name} in ${deployments.map((d) => d.metadata.name).join(", ")}`);
const container = (d: Deployment) => d.spec.template.spec.containers[0]!;
const envOf = (d: Deployment) => container(d).env ?? [];
const configMap = () => (objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${k.release}-env`) as (K8sObject & { data: Record<string, string> }) | undefined) ?? assert.fail("no env ConfigMap");
const sidekiqWorkloads = k.workloads.filter((w) => w.kind === "sidekiq");

describe("helm template of chart 1.0.2 with our values", { skip }, () => {
  it("renders the app and nothing of the chart's hooks, Secrets or Ingress, every object valid for its API", () => {
    assert.deepEqual(objects.filter((o) => ["Job", "Secret", "Ingress", "PersistentVolumeClaim"].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`), []);
    assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), k.workloads.map((w) => deploymentName(k.release, w)).sort());
    for (const o of objects) validateObject(o);
  });

  it("one Deployment per Sidekiq group with its -c and its -q in the plan's order; only the scheduler's holds `scheduler`, at one replica", () => {
    for (const w of sidekiqWorkloads) {
      const d = deployment(deploymentName(k.release, w));
      assert.equal(d.metadata.name, `mastodon-sidekiq-${sidekiqGroup(w)}`);
      assert.deepEqual(container(d).command, ["bundle", "exec", "sidekiq", "-c", String(w.process.threads), ...w.process.queues!.flatMap((q) => ["-q", q])]);
      assert.equal(d.spec.replicas, w.replicas.min);
    }
    const schedulers = deployments.filter((d) => (container(d).command ?? []).some((a) => a.split(",")[0] === "scheduler"));
    assert.deepEqual(schedulers.map((d) => [d.metadata.name, d.spec.replicas]), [["mastodon-sidekiq-scheduler", 1]]);
  });

  it("web: Puma workers and threads from the plan", () => {
    const web = k.workloads.find((w) => w.name === "web")!;
    const env = Object.fromEntries(envOf(deployment("mastodon-web")).map((e) => [e.name, e.value]));
    assert.deepEqual([env.WEB_CONCURRENCY, env.MIN_THREADS, env.MAX_THREADS, env.DB_POOL], [String(web.process.workers), String(web.process.threads), String(web.process.threads), String(web.process.dbPool)]);
  });

  it("REDIS_URL (rediss://) comes after REDIS_PASSWORD in every pod, so Kubernetes expands it; the ConfigMap holds neither", () => {
    for (const d of deployments) {
      const names = envOf(d).map((e) => e.name);
      const url = envOf(d).find((e) => e.name === "REDIS_URL");
      assert.ok(names.indexOf("REDIS_PASSWORD") >= 0 && names.indexOf("REDIS_PASSWORD") < names.indexOf("REDIS_URL"), `${d.metadata.name}: ${names.join(" ")}`);
      assert.equal(url?.value, `rediss://default:$(REDIS_PASSWORD)@${AT.redisHost}:25061`);
    }
    const data = configMap().data;
    assert.equal(data.REDIS_URL, undefined);
    assert.equal(data.REDIS_DRIVER, "ruby");
    assert.ok(!Object.values(data).some((v) => v.includes("$(")), "the ConfigMap has no $(…) (no expansion there)");
  });

  it("Postgres over TLS: verified for streaming (its CA mounted, NODE_EXTRA_CA_CERTS), encrypted for Rails", () => {
    assert.equal(configMap().data.DB_SSLMODE, "require");
    const s = deployment("mastodon-streaming");
    const env = Object.fromEntries(envOf(s).map((e) => [e.name, e.value]));
    assert.deepEqual([env.DB_SSLMODE, env.NODE_EXTRA_CA_CERTS], ["verify-full", POSTGRES_CA.file]);
    assert.deepEqual(container(s).volumeMounts, [{ name: POSTGRES_CA.volume, mountPath: POSTGRES_CA.dir }]);
    assert.deepEqual(s.spec.template.spec.volumes, [{ name: POSTGRES_CA.volume, secret: { secretName: "mastodon-postgres-ca", items: [{ key: "ca.crt", path: POSTGRES_CA.fileName }] } }]);
  });

  it("why Rails cannot verify: the chart's global volumeMounts renders as a map in web and Sidekiq, which the API refuses", () => {
    if ("missing" in helm) return;
    // Without streaming's extraCerts: with both, the chart's streaming template is not even YAML.
    const { extraCerts: _, ...streaming } = values.mastodon.streaming;
    const mounted = helm.template({ ...values, mastodon: { ...values.mastodon, streaming }, volumes: [{ name: "ca", secret: { secretName: "x" } }], volumeMounts: [{ name: "ca", mountPath: "/ca" }] }, { release: k.release, namespace: k.namespace });
    const web = mounted.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mastodon-web") as Deployment;
    assert.deepEqual(container(web).volumeMounts, { volumeMounts: [{ name: "ca", mountPath: "/ca" }] });
    assert.throws(() => validateObject(web), /volumeMounts must be array/);
  });

  it("the HTTPRoutes attach to our Gateway's HTTPS listeners only and carry the VM tier's HSTS on every rule", () => {
    const routes = objects.filter((o): o is Route => o.kind === "HTTPRoute");
    assert.deepEqual(routes.map((r) => r.metadata.name).sort(), ["mastodon", "mastodon-streaming"]);
    const listeners = new Map(own.ingress.gateway.spec.listeners.map((l) => [l.name, l]));
    for (const r of routes) {
      assert.deepEqual(r.spec.hostnames, ["example.social"]);
      for (const p of r.spec.parentRefs) {
        assert.equal(p.name, GATEWAY_NAME);
        assert.equal(p.namespace, k.namespace);
        assert.equal(listeners.get(p.sectionName!)?.protocol, "HTTPS", `${r.metadata.name} → ${p.sectionName}`);
      }
      for (const rule of r.spec.rules) assert.deepEqual(rule.filters, [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ ...HSTS }] } }]);
    }
    const services = new Set(objects.filter((o) => o.kind === "Service").map((o) => o.metadata.name));
    for (const b of routes.flatMap((r) => r.spec.rules.flatMap((x) => x.backendRefs))) assert.ok(services.has(b.name), b.name);
  });

  it("resources, node pool and a restricted security context as planned on every Deployment", () => {
    for (const w of k.workloads) {
      const d = deployment(deploymentName(k.release, w));
      assert.deepEqual(container(d).resources, podResources(w), d.metadata.name);
      assert.deepEqual(d.spec.template.spec.nodeSelector, { "doks.digitalocean.com/node-pool": w.pool });
      assert.deepEqual(d.spec.template.spec.securityContext, { runAsUser: 991, runAsGroup: 991, fsGroup: 991 });
      assert.deepEqual(container(d).securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    }
  });

  it("no secret value anywhere in the render; every Secret a pod reads is one we write, with that key", () => {
    for (const v of Object.values(secretValues)) assert.ok(!render.text.includes(v), v);
    const keys = new Map(own.secrets.map((s) => [s.metadata.name, new Set(Object.keys(s.stringData ?? {}))]));
    const refs = deployments.flatMap((d) => envOf(d).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])));
    assert.ok(refs.length > 0);
    for (const r of refs) assert.ok(keys.get(r.name)?.has(r.key), `${r.name}/${r.key}`);
    for (const d of deployments) for (const v of d.spec.template.spec.volumes ?? []) if (v.secret) assert.ok(keys.has(v.secret.secretName), v.secret.secretName);
  });

  it("our autoscalers target the chart's Deployments and our budgets select their pods", () => {
    const { scaledObjects, horizontalPodAutoscalers, podDisruptionBudgets } = own.withRelease;
    for (const t of [...scaledObjects, ...horizontalPodAutoscalers]) deployment(t.spec!.scaleTargetRef.name);
    assert.deepEqual(scaledObjects.map((s) => s.metadata.name), sidekiqWorkloads.filter((w) => w.autoscale.kind === "queues").map((w) => deploymentName(k.release, w)));
    for (const b of podDisruptionBudgets) {
      const selected = deployments.filter((d) => Object.entries(b.spec!.selector!.matchLabels!).every(([l, v]) => d.spec.template.metadata.labels[l] === v));
      assert.deepEqual(selected.map((d) => d.metadata.name), [b.metadata.name]);
    }
  });

  it("the migration Jobs run with Sidekiq's environment, on the direct connection with the server verified", () => {
    const sidekiq = deployment("mastodon-sidekiq-default");
    const effective = new Map<string, string>(Object.entries(configMap().data).map(([n, v]) => [n, JSON.stringify({ value: v })]));
    for (const e of envOf(sidekiq)) effective.set(e.name, JSON.stringify(e.value !== undefined ? { value: e.value } : { valueFrom: e.valueFrom }));
    for (const [phase, job] of Object.entries({ pre: own.beforeRelease.migration, post: own.afterRelease.migration })) {
      const env = job.spec!.template.spec!.containers[0]!.env!;
      const names = env.map((e) => e.name);
      assert.ok(names.indexOf("REDIS_PASSWORD") < names.indexOf("REDIS_URL"), names.join(" "));
      assert.equal(new Set(names).size, names.length, "no variable twice");
      const jobEnv = new Map(env.map((e) => [e.name, JSON.stringify(e.value !== undefined ? { value: e.value } : { valueFrom: e.valueFrom })]));
      const own = { DB_HOST: AT.postgresHost, DB_PORT: "25060", DB_NAME: spec.postgres.database, DB_SSLMODE: "verify-full", PGSSLROOTCERT: POSTGRES_CA.file, ...(phase === "pre" ? { SKIP_POST_DEPLOYMENT_MIGRATIONS: "true" } : {}) };
      const expected = new Map([...effective, ...Object.entries(own).map(([n, v]): [string, string] => [n, JSON.stringify({ value: v })])]);
      assert.deepEqual(Object.fromEntries([...jobEnv].sort()), Object.fromEntries([...expected].sort()), phase);
    }
  });
});
