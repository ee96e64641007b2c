import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPlan } from "../../src/plan";
import { PATHS } from "../../src/plan/render/context";
import { parseStack } from "../../src/spec/load";
import { examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";

const fileOf = (plan: ReturnType<typeof examplePlan>, host: string, path: string) => plan.hosts.find((h) => h.name === host)?.files.find((f) => f.path === path);

test("hobby: the data host serves TLS with one 0600 key per daemon user; clients get the internal CA", () => {
  const plan = examplePlan("hobby");
  const pgKey = fileOf(plan, "data", "/etc/mastodon/tls/internal-postgres.key")!;
  const redisKey = fileOf(plan, "data", "/etc/mastodon/tls/internal-redis.key")!;
  assert.deepEqual([pgKey.mode, pgKey.owner, pgKey.secrets], ["0600", "postgres", ["tls.data.key"]]);
  assert.deepEqual([redisKey.mode, redisKey.owner], ["0600", "redis"]);
  assert.ok(redisKey.after.some((a) => a.kind === "restart" && a.unit === "redis-server.service"));
  for (const host of ["workers", "web"]) {
    const ca = fileOf(plan, host, PATHS.internalCa)!;
    assert.deepEqual(ca.outputs, ["tls.internalCa"]);
    assert.ok(ca.after.some((a) => a.kind === "update-ca-certificates"));
    assert.equal(fileOf(plan, host, "/etc/mastodon/tls/internal-postgres.key"), undefined, `${host} serves nothing`);
  }
});

test("prod: managed services only, so no internal TLS material anywhere", () => {
  for (const h of examplePlan("prod").hosts) assert.ok(!h.files.some((f) => f.path.includes("internal")), h.name);
});

test("managed Postgres with a self-hosted TLS Redis: streaming gets one bundle of both CAs", () => {
  const text = edited("prod", (d) => {
    d.hosts.push({ name: "cache", size: "s-1vcpu-2gb", roles: ["redis"] });
    d.redis = { selfHosted: { host: "cache" } };
  });
  const plan = buildPlan(parseStack(text, "mixed.yaml"));
  const web = plan.hosts.find((h) => h.name === "web-1")!;
  const env = web.files.find((f) => f.path === PATHS.env)!.content;
  assert.match(env, new RegExp(`^NODE_EXTRA_CA_CERTS=${PATHS.caBundle}$`, "m"));
  assert.match(env, new RegExp(`^PGSSLROOTCERT=${PATHS.postgresCa}$`, "m"));
  const bundle = web.files.find((f) => f.path === PATHS.caBundle)!;
  assert.deepEqual(bundle.outputs, ["postgres.caCertificate", "tls.internalCa"]);
});
