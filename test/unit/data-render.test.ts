// The data tier renderer: deterministic, sized by the connection budget, secrets locked down,
// and files only where the role runs. Whether the configs work is test/tools/data-tier.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPlan } from "../../src/plan";
import { POSTGRES_SUPERUSER_RESERVED } from "../../src/plan/capacity/model";
import { PGBOUNCER, REDIS } from "../../src/plan/render/data/paths";
import { poolShare } from "../../src/plan/render/data/pgbouncer";
import type { HostFile, Plan, PlannedHost } from "../../src/plan/types";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan } from "../helpers/plans";
import { edited, exampleDoc } from "../helpers/stacks";
import { stringify } from "yaml";

const DATA_PATH = /^\/etc\/(postgresql|pgbouncer|redis)\//;
const dataFiles = (h: PlannedHost) => h.files.filter((f) => DATA_PATH.test(f.path));
const planOf = (text: string) => buildPlan(parseStack(text, "t.yaml"));
const file = (plan: Plan, host: string, path: string): HostFile => {
  const f = plan.hosts.find((h) => h.name === host)?.files.find((x) => x.path === path);
  assert.ok(f, `${host} has no ${path}`);
  return f;
};
/** `key = value` settings of an ini-style file (pgbouncer.ini). */
const ini = (f: HostFile) => new Map([...f.content.matchAll(/^(\w+)\s*=\s*(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));

test("rendering is deterministic: two plans of the same stack give byte-identical data files", () => {
  for (const name of EXAMPLES) {
    const text = stringify(exampleDoc(name));
    const [a, b] = [planOf(text), planOf(text)];
    assert.deepEqual(a.hosts.map(dataFiles), b.hosts.map(dataFiles), name);
  }
});

test("PgBouncer's pool is the budget: pool size, server cap, client limit and mode", () => {
  for (const name of ["single", "hobby"]) {
    const plan = examplePlan(name);
    const [host] = plan.services.pool.hosts;
    const s = ini(file(plan, host!, PGBOUNCER.ini));
    assert.equal(Number(s.get("default_pool_size")), plan.budget.poolSize, name);
    assert.equal(Number(s.get("max_db_connections")), plan.budget.poolSize, name);
    assert.equal(Number(s.get("max_client_conn")), plan.budget.clientLimit, name);
    assert.equal(s.get("pool_mode"), plan.budget.poolMode, name);
    assert.equal(s.get("reserve_pool_size"), "0", name);
    // Postgres leaves room for the pool plus the reserve that bypasses it.
    const pg = plan.services.postgres;
    assert.ok(pg.kind === "selfHosted" && plan.budget.poolSize! + plan.budget.reserve <= pg.maxConnections - POSTGRES_SUPERUSER_RESERVED, name);
  }
});

test("several PgBouncer hosts split the pool so their sum is the budget; each reaches Postgres over verified TLS", () => {
  const text = edited("hobby", (d) => {
    d.hosts.push({ name: "pool", size: "cx23", count: 2, roles: ["pgbouncer"] });
  });
  const plan = planOf(text);
  assert.deepEqual(plan.services.pool.hosts, ["pool-1", "pool-2"]);
  const sizes = plan.services.pool.hosts.map((h) => Number(ini(file(plan, h, PGBOUNCER.ini)).get("default_pool_size")));
  assert.equal(sizes.reduce((a, b) => a + b, 0), plan.budget.poolSize);
  const s = ini(file(plan, "pool-1", PGBOUNCER.ini));
  assert.equal(s.get("server_tls_sslmode"), "verify-full");
  const dataAddress = plan.hosts.find((h) => h.name === "data")!.privateAddress;
  assert.match(file(plan, "pool-1", PGBOUNCER.ini).content, new RegExp(`= host=${dataAddress.replaceAll(".", "\\.")} port=5432 `));
  assert.ok(!plan.hosts.find((h) => h.name === "data")!.files.some((f) => f.path.startsWith("/etc/pgbouncer/")), "the pool moved off the data host");
});

test("poolShare hands out the remainder first and never a zero pool", () => {
  assert.deepEqual(["a", "b", "c"].map((h) => poolShare(20, ["a", "b", "c"], h)), [7, 7, 6]);
  assert.deepEqual(["a", "b"].map((h) => poolShare(1, ["a", "b"], h)), [1, 1]);
});

test("files holding secrets are 0600 and owned by the service that reads them", () => {
  for (const name of ["single", "hobby"]) {
    const plan = examplePlan(name);
    const userlist = file(plan, plan.services.pool.hosts[0]!, PGBOUNCER.userlist);
    assert.deepEqual([userlist.mode, userlist.owner, userlist.secrets], ["0600", "postgres", ["DB_PASS"]]);
    const redisHost = plan.services.redis.kind === "selfHosted" ? plan.services.redis.host : "";
    const redis = file(plan, redisHost, REDIS.conf);
    assert.deepEqual([redis.mode, redis.owner, redis.secrets], ["0600", "redis", ["REDIS_PASSWORD"]]);
    for (const f of plan.hosts.flatMap(dataFiles)) if (f.secrets.length > 0) assert.equal(f.mode, "0600", f.path);
  }
});

test("a change names what applies it: restart for start-time settings, reload for the rest", () => {
  const plan = examplePlan("hobby");
  const after = (path: string) => file(plan, "data", path).after;
  assert.deepEqual(after("/etc/postgresql/17/main/conf.d/mastodon.conf"), [{ kind: "restart", unit: "postgresql@17-main.service" }]);
  assert.deepEqual(after("/etc/postgresql/17/main/conf.d/mastodon-tuning.conf"), [{ kind: "reload", unit: "postgresql@17-main.service" }]);
  assert.deepEqual(after("/etc/postgresql/17/main/pg_hba.conf"), [{ kind: "reload", unit: "postgresql@17-main.service" }]);
  assert.deepEqual(after(REDIS.conf), [{ kind: "restart", unit: "redis-server.service" }]);
});

test("no data file on a host without the role, and none at all with managed services", () => {
  const hobby = examplePlan("hobby");
  for (const h of hobby.hosts) {
    const paths = dataFiles(h).map((f) => f.path);
    assert.equal(paths.some((p) => p.startsWith("/etc/postgresql/")), h.roles.includes("postgres"), h.name);
    assert.equal(paths.some((p) => p.startsWith("/etc/redis/")), h.roles.includes("redis"), h.name);
    assert.equal(paths.some((p) => p.startsWith("/etc/pgbouncer/")), hobby.services.pool.hosts.includes(h.name), h.name);
  }
  for (const h of examplePlan("prod").hosts) assert.deepEqual(dataFiles(h), [], h.name);
});

test("without internal encryption: plain host lines and no TLS listeners", () => {
  const plan = planOf(edited("hobby", (d) => (d.network.encryptInternal = false)));
  const data = plan.hosts.find((h) => h.name === "data")!;
  const content = (suffix: string) => data.files.find((f) => f.path.endsWith(suffix))!.content;
  assert.doesNotMatch(content("/etc/postgresql/17/main/pg_hba.conf"), /^hostssl/m);
  assert.doesNotMatch(content("/etc/pgbouncer/pg_hba.conf"), /^hostssl/m);
  assert.doesNotMatch(content("mastodon-tuning.conf"), /^ssl = on/m);
  assert.doesNotMatch(content(REDIS.conf), /^tls-port/m);
  assert.doesNotMatch(content(PGBOUNCER.ini), /^client_tls_sslmode/m);
});
