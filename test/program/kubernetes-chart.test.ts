// Mastodon on the Kubernetes tier's cluster under mocks: the chart's values held to chart 1.0.2
// and free of secrets; one Sidekiq Deployment per queue group, scaled on its queues and never the
// scheduler; web and streaming on CPU; the migrations around the release; every Secret's data a
// Pulumi secret; the add-ons pinned.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { RELEASE_TIMEOUT_SECONDS } from "../../src/components/kubernetes/release";
import { sidekiqGroup } from "../../src/plan/kubernetes/names";
import { mockState } from "../../src/program/mock-state/index";
import { contractViolations, loadChart } from "../helpers/chart-contract";
import { addon, byName, chartRelease, raw, runKubernetesStack, runTwoPools, secretStrings, T, values, type Obj } from "../helpers/kubernetes-program";
import { inputs, one, ofType, type ProgramRun } from "../helpers/program";

let k8s: ProgramRun;
let twoPools: ProgramRun;

before(async () => {
  k8s = await runKubernetesStack();
  twoPools = await runTwoPools();
});

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

describe("kubernetes: the owner account and registrations", () => {
  it("creates the owner once and sets the registrations mode after the post-deployment migrations, in the release's image and environment, never printing the password to a log", () => {
    const all = byName(k8s, T.job);
    const v = k8s.plan.stack.mastodonVersion.replace(/\./g, "-");
    const post = all.get(`mastodon-db-post-${v}`)!;
    const postPod = (inputs(post).spec as Obj).template.spec;
    for (const [name, script] of [
      ["mastodon-admin", "'bin/tootctl' 'accounts' 'create' 'admin' '--email' 'admin@example.social' '--confirmed' '--approve' '--role' 'Owner' >/dev/null || 'bin/tootctl' 'accounts' 'modify' 'admin' '--role' 'Owner' '--confirm' '--approve'"],
      ["mastodon-registrations-approval", "'bin/tootctl' 'settings' 'registrations' 'approved'"],
    ] as const) {
      const job = all.get(name);
      assert.ok(job, `no ${name} Job: ${[...all.keys()].join(", ")}`);
      const spec = inputs(job).spec as Obj;
      const container = spec.template.spec.containers[0];
      assert.deepEqual(container.command, ["sh", "-c", script]);
      assert.deepEqual([container.image, container.env], [postPod.containers[0].image, postPod.containers[0].env]);
      assert.ok(job.dependencies.includes(post.urn), `${name} runs before the post-deployment migrations`);
      // Once: an upgrade's new image does not run it again, nor does Kubernetes delete it for a refresh to notice.
      assert.deepEqual(job.ignoreChanges, ["spec"]);
      assert.equal(spec.ttlSecondsAfterFinished, undefined);
    }
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
