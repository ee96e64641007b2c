// /etc/mastodon/env.production for every app host of every example stack: only variables
// Mastodon reads, secrets only as markers, the managed tier's TLS and pooling settings, the
// media-URL rule, and byte-identical output.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlan, type Plan } from "../../src/plan";
import { PATHS } from "../../src/plan/render/context";
import { envLine } from "../../src/plan/render/env/format";
import { esPreset } from "../../src/plan/render/env/services";
import { MASTODON_ENV_VARS, PROCESS_ENV_VARS, PROCESS_SCOPED_MASTODON_VARS, REMOVED_ENV_VARS } from "../../src/plan/render/mastodon-env";
import { redact } from "../../src/plan/render/placeholders";
import type { HostFile, PlannedHost } from "../../src/plan/types";
import { loadStack, parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";
import { edited, type Doc } from "../helpers/stacks";

const SECRET_KEYS = [
  "SECRET_KEY_BASE", "VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY",
  "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT", "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY", "DB_PASS", "SMTP_PASSWORD",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ES_PASS", "OTP_SECRET",
];

function envFile(host: PlannedHost): HostFile | undefined {
  return host.files.find((f) => f.path === PATHS.env);
}

/** The file as systemd's EnvironmentFile= reads our subset: comments, blanks, KEY=value, KEY="value". */
function parseEnv(content: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of content.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    assert.ok(m, `not a KEY=value line: ${line}`);
    assert.ok(!vars.has(m[1]!), `${m[1]} is set twice`);
    vars.set(m[1]!, m[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return vars;
}

function appHosts(plan: Plan): PlannedHost[] {
  return plan.hosts.filter((h) => h.processes.length > 0);
}

function envOf(plan: Plan, name: string): Map<string, string> {
  const host = plan.hosts.find((h) => h.name === name);
  assert.ok(host, `no host ${name}`);
  return parseEnv(envFile(host)!.content);
}

function planOf(name: string, edit: (d: Doc) => void): Plan {
  return buildPlan(parseStack(edited(name, edit), `${name}-edited.yaml`));
}

for (const name of EXAMPLES) {
  test(`${name}: every app host has env.production with only variables Mastodon reads`, () => {
    const plan = examplePlan(name);
    assert.ok(appHosts(plan).length > 0);
    for (const host of plan.hosts) {
      const file = envFile(host);
      if (host.processes.length === 0) {
        assert.equal(file, undefined, `${host.name} runs no Mastodon process but got ${PATHS.env}`);
        continue;
      }
      assert.ok(file, `${host.name} has no ${PATHS.env}`);
      assert.equal(file.mode, "0600");
      assert.equal(file.owner, "mastodon");
      assert.equal(file.group, "mastodon");
      for (const key of parseEnv(file.content).keys()) {
        assert.ok(!REMOVED_ENV_VARS.has(key), `${host.name}: ${key} was removed upstream`);
        assert.ok(MASTODON_ENV_VARS.has(key) || PROCESS_ENV_VARS.has(key), `${host.name}: Mastodon does not read ${key}`);
        assert.ok(!PROCESS_SCOPED_MASTODON_VARS.has(key), `${host.name}: ${key} is per process and belongs in the units`);
        assert.ok(!/^(STATSD_|STREAMING_CLUSTER_NUM$|DB_POOL$)/.test(key), `${host.name}: ${key} must not be in env.production`);
      }
    }
  });

  test(`${name}: secrets appear only as markers, and redact hides every one`, () => {
    for (const host of appHosts(examplePlan(name))) {
      const file = envFile(host)!;
      const vars = parseEnv(file.content);
      for (const key of SECRET_KEYS) {
        const value = vars.get(key);
        if (value === undefined) continue;
        assert.match(value, /^\{\{secret:[A-Z0-9_]+\}\}$/, `${host.name}: ${key} is not a secret marker`);
      }
      assert.match(vars.get("REDIS_URL")!, /\{\{secret:REDIS_PASSWORD\}\}/);
      assert.ok(file.secrets.includes("SECRET_KEY_BASE") && file.secrets.includes("DB_PASS"));
      const shown = redact(file.content);
      assert.ok(!shown.includes("{{secret:"), `${host.name}: a secret marker survived redaction`);
      for (const s of file.secrets) assert.ok(shown.includes(`<redacted:${s}>`), `${host.name}: ${s} is not shown redacted`);
    }
  });

  test(`${name}: a changed environment restarts every Mastodon unit on the host (a reload would keep the old one)`, () => {
    for (const host of appHosts(examplePlan(name))) {
      const after = envFile(host)!.after;
      assert.deepEqual(after.map((a) => a.kind).filter((k) => k !== "restart"), []);
      assert.deepEqual(new Set(after.map((a) => ("unit" in a ? a.unit : ""))), new Set(host.processes.map((p) => p.unit)));
      assert.ok(after.some((a) => "unit" in a && /^mastodon-(web|streaming@\d+|sidekiq-.+)\.service$/.test(a.unit)));
    }
  });

  test(`${name}: rendering is byte-identical across builds`, () => {
    const a = buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    const b = buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    for (const [i, host] of a.hosts.entries()) assert.equal(envFile(host)?.content, envFile(b.hosts[i]!)?.content);
  });
}

test("prod: pooled managed Postgres over verified TLS, Valkey over TLS, OpenSearch over https, Spaces behind its CDN", () => {
  const plan = examplePlan("prod");
  for (const host of appHosts(plan)) {
    const env = parseEnv(envFile(host)!.content);
    assert.equal(env.get("PREPARED_STATEMENTS"), "false");
    assert.equal(env.get("DB_PORT"), "25061");
    assert.ok(["verify-full", "require"].includes(env.get("DB_SSLMODE")!));
    assert.equal(env.get("PGSSLROOTCERT"), PATHS.postgresCa);
    assert.equal(env.get("NODE_EXTRA_CA_CERTS"), PATHS.postgresCa, "streaming verifies Postgres against Node's CAs plus this one");
    assert.match(env.get("REDIS_URL")!, /^rediss:\/\//);
    assert.equal(env.get("REDIS_DRIVER"), "ruby");
    assert.match(env.get("ES_HOST")!, /^https:\/\//);
    assert.equal(env.get("ES_PRESET"), "single_node_cluster");
    assert.equal(env.get("S3_ALIAS_HOST"), "{{output:media.cdnHost}}");
    assert.equal(env.get("S3_HOSTNAME"), undefined, "with an alias host, S3_HOSTNAME would be unused");
    assert.equal(env.get("S3_ENDPOINT"), "https://nyc3.digitaloceanspaces.com");
    assert.equal(env.get("SMTP_ENABLE_STARTTLS"), "always");
    assert.equal(env.get("OTP_SECRET"), undefined, "4.5 no longer reads OTP_SECRET at boot");
    // The edge proxies cannot read a web host's public/, so Puma serves static files.
    assert.equal(env.get("RAILS_SERVE_STATIC_FILES"), host.processes.some((p) => p.kind === "web") ? "true" : undefined);
    const ca = host.files.find((f) => f.path === PATHS.postgresCa);
    assert.ok(ca && ca.mode === "0644" && ca.content.trim() === "{{output:postgres.caCertificate}}");
  }
});

test("R2 stacks: no ACL, region auto, an alias host (R2's API endpoint serves no public reads)", () => {
  for (const name of ["single", "hobby"]) {
    for (const host of appHosts(examplePlan(name))) {
      const env = parseEnv(envFile(host)!.content);
      assert.equal(env.get("S3_PERMISSION"), "", `${name}/${host.name}: S3_PERMISSION must be present and empty`);
      assert.equal(env.get("S3_REGION"), "auto");
      assert.match(env.get("S3_ENDPOINT")!, /^https:\/\/\{\{output:r2\.accountId\}\}\.r2\.cloudflarestorage\.com$/);
      assert.ok(env.get("S3_ALIAS_HOST"), `${name}/${host.name}: R2 needs S3_ALIAS_HOST`);
    }
  }
  assert.equal(envOf(examplePlan("single"), "box").get("S3_ALIAS_HOST"), "files.single.example.social");
});

test("self-hosted stacks: loopback without TLS on one box, verified TLS to the data host otherwise", () => {
  const box = envOf(examplePlan("single"), "box");
  assert.equal(box.get("DB_SSLMODE"), "disable");
  assert.equal(box.get("PGSSLROOTCERT"), undefined);
  assert.match(box.get("REDIS_URL")!, /^redis:\/\/.*@127\.0\.0\.1:/);
  assert.equal(box.get("REDIS_DRIVER"), undefined);
  assert.equal(box.get("RAILS_SERVE_STATIC_FILES"), undefined, "nginx beside Puma serves public/ itself");
  const workers = envOf(examplePlan("hobby"), "workers");
  assert.equal(workers.get("DB_SSLMODE"), "verify-full");
  assert.equal(workers.get("PGSSLROOTCERT"), PATHS.internalCa);
  assert.equal(workers.get("REDIS_DRIVER"), "ruby");
});

test("S3: S3_HOSTNAME for path-style URLs without an alias, S3_ALIAS_HOST (and no S3_HOSTNAME) with one", () => {
  const s3 = { endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "media", accessKeySecret: "k", secretKeySecret: "s" };
  const plain = envOf(planOf("single", (d) => (d.media = { s3 })), "box");
  assert.equal(plain.get("S3_HOSTNAME"), "s3.eu-west-1.amazonaws.com");
  assert.equal(plain.get("S3_ALIAS_HOST"), undefined);
  assert.equal(plain.get("S3_PERMISSION"), "public-read");
  const aliased = envOf(planOf("single", (d) => (d.media = { s3: { ...s3, aliasHost: "media.single.example.social", permission: "" } })), "box");
  assert.equal(aliased.get("S3_ALIAS_HOST"), "media.single.example.social");
  assert.equal(aliased.get("S3_HOSTNAME"), undefined);
  assert.equal(aliased.get("S3_PERMISSION"), "");
  const spaces = envOf(planOf("prod", (d) => (d.media = { spaces: { region: "ams3", cdn: false, bucket: "prod-media-b" } })), "web-1");
  assert.equal(spaces.get("S3_HOSTNAME"), "ams3.digitaloceanspaces.com");
  assert.equal(spaces.get("S3_ALIAS_HOST"), undefined);
  const local = envOf(planOf("single", (d) => (d.media = { local: {} })), "box");
  assert.equal(local.get("S3_ENABLED"), undefined);
  assert.match(local.get("PAPERCLIP_ROOT_PATH")!, /^\/var\/lib\/mastodon\//);
});

test("version and options: OTP_SECRET only for 4.3, implicit TLS mail, domains, authorized fetch", () => {
  const old = envOf(planOf("prod", (d) => (d.mastodon.version = "v4.3.2")), "web-1");
  assert.equal(old.get("OTP_SECRET"), "{{secret:OTP_SECRET}}");
  const plan = planOf("prod", (d) => {
    d.mail.smtp.tls = "tls";
    d.mail.smtp.port = 465;
    d.mail.smtp.from = "Example Social <notifications@example.social>";
    d.webDomain = "social.example.social";
    d.alternateDomains = ["example.org", "example.net"];
    d.mastodon.authorizedFetch = true;
  });
  const env = envOf(plan, "worker-1");
  assert.equal(env.get("SMTP_TLS"), "true");
  assert.equal(env.get("SMTP_ENABLE_STARTTLS"), undefined);
  assert.equal(env.get("SMTP_FROM_ADDRESS"), "Example Social <notifications@example.social>");
  assert.equal(env.get("WEB_DOMAIN"), "social.example.social");
  assert.equal(env.get("ALTERNATE_DOMAINS"), "example.org,example.net");
  assert.equal(env.get("AUTHORIZED_FETCH"), "true");
  assert.equal(envOf(examplePlan("prod"), "worker-1").get("AUTHORIZED_FETCH"), undefined, "false would pin the admin toggle off");
});

test("values systemd and dotenv would read differently are refused; spaces are quoted", () => {
  assert.equal(envLine("A", "x y"), 'A="x y"');
  assert.equal(envLine("A", ""), "A=");
  for (const bad of ["a$b", 'a"b', "a\\b", "a\nb", " lead"]) assert.throws(() => envLine("A", bad), /read differently/);
  assert.throws(() => envLine("1A", "x"));
});

test("ES_PRESET follows upstream's node-count guidance", () => {
  assert.deepEqual([1, 2, 5, 6, 9].map(esPreset), ["single_node_cluster", "small_cluster", "small_cluster", "large_cluster", "large_cluster"]);
});
