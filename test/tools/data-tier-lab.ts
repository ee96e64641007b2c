// A throwaway data tier for the real-tool test: a temp dir, free loopback ports, a self-signed
// certificate, the rendered files with production paths swapped for the temp dir's, and every
// process it starts tracked by pid so cleanup() can stop it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import assert from "node:assert/strict";
import { PGBOUNCER_PORT, POSTGRES_PORT, REDIS_PORT, REDIS_TLS_PORT } from "../../src/plan/endpoints";
import { PATHS } from "../../src/plan/render/context";
import { PGBOUNCER, POSTGRES, REDIS } from "../../src/plan/render/data/paths";
import { fillPlaceholders } from "../../src/plan/render/placeholders";
import type { HostFile, Plan } from "../../src/plan/types";
import { freePort } from "../helpers/ports";

export { freePort };

/** Stands in for the host's private address; all of 127/8 is loopback on Linux. */
export const PRIVATE_IP = "127.0.0.2";
/** The servers refuse to run as root; they run as Debian's postgres user. */
export const PG_USER = { uid: 0, gid: 0 };

/**
 * Every test client connects from 127.0.0.1. To see an HBA file as a client on another host
 * does, its loopback lines are pointed at documentation addresses nobody connects from.
 */
export function withoutLoopback(hba: string): string {
  return hba.replaceAll("127.0.0.1/32", "192.0.2.1/32").replaceAll("::1/128", "2001:db8::1/128");
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; asPostgres?: boolean; timeoutMs?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { PATH: process.env.PATH, ...opts.env }, timeout: opts.timeoutMs ?? 30_000, ...(opts.asPostgres ? PG_USER : {}), maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

export async function must(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")} failed:\n${r.out}`);
  return r.out;
}


export async function waitFor(what: string, proc: ChildProcess, log: () => string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(proc)) throw new Error(`${what} exited (${proc.exitCode ?? proc.signalCode}):\n${log()}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready after ${ms} ms:\n${log()}`);
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null && p.pid !== undefined;

/** One plan's data tier in a temp dir; every process it starts is stopped by pid in cleanup(). */
export class Lab {
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
      // The HBA files admit the other hosts that dial the service, one /32 each: here, the test's clients on loopback.
      ...this.plan.hosts.filter((h) => h.privateAddress !== privateAddress).map((h): [string, string] => [`${h.privateAddress}/32`, "127.0.0.0/8"]),
      [privateAddress, PRIVATE_IP],
      // The HBA files' private-network lines then match the test's clients, which are all on loopback.
      [this.privateCidr, "127.0.0.0/8"],
      [PATHS.internalCa, this.tls.ca],
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
    PG_USER.uid = Number((await must("id", ["-u", "postgres"])).trim());
    PG_USER.gid = Number((await must("id", ["-g", "postgres"])).trim());
    for (const p of Object.keys(this.ports)) this.ports[Number(p)] = await freePort();
    for (const d of [this.tls.dir, this.sockets, join(this.dir, "redis")]) mkdirSync(d, { recursive: true });
    // A throwaway self-signed certificate, its own CA, valid for both loopback addresses.
    await must("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=data-tier-test",
      "-addext", `subjectAltName=IP:127.0.0.1,IP:${PRIVATE_IP}`, "-keyout", join(this.tls.dir, "internal.key"), "-out", join(this.tls.dir, "internal.crt")]);
    copyFileSync(join(this.tls.dir, "internal.crt"), this.tls.ca);
    // One key copy per daemon user, as render/tls.ts writes them on a host.
    for (const who of ["postgres", "redis"]) {
      copyFileSync(join(this.tls.dir, "internal.key"), join(this.tls.dir, `internal-${who}.key`));
      chmodSync(join(this.tls.dir, `internal-${who}.key`), 0o600);
    }
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

  /** Stops what start() started, newest first, by pid: its own shutdown signal, SIGKILL after 5 s. */
  async cleanup(): Promise<void> {
    try {
      for (const { proc, signal } of [...this.procs].reverse()) {
        const exited = new Promise<void>((r) => proc.once("exit", () => r()));
        if (!alive(proc)) continue;
        const kill = (sig: NodeJS.Signals) => {
          try {
            if (alive(proc)) process.kill(proc.pid!, sig);
          } catch { /* gone meanwhile */ }
        };
        kill(signal);
        const timer = setTimeout(() => kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export function fileOf(plan: Plan, hostName: string, path: string): { file: HostFile; privateAddress: string } {
  const host = plan.hosts.find((h) => h.name === hostName)!;
  const file = host.files.find((f) => f.path === path);
  assert.ok(file, `${hostName} has no ${path}`);
  return { file, privateAddress: host.privateAddress };
}

