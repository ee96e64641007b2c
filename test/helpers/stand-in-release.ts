// A stand-in Mastodon for the release script's end-to-end test: a local git repository whose tags
// each hold a tiny HTTP server (node) answering /health and /api/v1/instance with its version, and
// stand-ins on PATH for everything the script runs besides git's real work and curl:
//   git      logs, then runs the real git
//   ruby     prints $STANDIN_RUBY (default 3.3.8, Debian 13's)
//   corepack logs (and with STANDIN_KILL_BUILD set, kills its parent: the script, mid-build)
//   bundle, yarn, systemd-run   log and succeed
//   systemctl  logs; reload/restart of mastodon-web.service (re)starts the stand-in server from
//            $STANDIN_ROOT/home/mastodon/live on $STANDIN_PORT (stopping the previous one), so
//            health checks hit the code `live` points at; `show -p MainPID` reports its pid. With
//            STANDIN_STALE_RELOAD set, a reload restarts it in the directory the old process ran
//            from, as Puma does without `--dir` (the old release, not live). With STANDIN_KILL_SWITCH
//            set, its first unit action kills its parent (the script, mid-switch).
// Every call and every /health answer is one line in the log: time, host, user, cwd, name, args…
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports";

export { freePort };

export interface StandInTag {
  tag: string;
  /** false: /health answers 500. */
  healthy: boolean;
  /** package.json's engines.node (default Mastodon 4.5's ">=20"). */
  node?: string;
}

export interface LogLine {
  ts: number;
  host: string;
  user: string;
  cwd: string;
  name: string;
  args: string[];
}

export interface StandInRelease {
  /** file:// URL of the repository (what MASTODON_REPO gets). */
  repoUrl: string;
  /** Directory with the stand-in commands, to put first on PATH. */
  bin: string;
  log: string;
  calls(): LogLine[];
  clearLog(): void;
}


function serverScript(tag: StandInTag): string {
  return `// Stand-in for Mastodon ${tag.tag}: /health and /api/v1/instance on $PORT.
const http = require("node:http");
const fs = require("node:fs");
const VERSION = ${JSON.stringify(tag.tag)};
const HEALTH = ${tag.healthy ? 200 : 500};
function log(fields) {
  if (!process.env.STANDIN_LOG) return;
  const line = [(Date.now() / 1000).toFixed(6), process.env.STANDIN_HOST || "-", "root", process.cwd(), "server", ...fields].join("\\t");
  fs.appendFileSync(process.env.STANDIN_LOG, line + "\\n");
}
http
  .createServer((req, res) => {
    if (req.url === "/health") {
      log(["health", String(HEALTH), VERSION]);
      res.writeHead(HEALTH, { "content-type": "text/plain" });
      res.end(HEALTH === 200 ? "OK" : "broken");
    } else if (req.url === "/api/v1/instance") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ version: VERSION }));
    } else {
      res.writeHead(404);
      res.end();
    }
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=stand-in", "-c", "user.email=stand-in@example.invalid", ...args], { cwd, stdio: "pipe" });
}

/** The repository: one commit and tag per release, each with its own server.js. */
function createRepo(dir: string, tags: readonly StandInTag[], owner: string): void {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  for (const t of tags) {
    writeFileSync(join(dir, "server.js"), serverScript(t));
    // Mastodon 4.5's: a range in the Gemfile, the newest tested Ruby in .ruby-version.
    writeFileSync(join(dir, "Gemfile"), `source 'https://rubygems.org'\nruby '>= 3.2.0', '< 3.5.0'\n\ngem 'puma', '~> 6.3'\n`);
    writeFileSync(join(dir, ".ruby-version"), "3.4.8\n");
    writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "@mastodon/mastodon", private: true, engines: { node: t.node ?? ">=20" } }, null, 2)}\n`);
    git(dir, "add", "server.js", "Gemfile", ".ruby-version", "package.json");
    git(dir, "commit", "-q", "-m", `release ${t.tag}`);
    git(dir, "tag", t.tag);
  }
  // The script clones as the mastodon user; git refuses a repository owned by someone else.
  execFileSync("chown", ["-R", `${owner}:${owner}`, dir]);
}

const LOG_FN = (log: string) => `log_call() {
  local line
  line="$(printf '%s\\t' "$(date +%s.%N)" "\${STANDIN_HOST:--}" "$(id -un)" "$PWD" "$@")"
  printf '%s\\n' "\${line%$'\\t'}" >> ${log}
}`;

