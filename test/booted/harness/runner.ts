// Runs the program's commands against booted hosts as the Pulumi engine would: each command as
// soon as everything it depends on has succeeded, independent ones in parallel, dependents of a
// failed command never started. The connection each command carries says where it goes
// (address, and the jump host for hosts without a public IPv4) and which host keys it accepts.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProgramCommand } from "./program-commands";
import { sshExec, type SshResult } from "./ssh";

export interface CommandResult extends SshResult {
  name: string;
}

export interface RunReport {
  results: CommandResult[];
  failed: CommandResult[];
  /** Commands never started because something they depend on failed. */
  skipped: string[];
}

export interface RunOptions {
  /** Where the connection's private key is written for ssh (mode 0600). */
  keyDir: string;
  /** Only commands whose name passes (their dependencies outside the filter count as done). */
  only?: (c: ProgramCommand) => boolean;
  timeoutSeconds?: number;
  log?: (line: string) => void;
}

export async function runCommands(commands: readonly ProgramCommand[], opts: RunOptions): Promise<RunReport> {
  const selected = commands.filter(opts.only ?? (() => true));
  const chosen = new Set(selected.map((c) => c.urn));
  const status = new Map<string, "ok" | "failed" | "skipped">();
  const results: CommandResult[] = [];
  const keys = new Map<string, string>();
  const keyFile = (pem: string) => {
    let f = keys.get(pem);
    if (!f) {
      f = join(opts.keyDir, `key-${keys.size}`);
      writeFileSync(f, pem.endsWith("\n") ? pem : `${pem}\n`, { mode: 0o600 });
      keys.set(pem, f);
    }
    return f;
  };
  // The keys the connection pins, as known_hosts: ssh then accepts those and nothing else.
  const trusted = (c: ProgramCommand) => {
    const { host, hostKey, proxy } = c.connection;
    const lines = [...(hostKey ? [`${host} ${hostKey}`] : []), ...(proxy?.hostKey ? [`${proxy.host} ${proxy.hostKey}`] : [])];
    if (proxy && !proxy.hostKey) throw new Error(`${c.name} jumps through ${proxy.host} without a pinned key`);
    if (lines.length === 0) return {};
    const knownHosts = join(opts.keyDir, `known_hosts-${createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16)}`);
    writeFileSync(knownHosts, `${lines.join("\n")}\n`);
    return { knownHosts, pinned: hostKey !== undefined };
  };
  const running = new Map<string, Promise<void>>();
  const pending = new Set(selected.map((c) => c.urn));
  const byUrn = new Map(selected.map((c) => [c.urn, c]));

  const start = (c: ProgramCommand) => {
    const target = { host: c.connection.host, keyFile: keyFile(c.connection.privateKey), ...(c.connection.proxy ? { jump: c.connection.proxy.host } : {}), ...trusted(c) };
    opts.log?.(`start ${c.name}`);
    const p = sshExec(target, c.create, c.stdin, opts.timeoutSeconds ?? 1800).then((r) => {
      results.push({ name: c.name, ...r });
      status.set(c.urn, r.code === 0 ? "ok" : "failed");
      opts.log?.(`${r.code === 0 ? "done" : `FAILED (${r.code})`} ${c.name} in ${r.seconds.toFixed(1)} s`);
      running.delete(c.urn);
    });
    running.set(c.urn, p);
  };

  while (pending.size > 0 || running.size > 0) {
    for (const urn of [...pending]) {
      const c = byUrn.get(urn)!;
      const deps = c.after.filter((d) => chosen.has(d));
      if (deps.some((d) => status.get(d) === "failed" || status.get(d) === "skipped")) {
        status.set(urn, "skipped");
        pending.delete(urn);
        continue;
      }
      if (deps.every((d) => status.get(d) === "ok")) {
        pending.delete(urn);
        start(c);
      }
    }
    if (running.size === 0) {
      if (pending.size > 0) throw new Error(`commands wait on each other: ${[...pending].map((u) => byUrn.get(u)!.name).join(", ")}`);
      break;
    }
    await Promise.race(running.values());
  }
  const failed = results.filter((r) => r.code !== 0);
  const skipped = selected.filter((c) => status.get(c.urn) === "skipped").map((c) => c.name);
  return { results, failed, skipped };
}

export function describeFailures(report: RunReport): string {
  return report.failed
    .map((f) => `${f.name} exited ${f.code}:\n--- stdout\n${f.stdout.slice(-3000)}\n--- stderr\n${f.stderr.slice(-3000)}`)
    .concat(report.skipped.length ? [`not started: ${report.skipped.join(", ")}`] : [])
    .join("\n\n");
}
