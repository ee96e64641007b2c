// The values for Mastodon's chart, held to the chart's own declaration (no key it would silently
// ignore, every `required` satisfied) and to the VM tier's decisions (media, mail, TLS, HSTS).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { chartValues } from "../../src/plan/kubernetes/chart-values";
import { MASTODON_CHART } from "../../src/plan/kubernetes/names";
import { migrationEnv } from "../../src/plan/kubernetes/manifests/migrations";
import { chartConfigEnv, sidekiqContainerEnv } from "../../src/plan/kubernetes/manifests/pod-env";
import { assertMastodonEnv } from "../../src/plan/render/mastodon-env";
import { plainEndpoints } from "../../src/plan/kubernetes/cluster-endpoints";
import { HSTS, SECRETS } from "../../src/plan/kubernetes/names";
import type { Spec } from "../../src/spec/schema/stack";
import { CHART_DIR, contractViolations, loadChart, requiredViolations } from "../helpers/chart-contract";
import { AT, kubeExample } from "../helpers/kube";
import { ROOT } from "../helpers/plans";

const chart = loadChart();
const { spec, plan } = kubeExample();
const values = chartValues(spec, plan, AT);
const withSpec = (change: (s: Spec) => Spec) => chartValues(change(structuredClone(spec)), plan, AT);

describe("chart values: the contract with chart 1.0.2", () => {
  it("every key exists in the chart's values.yaml and every `required` of the chart is satisfied", () => {
    assert.deepEqual(contractViolations(chart, values), []);
    assert.deepEqual(requiredViolations(chart, values), []);
  });

  it("the required check reads `required` inside `with` blocks and fails when a required value is missing", () => {
    assert.equal(chart.required.get("postgresql.hostname"), "Database hostname must be given");
    assert.equal(chart.required.get("mastodon.s3.bucket"), "S3 bucket is required");
    const broken = structuredClone(values) as unknown as { mastodon: { s3: Record<string, unknown> }; redis: Record<string, unknown> };
    delete broken.mastodon.s3.bucket;
    broken.redis.existingSecret = "";
    assert.deepEqual(requiredViolations(chart, broken), ['mastodon.s3.bucket: required by the chart ("S3 bucket is required")', 'redis.password: required by the chart ("Redis password is required with no existing secret")']);
  });

  it("a misspelled key fails with its path", () => {
    const typo = structuredClone(values) as unknown as { mastodon: { web: Record<string, unknown>; sidekiq: { workers: Record<string, unknown>[] } } };
    typo.mastodon.web.maxThread = "5";
    typo.mastodon.sidekiq.workers[0]!.concurency = 5;
    const v = contractViolations(chart, typo);
    assert.equal(v.length, 2, v.join("\n"));
    assert.match(v[0]!, /^mastodon\.web\.maxThread: not a value of the chart/);
    assert.match(v[1]!, /^mastodon\.sidekiq\.workers\[0\]\.concurency: not a value of the chart/);
  });
});

