// Runs the rendered data tier for real: PostgreSQL, PgBouncer and Redis from Debian, started on
// loopback from the files the single and hobby plans render, with only paths, ports, addresses
// and secrets swapped (data-tier-lab.ts). The tuning stays as rendered and TLS stays on.
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT } from "../../src/plan/endpoints";
import { PGBOUNCER, POSTGRES, REDIS } from "../../src/plan/render/data/paths";
import type { HostFile } from "../../src/plan/types";
import { loadStack } from "../../src/spec/load";
import { examplePlanOnThisMachine as examplePlan, ROOT } from "../helpers/plans";
import { IN_CI, requireTool } from "../helpers/tools";
import { fileOf, Lab, must, PRIVATE_IP, run, waitFor, withoutLoopback } from "./data-tier-lab";

const DB = "mastodon_production";

for (const example of ["single", "hobby"]) {
  test(`${example}: rendered Postgres + PgBouncer + Redis run and hold the planned load`, { timeout: 120_000 }, async (t: TestContext) => {
    const plan = examplePlan(example);
    const pg = plan.services.postgres;
    const redisPlan = plan.services.redis;
    assert.ok(pg.kind === "selfHosted" && redisPlan.kind === "selfHosted" && plan.budget.poolSize !== undefined);
    const bin = `/usr/lib/postgresql/${pg.version}/bin`;
    const tools = [[`${bin}/initdb`, `postgresql-${pg.version}`], [`${bin}/pgbench`, `postgresql-${pg.version}`], ["psql", "postgresql-client"], ["pgbouncer", "pgbouncer"], ["redis-server", "redis-server"], ["redis-cli", "redis-tools"], ["openssl", "openssl"]] as const;
    for (const [tool, pkg] of tools) if (!requireTool(t, tool, pkg)) return;
    if (process.getuid?.() !== 0) {
      // The servers refuse root, so the test starts them as postgres, which only root can do.
      if (IN_CI) throw new Error("CI=true but the data tier test is not running as root");
      t.skip("needs root to start the servers as the postgres user");
      return;
    }

    const lab = new Lab(plan, loadStack(join(ROOT, "stacks", `${example}.yaml`)).network.privateCidr);
    t.after(() => lab.cleanup());
    await lab.setup();
    const { clientTotal, poolSize } = plan.budget;
    const clientEnv = { PGUSER: "mastodon", PGPASSWORD: lab.secrets.DB_PASS, PGSSLMODE: "verify-full", PGSSLROOTCERT: lab.tls.ca, PGCONNECT_TIMEOUT: "10" };
    const plainEnv = { ...clientEnv, PGSSLMODE: "disable" };
    const tcp = (host: string, port: string) => ["-h", host, "-p", port, "-d", DB, "-XAtc"];

    // ---- Postgres: initdb, then the rendered drop-ins and pg_hba from a minimal postgresql.conf.
    const conf = POSTGRES.confDir(pg.version);
    const restartConf = fileOf(plan, pg.host, `${conf}/conf.d/mastodon.conf`);
    const reloadConf = fileOf(plan, pg.host, `${conf}/conf.d/mastodon-tuning.conf`);
    const hba = fileOf(plan, pg.host, `${conf}/pg_hba.conf`);
    lab.write("pg/conf.d/mastodon.conf", lab.localize(restartConf.file, restartConf.privateAddress), 0o644);
    lab.write("pg/conf.d/mastodon-tuning.conf", lab.localize(reloadConf.file, reloadConf.privateAddress), 0o644);
    const pgHba = lab.localize(hba.file, hba.privateAddress);
    lab.write("pg/pg_hba.conf", pgHba);
    const pgConf = lab.write("pg/postgresql.conf", [
      `data_directory = '${lab.dir}/pgdata'`,
      `hba_file = '${lab.dir}/pg/pg_hba.conf'`,
      `ident_file = '${lab.dir}/pgdata/pg_ident.conf'`,
      `unix_socket_directories = '${lab.sockets}'`,
      `include_dir = '${lab.dir}/pg/conf.d'`,
      "",
    ].join("\n"));
    lab.chownAll();
    await must(`${bin}/initdb`, ["-D", `${lab.dir}/pgdata`, "-U", "postgres", "-A", "peer", "-E", "UTF8", "--no-sync"], { asPostgres: true, timeoutMs: 60_000 });
    const pgPort = String(lab.ports[POSTGRES_PORT]);
    const postgres = lab.start("postgres", `${bin}/postgres`, ["-c", `config_file=${pgConf}`], "SIGINT");
    await waitFor("postgres", postgres.proc, postgres.log, async () => (await run(`${bin}/pg_isready`, ["-h", lab.sockets, "-p", pgPort])).code === 0);
    // Admin over the unix socket: peer authentication, as the rendered pg_hba allows for postgres.
    const admin = (sql: string, port = pgPort, user = "postgres") => must("psql", ["-h", lab.sockets, "-p", port, "-U", user, "-d", user, "-XAtq", "-F", "|", "-c", sql], { asPostgres: true });
    await admin(`CREATE ROLE mastodon LOGIN PASSWORD '${lab.secrets.DB_PASS}'`);
    await admin(`CREATE DATABASE ${DB} OWNER mastodon`);

    await t.test("postgres runs with the planned tuning, each setting in the file whose action applies it", async () => {
      const show = async (name: string) => (await admin(`SHOW ${name}`)).trim();
      assert.equal(Number(await show("max_connections")), pg.maxConnections);
      assert.equal(await show("shared_buffers"), `${pg.sharedBuffersMb}MB`);
      assert.equal(await show("ssl"), "on");
      assert.equal(await show("password_encryption"), "scram-sha-256");
      const contexts = new Map((await admin("SELECT name, context FROM pg_settings")).trim().split("\n").map((l) => l.split("|") as [string, string]));
      const names = (f: HostFile) => [...f.content.matchAll(/^(\w+)\s*=/gm)].map((m) => m[1]!);
      for (const n of names(restartConf.file)) assert.equal(contexts.get(n), "postmaster", `${n} is in the restart file but a reload applies it`);
      for (const n of names(reloadConf.file)) assert.notEqual(contexts.get(n), "postmaster", `${n} is in the reload file but needs a restart`);
    });

    // On one host nothing else dials the data tier: it listens on loopback only.
    const alone = plan.hosts.length === 1;
    const at = alone ? "127.0.0.1" : PRIVATE_IP;
    const dbEnv = alone ? plainEnv : clientEnv;
    if (alone) {
      await t.test("postgres listens on loopback only: nothing answers on the private address; plain SCRAM on loopback", async () => {
        assert.match((await run("psql", [...tcp(PRIVATE_IP, pgPort), "SELECT 1"], { env: clientEnv })).out, /Connection refused/);
        assert.equal((await must("psql", [...tcp("127.0.0.1", pgPort), "SELECT 1"], { env: plainEnv })).trim(), "1");
        assert.match((await run("psql", [...tcp("127.0.0.1", pgPort), "SELECT 1"], { env: { ...plainEnv, PGPASSWORD: "wrong" } })).out, /password authentication failed/);
      });
    } else {
      await t.test("postgres pg_hba: plain SCRAM on loopback; TLS + SCRAM only from the hosts that dial it", async () => {
        assert.equal((await must("psql", [...tcp(PRIVATE_IP, pgPort), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"], { env: clientEnv })).trim(), "t");
        assert.equal((await must("psql", [...tcp("127.0.0.1", pgPort), "SELECT 1"], { env: plainEnv })).trim(), "1");
        assert.match((await run("psql", [...tcp(PRIVATE_IP, pgPort), "SELECT 1"], { env: { ...clientEnv, PGPASSWORD: "wrong" } })).out, /password authentication failed/);
        // As another host sees it: a reload (the file's planned action) applies the change.
        lab.write("pg/pg_hba.conf", withoutLoopback(pgHba));
        await admin("SELECT pg_reload_conf()");
        const plain = await run("psql", [...tcp(PRIVATE_IP, pgPort), "SELECT 1"], { env: plainEnv });
        assert.match(plain.out, /no pg_hba\.conf entry/, plain.out);
        assert.equal((await must("psql", [...tcp(PRIVATE_IP, pgPort), "SELECT 1"], { env: clientEnv })).trim(), "1");
        lab.write("pg/pg_hba.conf", pgHba);
        await admin("SELECT pg_reload_conf()");
      });
    }
    await must(`${bin}/pgbench`, ["-i", "-s", "1", "-q", "-h", at, "-p", pgPort, DB], { env: dbEnv, timeoutMs: 60_000 });

    // ---- PgBouncer with the rendered ini, HBA and userlist.
    const bouncerHost = plan.services.pool.hosts[0]!;
    const bouncerFiles = Object.fromEntries([PGBOUNCER.ini, PGBOUNCER.hba, PGBOUNCER.userlist].map((path) => {
      const { file, privateAddress } = fileOf(plan, bouncerHost, path);
      return [path, lab.write(`pgbouncer/${path.split("/").pop()}`, lab.localize(file, privateAddress))];
    }));
    lab.chownAll();
    const bouncerPort = String(lab.ports[PGBOUNCER_PORT]);
    const bouncer = lab.start("pgbouncer", "pgbouncer", [bouncerFiles[PGBOUNCER.ini]!], "SIGTERM");
    // The admin console: user pgbouncer over the unix socket from PgBouncer's own OS user.
    const console_ = (sql: string) => admin(sql, bouncerPort, "pgbouncer");
    await waitFor("pgbouncer", bouncer.proc, bouncer.log, async () => (await run("psql", ["-h", lab.sockets, "-p", bouncerPort, "-U", "pgbouncer", "-d", "pgbouncer", "-XAtc", "SHOW VERSION"], { asPostgres: true })).code === 0);

    await t.test(`pgbench ${alone ? "on loopback" : "over TLS"} through PgBouncer: ${clientTotal} clients on ${poolSize} server connections, none failed`, async () => {
      assert.equal((await must("psql", [...tcp("127.0.0.1", bouncerPort), "SELECT 1"], { env: plainEnv })).trim(), "1");
      if (alone) {
        assert.match((await run("psql", [...tcp(PRIVATE_IP, bouncerPort), "SELECT 1"], { env: clientEnv })).out, /Connection refused/, "PgBouncer listens on loopback only");
      } else {
        // From here on, PgBouncer sees the bench as Mastodon on another host: TLS or nothing.
        lab.write("pgbouncer/pg_hba.conf", withoutLoopback(lab.localize(fileOf(plan, bouncerHost, PGBOUNCER.hba).file, "")));
        await console_("RELOAD");
        const plain = await run("psql", [...tcp(PRIVATE_IP, bouncerPort), "SELECT 1"], { env: plainEnv });
        assert.notEqual(plain.code, 0, `PgBouncer let a plain connection in from the network:\n${plain.out}`);
      }

      let maxServers = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const r = await run("psql", ["-h", lab.sockets, "-p", pgPort, "-U", "postgres", "-d", "postgres", "-XAtc", "SELECT count(*) FROM pg_stat_activity WHERE usename = 'mastodon'"], { asPostgres: true });
          if (r.code === 0) maxServers = Math.max(maxServers, Number(r.out.trim()));
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      // Simple protocol: transaction pooling cannot keep prepared statements (PREPARED_STATEMENTS=false).
      const bench = await run(`${bin}/pgbench`, ["-n", "-M", "simple", "-c", String(clientTotal), "-j", "4", "-T", "5", ...tcp(at, bouncerPort).slice(0, 4), DB], { env: dbEnv, timeoutMs: 60_000 });
      const pools = await console_("SHOW POOLS");
      sampling = false;
      await sampler;

      const num = (re: RegExp) => Number(bench.out.match(re)?.[1] ?? NaN);
      const result = {
        plan: example,
        clients: num(/number of clients: (\d+)/),
        poolSize,
        maxConnections: pg.maxConnections,
        tps: num(/tps = ([\d.]+) \(without initial connection time\)/),
        transactions: num(/number of transactions actually processed: (\d+)/),
        failed: num(/number of failed transactions: (\d+)/),
        maxServerConnectionsSeen: maxServers,
      };
      console.log(`pgbench ${JSON.stringify(result)}`);
      assert.equal(bench.code, 0, `pgbench failed:\n${bench.out}\n${bouncer.log()}`);
      assert.doesNotMatch(bench.out, /error|failed:/i, bench.out);
      assert.equal(result.clients, clientTotal);
      assert.equal(result.failed, 0);
      assert.ok(result.transactions > 0, bench.out);
      assert.ok(maxServers > 0 && maxServers <= poolSize, `Postgres saw ${maxServers} mastodon connections; the pool is ${poolSize}`);
      assert.ok(pools.split("\n").some((l) => l.startsWith(`${DB}|mastodon|`)), `no ${DB}/mastodon pool in SHOW POOLS:\n${pools}`);
    });

    // ---- Redis with the rendered redis.conf.
    const rc = fileOf(plan, redisPlan.host, REDIS.conf);
    const redisConf = lab.write("redis/redis.conf", lab.localize(rc.file, rc.privateAddress));
    lab.chownAll();
    const redisPort = String(lab.ports[REDIS_PORT]);
    const cli = (args: string[], auth = true, port = redisPort, host = at) => run("redis-cli", ["--no-auth-warning", "-h", host, "-p", port, ...(auth ? ["-a", lab.secrets.REDIS_PASSWORD] : []), ...args]);
    const redis = lab.start("redis", "redis-server", [redisConf], "SIGTERM");
    await waitFor("redis", redis.proc, redis.log, async () => (await cli(["PING"])).out.trim() === "PONG");

    await t.test("redis: password required, maxmemory as planned, noeviction, TLS port verified", async () => {
      assert.match((await cli(["SET", "k", "v"], false)).out, /NOAUTH/);
      assert.equal((await cli(["SET", "k", "v"])).out.trim(), "OK");
      assert.equal((await cli(["GET", "k"])).out.trim(), "v");
      assert.equal((await cli(["CONFIG", "GET", "maxmemory"])).out.trim().split("\n")[1], String(redisPlan.maxmemoryMb * 1024 * 1024));
      assert.equal((await cli(["CONFIG", "GET", "maxmemory-policy"])).out.trim().split("\n")[1], "noeviction");
      const tlsPing = await cli(["--tls", "--cacert", lab.tls.ca, "PING"], true, String(lab.ports[REDIS_TLS_PORT]));
      assert.equal(tlsPing.out.trim(), "PONG", tlsPing.out);
      if (alone) assert.match((await cli(["PING"], true, redisPort, PRIVATE_IP)).out, /Connection refused/, "Redis listens on loopback only");
    });
  });
}
