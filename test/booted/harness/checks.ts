// What a booted host must show, asked of the host itself over SSH. Each check returns the
// problems it found (empty when the host is whole), so a test can also show a check failing.
import type { HostFile } from "../../../src/plan/types";
import type { Machine } from "./machine";
import { shellQuote } from "../../../src/plan/render/shell";

/** Output of a command that must succeed: an SSH or shell failure throws instead of reading as "no problems". */
async function must(m: Machine, command: string, stdin?: string): Promise<string> {
  const r = await m.ssh(command, stdin);
  if (r.code !== 0) throw new Error(`${m.name}: \`${command.slice(0, 80)}\` exited ${r.code}: ${r.stderr.slice(-500)}`);
  return r.stdout;
}

/** `running`, or the state and every failed unit with its last journal lines. */
export async function systemState(m: Machine): Promise<string[]> {
  // Right after boot or a restart the manager may still be starting: wait up to 60 s.
  const out = await must(m, "for i in $(seq 120); do s=$(systemctl is-system-running); case $s in running|degraded|maintenance) break;; esac; sleep 0.5; done; echo \"$s\"; systemctl --failed --no-legend --plain | awk '{print $1}'");
  const [state, ...failed] = out.trim().split("\n").filter(Boolean);
  if (state === "running" && failed.length === 0) return [];
  const problems = [`${m.name}: system is ${state ?? "unreachable"}${failed.length ? `; failed: ${failed.join(", ")}` : ""}`];
  for (const u of failed) {
    // Units that fail before journald runs leave no journal: their status and the console do.
    const status = (await m.ssh(`systemctl status --no-pager -n 15 ${shellQuote(u)}; journalctl -u ${shellQuote(u)} --no-pager -n 15 -q`)).stdout;
    problems.push(`${status}${m.console(2000).split("\n").filter((l) => l.includes(u.replace(/\.service$/, ""))).slice(-10).join("\n")}`);
  }
  return problems;
}

const UNIT_DIR = "/etc/systemd/system/";

/** Every rendered unit is doing what it is for: services active (oneshots: succeeded when run), timers waiting, sockets listening, targets active. */
export async function unitsActive(m: Machine, files: readonly HostFile[]): Promise<string[]> {
  const units = files
    .filter((f) => f.path.startsWith(UNIT_DIR) && !f.path.slice(UNIT_DIR.length).includes("/"))
    .map((f) => f.path.slice(UNIT_DIR.length))
    .filter((u) => !u.includes("@."));
  if (units.length === 0) return [];
  const out = await must(m, `systemctl show -p Id,ActiveState,SubState,Result,Type,TriggeredBy ${units.map(shellQuote).join(" ")}`);
  const problems: string[] = [];
  for (const block of out.trim().split("\n\n")) {
    const p = Object.fromEntries(block.split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    const id = p.Id ?? "?";
    // A oneshot a timer starts has not run yet (inactive, result success) or ran and succeeded.
    const timerJob = p.Type === "oneshot" && (p.TriggeredBy ?? "") !== "";
    const ok = timerJob ? p.Result === "success" && p.ActiveState !== "failed" : p.ActiveState === "active";
    if (!ok) problems.push(`${m.name}: ${id} is ${p.ActiveState}/${p.SubState} (result ${p.Result})`);
  }
  return problems;
}

/** Template instances the plan runs (mastodon-streaming@4000.service…) are active too. */
export async function instancesActive(m: Machine, units: readonly string[]): Promise<string[]> {
  if (units.length === 0) return [];
  const r = await m.ssh(`systemctl is-active ${units.map(shellQuote).join(" ")}`);
  const states = r.stdout.trim().split("\n");
  return units.flatMap((u, i) => (states[i] === "active" ? [] : [`${m.name}: ${u} is ${states[i] ?? "unknown"}`]));
}

/**
 * Every rendered file can be read by the user that owns it and by its group's members, asked as
 * that user (runuser): a directory on the way that they cannot traverse fails here even though
 * root sees the file.
 */
export async function filesReadable(m: Machine, files: readonly HostFile[], also: readonly { user: string; path: string }[] = []): Promise<string[]> {
  const pairs = new Map<string, { user: string; path: string; optional?: boolean }>();
  for (const f of files) {
    if (!f.path.startsWith("/")) continue;
    pairs.set(`${f.owner} ${f.path}`, { user: f.owner, path: f.path });
    // Group-readable files are for that group's service user (postgres, redis, mastodon…), where one exists.
    if (f.group !== f.owner && f.group !== "root" && (parseInt(f.mode, 8) & 0o040) !== 0) pairs.set(`${f.group} ${f.path}`, { user: f.group, path: f.path, optional: true });
  }
  for (const a of also) pairs.set(`${a.user} ${a.path}`, a);
  const script = [...pairs.values()]
    .filter((p) => p.user !== "root")
    .map((p) => {
      const u = shellQuote(p.user);
      const check = `runuser -u ${u} -- test -r ${shellQuote(p.path)} || echo ${shellQuote(`${p.user} cannot read ${p.path}`)}`;
      return `if id -u ${u} >/dev/null 2>&1; then ${check}; ${p.optional ? "" : `else echo ${shellQuote(`there is no user ${p.user} to own ${p.path}`)}; `}fi`;
    })
    .join("\n");
  if (!script) return [];
  return (await must(m, "bash -s", script))
    .trim().split("\n").filter(Boolean).map((l) => `${m.name}: ${l}`);
}

/** Main PIDs of the services on a host that the stack manages or configures (0 when stopped). */
export async function servicePids(m: Machine): Promise<Record<string, number>> {
  const out = await must(m, "systemctl list-units --type=service --state=running --no-legend --plain | awk '{print $1}' | grep -E '^(mastodon|nginx|postgresql|pgbouncer|redis)' | while read -r u; do echo \"$u $(systemctl show -p MainPID --value \"$u\")\"; done");
  const pids = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [u, pid] = l.split(" ");
        return [u!, Number(pid)];
      }),
  );
  // Every host runs at least one of them: none means the question was not answered.
  if (Object.keys(pids).length === 0) throw new Error(`${m.name}: no running service of the stack's`);
  return pids;
}

/** The packages step's summary line (`packages: installed=N sources=M`). */
export function packagesSummary(stdout: string): { installed: number; sources: number } | undefined {
  const m = /^packages: installed=(\d+) sources=(\d+)$/m.exec(stdout);
  return m ? { installed: Number(m[1]), sources: Number(m[2]) } : undefined;
}

/** The converge step's summary line (`converge: changed=N fixed=N removed=N actions=N`). */
export function convergeSummary(stdout: string): { changed: number; fixed: number; removed: number; actions: number } | undefined {
  const m = /^converge: changed=(\d+) fixed=(\d+) removed=(\d+) actions=(\d+)$/m.exec(stdout);
  return m ? { changed: Number(m[1]), fixed: Number(m[2]), removed: Number(m[3]), actions: Number(m[4]) } : undefined;
}