describe("chart values: what they say", () => {
  it("are for the chart the plan installs, the fixture's version, and refuse another", () => {
    assert.deepEqual(plan.kubernetes!.chart, MASTODON_CHART);
    assert.match(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"), new RegExp(`^version: ${MASTODON_CHART.version.replace(/\./g, "\\.")}$`, "m"));
    const other = { ...plan, kubernetes: { ...plan.kubernetes!, chart: { ...plan.kubernetes!.chart, version: "2.0.0" } } };
    assert.throws(() => chartValues(spec, other, AT), /^Error: these values are for Mastodon's chart mastodon 1\.0\.2, but the plan installs mastodon 2\.0\.0$/);
  });

  it("every variable we add (ConfigMap, per component, migrations) is one this Mastodon release or its libraries read", () => {
    const m = values.mastodon;
    const added = { ...m.extraEnvVars, ...m.web.extraEnvVars, ...m.streaming.extraEnvVars, ...m.sidekiq.extraEnvVars };
    assertMastodonEnv(added, "chart values", { version: spec.mastodon.version, target: "process" });
    // The migrations add to what the chart writes (the chart's own names, TZ or the dead
    // STREAMING_CLUSTER_NUM among them, are its business).
    const chartNames = new Set([...chartConfigEnv(values, AT).map(([n]) => n), ...sidekiqContainerEnv(values).map((e) => e.name)]);
    for (const phase of ["pre", "post"] as const) {
      const jobOnly = Object.fromEntries(migrationEnv(spec, plan, AT, phase).flatMap((e) => (chartNames.has(e.name) ? [] : [[e.name, e.value ?? ""]])));
      assert.deepEqual(Object.keys(jobOnly).sort(), phase === "pre" ? ["PGSSLROOTCERT", "SKIP_POST_DEPLOYMENT_MIGRATIONS"] : ["PGSSLROOTCERT"]);
      assertMastodonEnv(jobOnly, `migration ${phase}`, { version: spec.mastodon.version, target: "process" });
    }
  });

  it("every secret comes from a Secret we name; the values hold no credential", () => {
    assert.equal(values.mastodon.secrets.existingSecret, SECRETS.app.name);
    assert.equal(values.postgresql.existingSecret, SECRETS.postgres.name);
    assert.equal(values.redis.existingSecret, SECRETS.redis.name);
    assert.equal(values.mastodon.s3.existingSecret, SECRETS.s3.name);
    assert.equal(values.mastodon.smtp.existingSecret, SECRETS.smtp.name);
    assert.equal(values.elasticsearch.enabled && values.elasticsearch.existingSecret, SECRETS.elasticsearch.name);
    const text = JSON.stringify(values);
    for (const key of ["password", "accessKeyId", "secretAccessKey", "secretKeyBase", "vapidPrivateKey", "username"]) assert.ok(!text.includes(`"${key}"`), key);
  });

  it("the pool for the app (its name is the database), the real database directly, no prepared statements", () => {
    assert.deepEqual(values.postgresql, {
      hostname: AT.postgresHost,
      port: 25061,
      database: "mastodon",
      preparedStatements: false,
      existingSecret: SECRETS.postgres.name,
      direct: { hostname: AT.postgresHost, port: 25060, database: spec.postgres.database },
    });
  });

  it("rediss:// in each component's pod env, never in the ConfigMap; the Ruby driver (TLS) for all", () => {
    const url = `rediss://default:$(REDIS_PASSWORD)@${AT.redisHost}:25061`;
    for (const c of [values.mastodon.web, values.mastodon.streaming, values.mastodon.sidekiq]) assert.equal(c.extraEnvVars.REDIS_URL, url);
    assert.equal(values.mastodon.extraEnvVars.REDIS_URL, undefined);
    assert.equal(values.mastodon.extraEnvVars.REDIS_DRIVER, "ruby");
  });

  it("HSTS at the Gateway is the VM tier's nginx header", () => {
    const snippet = readFileSync(join(ROOT, "templates", "nginx", "snippets", "hsts.conf.liquid"), "utf8");
    assert.ok(snippet.includes(`add_header ${HSTS.name} "${HSTS.value}" always;`), snippet);
    for (const r of [...values.httproute.rules, ...values.httproute.streamingRules]) assert.deepEqual(r.filters, [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ ...HSTS }] } }]);
  });

  it("media: Spaces behind its CDN, Spaces without one, R2 (no ACL), and an S3 with an alias host", () => {
    assert.deepEqual([values.mastodon.s3.endpoint, values.mastodon.s3.hostname, values.mastodon.s3.aliasHost, values.mastodon.s3.region], ["https://nyc3.digitaloceanspaces.com", "nyc3.digitaloceanspaces.com", AT.mediaAliasHost, "nyc3"]);
    const noCdn = withSpec((s) => ({ ...s, media: { spaces: { region: "ams3", cdn: false } } }));
    assert.deepEqual([noCdn.mastodon.s3.hostname, noCdn.mastodon.s3.aliasHost, noCdn.mastodon.s3.bucket], ["ams3.digitaloceanspaces.com", "", "large-media"]);
    const r2At = plainEndpoints({ ...AT, objectStorageHost: "acct.r2.cloudflarestorage.com", mediaAliasHost: "pub-x.r2.dev" });
    const r2 = chartValues({ ...spec, media: { r2: {} } }, plan, r2At);
    assert.deepEqual([r2.mastodon.s3.endpoint, r2.mastodon.s3.hostname, r2.mastodon.s3.aliasHost, r2.mastodon.s3.region, r2.mastodon.extraEnvVars.S3_PERMISSION], ["https://acct.r2.cloudflarestorage.com", "acct.r2.cloudflarestorage.com", "pub-x.r2.dev", "auto", ""]);
    assert.throws(() => chartValues({ ...spec, media: { r2: {} } }, plan, AT), /no account host was given \(ClusterEndpoints\.objectStorageHost\)/);
    const s3 = withSpec((s) => ({ ...s, media: { s3: { endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "b", aliasHost: "files.example.social", permission: "private", accessKeySecret: "a", secretKeySecret: "b" } } }));
    assert.deepEqual([s3.mastodon.s3.hostname, s3.mastodon.s3.aliasHost, s3.mastodon.s3.permission], ["s3.eu-west-1.amazonaws.com", "files.example.social", "private"]);
  });

  it("mail as the VM tier sends it, and without mail nothing of the chart's example relay", () => {
    assert.deepEqual([values.mastodon.smtp.server, values.mastodon.smtp.port, values.mastodon.smtp.fromAddress, values.mastodon.smtp.enableStartTls, values.mastodon.smtp.tls], ["email-smtp.us-east-1.amazonaws.com", 587, "notifications@example.social", "always", false]);
    const implicit = withSpec((s) => ({ ...s, mail: { smtp: { ...s.mail!.smtp, port: 465, tls: "tls" } } }));
    assert.deepEqual([implicit.mastodon.smtp.enableStartTls, implicit.mastodon.smtp.tls], ["", true]);
    const none = withSpec(({ mail: _mail, ...s }) => s);
    assert.deepEqual([none.mastodon.smtp.server, none.mastodon.smtp.fromAddress], ["", ""]);
  });

  it("search off leaves the chart's search off; managed search without its host is refused", () => {
    assert.deepEqual(withSpec((s) => ({ ...s, search: { off: true } })).elasticsearch, { enabled: false });
    assert.throws(() => chartValues(spec, plan, plainEndpoints({ postgresHost: "p", redisHost: "r", mediaAliasHost: "m" })), /no search host was given/);
  });

  it("a scheduler group with more than one replica is refused before Helm would", () => {
    const k = plan.kubernetes!;
    const twice = { ...plan, kubernetes: { ...k, workloads: k.workloads.map((w) => (w.process.queues?.includes("scheduler") ? { ...w, replicas: { min: 2, max: 2 } } : w)) } };
    assert.throws(() => chartValues(spec, twice, AT), /^Error: sidekiq-scheduler holds the scheduler queue and must run exactly one replica, not 2 to 2$/);
  });

  it("the same plan gives the same values (deterministic)", () => {
    assert.equal(JSON.stringify(chartValues(spec, plan, AT)), JSON.stringify(values));
  });
});
