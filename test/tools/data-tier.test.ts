// Runs the rendered data tier for real: PostgreSQL, PgBouncer and Redis from Debian, started on
// loopback from the files the single and hobby plans render, with only paths, ports, addresses
// and secrets swapped. The tuning stays as rendered and TLS stays on.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT } from "../../src/plan/endpoints";
import { PATHS } from "../../src/plan/render/context";
import { PGBOUNCER, POSTGRES, REDIS } from "../../src/plan/render/data/paths";
import { fillPlaceholders } from "../../src/plan/render/placeholders";
import type { HostFile, Plan } from "../../src/plan/types";
import { loadStack } from "../../src/spec/load";
import { examplePlan, ROOT } from "../helpers/plans";
import { requireTool } from "../helpers/tools";

/** Stands in for the host's private address; all of 127/8 is loopback on Linux. */
const PRIVATE_IP = "127.0.0.2";
const PG_USER = { uid: 0, gid: 0 };

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; asPostgres?: boolean; timeoutMs?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { PATH: process.env.PATH, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, ...(opts.asPostgres ? PG_USER : {}), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

async function must(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")} failed:\n${r.out}`);
  return r.out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function waitFor(what: string, proc: ChildProcess, log: () => string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}:\n${log()}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${ms} ms:\n${log()}`);
}

/** One plan's data tier in a temp dir; every process it starts is stopped by pid in cleanup(). */
class Lab {
  readonly dir = mkdtempSync(join(tmpdir(), "data-tier-"));
  readonly procs: { name: string; proc: ChildProcess; signal: NodeJS.Signals }[] = [];
  readonly secrets = { DB_PASS: randomBytes(18).toString("hex"), REDIS_PASSWORD: randomBytes(18).toString("hex") };
  ports = { [POSTGRES_PORT]: 0, [PGBOUNCER_PORT]: 0, [REDIS_PORT]: 0, [REDIS_TLS_PORT]: 0 } as Record<number, number>;
  readonly tls = { dir: join(this.dir, "tls"), ca: join(this.dir, "tls", PATHS.internalCa.split("/").pop()!) };
  readonly sockets = join(this.dir, "run");

  constructor(
    readonly plan: Plan,
    readonly privateCidr: string,
  ) {}

  /** Production paths, ports, addresses and secrets → this lab's; refuses anything left pointing at the system. */
  localize(f: HostFile, privateAddress: string): string {
    let s = fillPlaceholders(f.content, (kind, name) => {
      if (kind === "secret" && name in this.secrets) return this.secrets[name as keyof Lab["secrets"]];
      if (kind === "output" && name.startsWith("address.")) return PRIVATE_IP;
      throw new Error(`${f.path}: no test value for ${kind}:${name}`);
    });
    const swaps: [string, string][] = [
      [privateAddress, PRIVATE_IP],
      // pg_hba's private-network line then covers loopback, so the test's clients must use TLS.
      [this.privateCidr, "127.0.0.0/8"],
      [PATHS.tlsDir, this.tls.dir],
      [POSTGRES.socketDir, this.sockets],
      [dirname(PGBOUNCER.ini), join(this.dir, "pgbouncer")],
      [REDIS.pidFile, join(this.dir, "redis.pid")],
      [REDIS.dataDir, join(this.dir, "redis")],
    ];
    for (const [from, to] of swaps) if (from) s = s.replaceAll(from, to);
    for (const [port, local] of Object.entries(this.ports)) s = s.replace(new RegExp(`\\b${port}\\b`, "g"), String(local));
    assert.doesNotMatch(s, /\/(etc|var|run)\//, `${f.path} still points at the system after localizing`);
    return s;
  }

  write(rel: string, content: string, mode = 0o600): string {
    const p = join(this.dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content, { mode });
    return p;
  }

  async setup(): Promise<void> {
    for (const p of Object.keys(this.ports)) this.ports[Number(p)] = await freePort();
    for (const d of [this.tls.dir, this.sockets, join(this.dir, "redis")]) mkdirSync(d, { recursive: true });
    // A throwaway self-signed certificate, its own CA, valid for both loopback addresses.
    await must("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=data-tier-test",
      "-addext", `subjectAltName=IP:127.0.0.1,IP:${PRIVATE_IP}`, "-keyout", join(this.tls.dir, "internal.key"), "-out", join(this.tls.dir, "internal.crt")]);
    copyFileSync(join(this.tls.dir, "internal.crt"), this.tls.ca);
    chmodSync(join(this.tls.dir, "internal.key"), 0o600);
  }

  /** Servers refuse root: hand the tree to postgres. */
  chownAll(): void {
    const walk = (p: string): void => {
      chownSync(p, PG_USER.uid, PG_USER.gid);
      if (statSync(p).isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    };
    walk(this.dir);
  }

  start(name: string, cmd: string, args: string[], signal: NodeJS.Signals): { proc: ChildProcess; log: () => string } {
    const proc = spawn(cmd, args, { ...PG_USER, cwd: this.dir, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH } });
    let log = "";
    proc.stdout?.on("data", (d: Buffer) => (log += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (log += d.toString()));
    this.procs.push({ name, proc, signal });
    return { proc, log: () => log.slice(-4000) };
  }

  async cleanup(): Promise<void> {
    for (const { proc, signal } of this.procs.reverse()) {
      if (proc.exitCode !== null || proc.pid === undefined) continue;
      const exited = new Promise<void>((r) => proc.once("exit", () => r()));
      process.kill(proc.pid, signal);
      const timer = setTimeout(() => proc.exitCode === null && proc.pid !== undefined && process.kill(proc.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function fileOf(plan: Plan, hostName: string, path: string): { file: HostFile; privateAddress: string } {
  const host = plan.hosts.find((h) => h.name === hostName)!;
  const file = host.files.find((f) => f.path === path);
  assert.ok(file, `${hostName} has no ${path}`);
  return { file, privateAddress: host.privateAddress };
}

for (const example of ["single", "hobby"]) {
  test(`${example}: rendered Postgres + PgBouncer + Redis run and hold the planned load`, { timeout: 120_000 }, async (t: TestContext) => {
    const plan = examplePlan(example);
    const pg = plan.services.postgres;
    assert.equal(pg.kind, "selfHosted");
    if (pg.kind !== "selfHosted") return;
    const bin = `/usr/lib/postgresql/${pg.version}/bin`;
    for (const [tool, pkg] of [[`${bin}/initdb`, `postgresql-${pg.version}`], [`${bin}/pgbench`, `postgresql-${pg.version}`], ["psql", "postgresql-client"], ["pgbouncer", "pgbouncer"], ["redis-server", "redis-server"], ["redis-cli", "redis-tools"], ["openssl", "openssl"]]) {
      if (!requireTool(t, tool!, pkg!)) return;
    }
    const ids = (await must("id", ["-u", "postgres"])).trim() + ":" + (await must("id", ["-g", "postgres"])).trim();
    [PG_USER.uid, PG_USER.gid] = ids.split(":").map(Number) as [number, number];

    const lab = new Lab(plan, loadStack(join(ROOT, "stacks", `${example}.yaml`)).network.privateCidr);
    t.after(() => lab.cleanup());
    await lab.setup();
    const budget = plan.budget;
    const poolSize = budget.poolSize!;
    const db = "mastodon_production";
    const clientEnv = { PGUSER: "mastodon", PGPASSWORD: lab.secrets.DB_PASS, PGSSLMODE: "verify-full", PGSSLROOTCERT: lab.tls.ca, PGCONNECT_TIMEOUT: "10" };

    // Postgres: initdb, then our drop-ins and pg_hba from a minimal postgresql.conf.
    const conf = POSTGRES.confDir(pg.version);
    const restartConf = fileOf(plan, pg.host, `${conf}/conf.d/mastodon.conf`);
    const reloadConf = fileOf(plan, pg.host, `${conf}/conf.d/mastodon-tuning.conf`);
    const hba = fileOf(plan, pg.host, `${conf}/pg_hba.conf`);
    lab.write("pg/conf.d/mastodon.conf", lab.localize(restartConf.file, restartConf.privateAddress), 0o644);
    lab.write("pg/conf.d/mastodon-tuning.conf", lab.localize(reloadConf.file, reloadConf.privateAddress), 0o644);
    lab.write("pg/pg_hba.conf", lab.localize(hba.file, hba.privateAddress));
    const pgConf = lab.write("pg/postgresql.conf", [`data_directory = '${lab.dir}/pgdata'`, `hba_file = '${lab.dir}/pg/pg_hba.conf'`, `ident_file = '${lab.dir}/pgdata/pg_ident.conf'`, `unix_socket_directories = '${lab.sockets}'`, `include_dir = '${lab.dir}/pg/conf.d'`, ""].join("\n"));
    lab.chownAll();
    await must(`${bin}/initdb`, ["-D", `${lab.dir}/pgdata`, "-U", "postgres", "-A", "peer", "-E", "UTF8", "--no-sync"], { asPostgres: true, timeoutMs: 60_000 });
    const postgres = lab.start("postgres", `${bin}/postgres`, ["-c", `config_file=${pgConf}`], "SIGINT");
    const pgPort = String(lab.ports[POSTGRES_PORT]);
    await waitFor("postgres", postgres.proc, postgres.log, async () => (await run(`${bin}/pg_isready`, ["-h", lab.sockets, "-p", pgPort])).code === 0);
    const asAdmin = (sql: string, port = pgPort, dbname = "postgres") => must("psql", ["-h", lab.sockets, "-p", port, "-U", dbname, "-d", dbname, "-XAtq", "-F", "|", "-c", sql], { asPostgres: true });

    await asAdmin(`CREATE ROLE mastodon LOGIN PASSWORD '${lab.secrets.DB_PASS}'`);
    await asAdmin(`CREATE DATABASE ${db} OWNER mastodon`);

    await t.test("postgres runs with the planned tuning, and each setting sits in the file whose action applies it", async () => {
      const show = async (name: string) => (await asAdmin(`SHOW ${name}`)).trim();
      assert.equal(Number(await show("max_connections")), pg.maxConnections);
      assert.equal(await show("shared_buffers"), `${pg.sharedBuffersMb}MB`);
      assert.equal(await show("ssl"), "on");
      assert.equal(await show("password_encryption"), "scram-sha-256");
      const contexts = new Map((await asAdmin("SELECT name, context FROM pg_settings")).trim().split("\n").map((l) => l.split("|") as [string, string]));
      const names = (f: HostFile) => [...f.content.matchAll(/^(\w+)\s*=/gm)].map((m) => m[1]!);
      for (const n of names(restartConf.file)) assert.equal(contexts.get(n), "postmaster", `${n} is in the restart file but applies without a restart`);
      for (const n of names(reloadConf.file)) assert.notEqual(contexts.get(n), "postmaster", `${n} is in the reload file but needs a restart`);
    });

    await t.test("postgres pg_hba: TLS + SCRAM from the network, plain refused", async () => {
      const tcp = ["-h", PRIVATE_IP, "-p", pgPort, "-d", db, "-XAtc"];
      assert.equal((await must("psql", [...tcp, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"], { env: clientEnv })).trim(), "t");
      const plain = await run("psql", [...tcp, "SELECT 1"], { env: { ...clientEnv, PGSSLMODE: "disable" } });
      assert.notEqual(plain.code, 0);
      assert.match(plain.out, /no pg_hba\.conf entry/);
      const wrong = await run("psql", [...tcp, "SELECT 1"], { env: { ...clientEnv, PGPASSWORD: "wrong" } });
      assert.match(wrong.out, /password authentication failed/);
    });
    await must(`${bin}/pgbench`, ["-i", "-s", "1", "-q", "-h", PRIVATE_IP, "-p", pgPort, db], { env: clientEnv, timeoutMs: 60_000 });

    // PgBouncer with the rendered ini, HBA and userlist.
    const bouncerHost = plan.services.pool.hosts[0]!;
    for (const path of [PGBOUNCER.ini, PGBOUNCER.hba, PGBOUNCER.userlist]) {
      const { file, privateAddress } = fileOf(plan, bouncerHost, path);
      lab.write(`pgbouncer/${path.split("/").pop()}`, lab.localize(file, privateAddress));
    }
    lab.chownAll();
    const bouncerPort = String(lab.ports[PGBOUNCER_PORT]);
    const bouncer = lab.start("pgbouncer", "pgbouncer", [join(lab.dir, "pgbouncer", "pgbouncer.ini")], "SIGTERM");
    await waitFor("pgbouncer", bouncer.proc, bouncer.log, async () => (await run("psql", ["-h", lab.sockets, "-p", bouncerPort, "-U", "pgbouncer", "-d", "pgbouncer", "-XAtc", "SHOW VERSION"], { asPostgres: true })).code === 0);

    await t.test(`pgbench through PgBouncer: ${budget.clientTotal} clients on ${poolSize} server connections, no failures`, async () => {
      const plain = await run("psql", ["-h", PRIVATE_IP, "-p", bouncerPort, "-d", db, "-XAtc", "SELECT 1"], { env: { ...clientEnv, PGSSLMODE: "disable" } });
      assert.notEqual(plain.code, 0, "PgBouncer accepted a plain connection from the private network");

      let maxServers = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const r = await run("psql", ["-h", lab.sockets, "-p", pgPort, "-U", "postgres", "-d", "postgres", "-XAtc", "SELECT count(*) FROM pg_stat_activity WHERE usename = 'mastodon'"], { asPostgres: true });
          if (r.code === 0) maxServers = Math.max(maxServers, Number(r.out.trim()));
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      const bench = await run(`${bin}/pgbench`, ["-n", "-M", "simple", "-c", String(budget.clientTotal), "-j", "4", "-T", "5", "-h", PRIVATE_IP, "-p", bouncerPort, db], { env: clientEnv, timeoutMs: 60_000 });
      const pools = await asAdmin("SHOW POOLS", bouncerPort, "pgbouncer");
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
      assert.doesNotMatch(bench.out, /connection to server .* failed|error/i);
      assert.equal(result.clients, budget.clientTotal);
      assert.equal(result.failed, 0);
      assert.ok(result.transactions > 0);
      assert.ok(maxServers > 0 && maxServers <= poolSize, `Postgres saw ${maxServers} mastodon connections, pool is ${poolSize}`);
      const row = pools.split("\n").find((l) => l.startsWith(`${db}|mastodon|`));
      assert.ok(row, `no pool for ${db}/mastodon in SHOW POOLS:\n${pools}`);
    });

    // Redis with the rendered redis.conf.
    const redisHost = plan.services.redis.kind === "selfHosted" ? plan.services.redis.host : "";
    const rc = fileOf(plan, redisHost, REDIS.conf);
    const redisConf = lab.write("redis/redis.conf", lab.localize(rc.file, rc.privateAddress));
    lab.chownAll();
    const redisPort = String(lab.ports[REDIS_PORT]);
    const cli = (args: string[], auth = true, port = redisPort) => run("redis-cli", ["--no-auth-warning", "-h", PRIVATE_IP, "-p", port, ...(auth ? ["-a", lab.secrets.REDIS_PASSWORD] : []), ...args]);
    const redis = lab.start("redis", "redis-server", [redisConf], "SIGTERM");
    await waitFor("redis", redis.proc, redis.log, async () => (await cli(["PING"])).out.trim() === "PONG");

    await t.test("redis: password required, maxmemory as planned, noeviction, TLS port answers", async () => {
      assert.match((await cli(["SET", "k", "v"], false)).out, /NOAUTH/);
      assert.equal((await cli(["SET", "k", "v"])).out.trim(), "OK");
      assert.equal((await cli(["GET", "k"])).out.trim(), "v");
      const maxmemoryMb = plan.services.redis.kind === "selfHosted" ? plan.services.redis.maxmemoryMb : 0;
      assert.equal((await cli(["CONFIG", "GET", "maxmemory"])).out.trim().split("\n")[1], String(maxmemoryMb * 1024 * 1024));
      assert.equal((await cli(["CONFIG", "GET", "maxmemory-policy"])).out.trim().split("\n")[1], "noeviction");
      const tlsPing = await cli(["--tls", "--cacert", lab.tls.ca, "PING"], true, String(lab.ports[REDIS_TLS_PORT]));
      assert.equal(tlsPing.out.trim(), "PONG", tlsPing.out);
    });
  });
}