function writeStub(bin: string, name: string, body: string, log: string): void {
  writeFileSync(join(bin, name), `#!/bin/bash\n${LOG_FN(log)}\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
}

const SYSTEMCTL = String.raw`log_call systemctl "$@"
# A switch killed after it moved the link, before any unit action.
if [ -n "${"$"}{STANDIN_KILL_SWITCH:-}" ] && [ "$1" != show ]; then kill -9 "$PPID"; exit 1; fi
root="${"$"}{STANDIN_ROOT:?}"
port="${"$"}{STANDIN_PORT:?}"
run="$root/run/stand-in"
mkdir -p "$run"
pidfile="$run/mastodon-web.pid"
out="$run/mastodon-web.out"

pid_alive() {
  local p="$1" state
  [ -r "/proc/$p/stat" ] || return 1
  state="$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$p/stat")"
  [ "$state" != Z ]
}
web_pid() {
  local p
  [ -f "$pidfile" ] && p="$(cat "$pidfile")" && pid_alive "$p" && echo "$p"
}
stop_web() {
  local p i
  p="$(web_pid)" || { rm -f "$pidfile"; return 0; }
  kill "$p" 2>/dev/null || true
  for i in $(seq 200); do pid_alive "$p" || break; sleep 0.05; done
  rm -f "$pidfile"
}
# Starts the server in $1 (already resolved, or a symlink the cd follows), detached from this
# call: no inherited descriptors (the script's lock, ssh's pipes) and its own session.
start_web() {
  cd "$1" || exit 1
  (
    for fd in /proc/self/fd/*; do
      fd="${"$"}{fd##*/}"
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
    done
    PORT="$port" exec setsid node server.js </dev/null >>"$out" 2>&1
  ) &
  echo "$!" > "$pidfile"
}

action="${"$"}{1:-}"
shift || true
case "$action" in
  reload | reload-or-restart | try-reload-or-restart | restart | try-restart)
    for u in "$@"; do
      [ "$u" = mastodon-web.service ] || continue
      dir="$root/home/mastodon/live"
      if [ -n "${"$"}{STANDIN_STALE_RELOAD:-}" ] && [ "${"$"}{action#try-}" != restart ] && p="$(web_pid)"; then
        dir="$(readlink -f "/proc/$p/cwd")"
      fi
      case "$action" in try-*) web_pid >/dev/null || continue ;; esac
      stop_web
      start_web "$dir"
    done ;;
  stop)
    for u in "$@"; do [ "$u" = mastodon-web.service ] && stop_web; done ;;
  show)
    # show -p MainPID --value UNIT
    unit="${"$"}{*: -1}"
    if [ "$unit" = mastodon-web.service ] && p="$(web_pid)"; then echo "$p"; else echo 0; fi ;;
esac
exit 0`;

export function createStandInRelease(base: string, tags: readonly StandInTag[], owner = "mastodon"): StandInRelease {
  const bin = join(base, "bin");
  const log = join(base, "calls.log");
  const repo = join(base, "mastodon.git");
  mkdirSync(bin, { recursive: true });
  writeFileSync(log, "");
  // Stand-ins running as the mastodon user write here too.
  chmodSync(log, 0o666);
  createRepo(repo, tags, owner);

  writeStub(bin, "git", `log_call git "$@"\nexec /usr/bin/git "$@"`, log);
  writeStub(bin, "ruby", `log_call ruby "$@"\nprintf '%s' "\${STANDIN_RUBY:-3.3.8}"`, log);
  writeStub(
    bin,
    "bundle",
    `log_call bundle "$@"
if [ "$1" = exec ]; then log_call bundle-env "RAILS_ENV=\${RAILS_ENV:-}" "SECRET_KEY_BASE_DUMMY=\${SECRET_KEY_BASE_DUMMY:-}"; fi
# What a gem's install script could do, as the user the build runs as.
if [ "$1" = install ] && [ -n "\${STANDIN_BUNDLE_HOOK:-}" ]; then sh -c "$STANDIN_BUNDLE_HOOK"; fi
exit 0`,
    log,
  );
  // corepack enable is the build step that runs as root (as the script does), so it may kill it.
  writeStub(bin, "corepack", `log_call corepack "$@"\nif [ -n "\${STANDIN_KILL_BUILD:-}" ]; then kill -9 "$PPID"; exit 1; fi`, log);
  writeStub(bin, "yarn", `log_call yarn "$@"`, log);
  writeStub(bin, "systemd-run", `log_call systemd-run "$@"`, log);
  writeStub(bin, "systemctl", SYSTEMCTL, log);

  return {
    repoUrl: `file://${repo}`,
    bin,
    log,
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [ts, host, user, cwd, name, ...args] = l.split("\t");
          return { ts: Number(ts), host: host!, user: user!, cwd: cwd!, name: name!, args };
        }),
    clearLog: () => writeFileSync(log, ""),
  };
}

/** Stops a host's stand-in server, if one runs. */
export function stopStandInServer(root: string): void {
  const pidfile = join(root, "run/stand-in/mastodon-web.pid");
  if (!existsSync(pidfile)) return;
  try {
    process.kill(Number(readFileSync(pidfile, "utf8").trim()), "SIGTERM");
  } catch {
    // already gone
  }
}
