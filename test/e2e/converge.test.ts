// The converge script end to end, over a real sshd on loopback, with the command strings the
// program uses. The file work is real (under a root prefix); service management goes to
// stand-ins that record every call, and `nginx -t` to the real nginx on a mirror of the tree.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { bundleText } from "../../src/components/host/bundle";
import { CONVERGE_PATH, convergeCommand, convergeScript, installScriptCommand } from "../../src/components/host/commands";
import { HEALTH_CHECKS } from "../../src/plan/render/health";
import { NGINX_PATHS } from "../../src/plan/render/nginx";
import { spawn, spawnSync } from "node:child_process";
import { freePort } from "../helpers/ports";
import { fillPlaceholders } from "../../src/plan/render/placeholders";
import type { HostFile } from "../../src/plan/types";
import { examplePlan } from "../helpers/plans";
import { startSshd, type Sshd } from "../helpers/sshd";
import { hasTool, IN_CI, requireTool } from "../helpers/tools";
import { makeSandbox } from "../helpers/sandbox";
import { ensureSystemUsers } from "../helpers/users";

const SYSTEM_USERS = ["mastodon", "postgres", "redis"];

let sshd: Sshd | undefined;
let base = "";
let root = "";
let log = "";
let stub = "";
let files: HostFile[] = [];

function ready(t: TestContext): boolean {
  if (!requireTool(t, "sshd", "openssh-server") || !requireTool(t, "nginx", "nginx") || !requireTool(t, "ssh", "openssh-client")) return false;
  if (process.getuid?.() !== 0) {
    const msg = "the converge e2e test runs as root (it chowns files to system users and starts sshd)";
    if (IN_CI) throw new Error(msg);
    t.skip(msg);
    return false;
  }
  // Tools and root are there, so the fixture must have started: never pass without running.
  assert.ok(sshd, "the sshd fixture did not start");
  return true;
}

/** Records every call; units count as not running (a first install) unless ACTIVE_UNITS lists them. */
let SYSTEMCTL = "";

function writeStub(name: string, body: string): void {
  writeFileSync(join(stub, name), `#!/bin/bash\n${body}\n`);
  chmodSync(join(stub, name), 0o755);
}

function converge(bundle: string, env = ""): { code: number; stdout: string; stderr: string; calls: string[] } {
  writeFileSync(log, "");
  const r = sshd!.exec(`${env} PATH=${stub}:$PATH ${convergeCommand(root)}`, bundle);
  const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { ...r, calls };
}

const summary = (out: string) => /converge: changed=(\d+) fixed=(\d+) removed=(\d+) actions=(\d+)/.exec(out)?.slice(1).map(Number);
const systemctl = (calls: string[]) => calls.filter((c) => c.startsWith("systemctl ")).map((c) => c.slice("systemctl ".length));
const withFile = (path: string, edit: (c: string) => string) => files.map((f) => (f.path === path ? { ...f, content: edit(f.content) } : f));

before(async () => {
  const haveTools = ["sshd", "nginx", "ssh"].every(hasTool);
  if (!haveTools || process.getuid?.() !== 0) return;
  ensureSystemUsers(SYSTEM_USERS);
  ({ base, root, stub, log } = makeSandbox("converge-e2e-"));
  SYSTEMCTL = `echo "systemctl $*" >> ${log}\nif [ "$1" = is-active ]; then case " \${ACTIVE_UNITS:-} " in *" $3 "*) exit 0 ;; *) exit 3 ;; esac; fi`;
  writeStub("systemctl", SYSTEMCTL);
  writeStub("update-ca-certificates", `echo "update-ca-certificates $*" >> ${log}`);
  // `nginx -t` against the tree: a mirror with every host path moved under it, checked by the real nginx.
  writeStub(
    "nginx",
    `echo "nginx $*" >> ${log}
[ "$1" = "-t" ] || exit 0
m=$(mktemp -d)
cp -a ${root}/. "$m/"
find "$m/etc/nginx" -type f -exec sed -i -E "s#([[:space:]])/(etc|var|run|home)/#\\1$m/\\2/#g" {} +
mkdir -p "$m/var/log/nginx" "$m/run" "$m/var/cache" "$m/var/lib"
/usr/sbin/nginx -t -q -p "$m/" -c "$m/etc/nginx/nginx.conf" -e "$m/var/log/nginx/error.log"
rc=$?
rm -rf "$m"
exit $rc`,
  );
  // What the host has before the first converge: Debian's mime.types and the placeholder certificate.
  mkdirSync(join(root, "etc/nginx"), { recursive: true });
  copyFileSync("/etc/nginx/mime.types", join(root, NGINX_PATHS.mimeTypes));
  mkdirSync(join(root, dirname(NGINX_PATHS.certificate)), { recursive: true });
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=single.example.social",
    "-keyout", join(root, NGINX_PATHS.certificateKey), "-out", join(root, NGINX_PATHS.certificate)], { stdio: "pipe" });

  const host = examplePlan("single").hosts[0]!;
  files = host.files.map((f) => ({ ...f, content: fillPlaceholders(f.content, (kind, name) => (kind === "secret" ? `test-secret-${name}` : `test-output-${name}`)) }));
  sshd = await startSshd();
  const installed = sshd.exec(installScriptCommand(join(root, CONVERGE_PATH)), convergeScript());
  assert.equal(installed.code, 0, installed.stderr);
});

after(() => {
  sshd?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("converge over ssh", () => {
  it("first run writes every file with its owner and mode and performs the declared actions", (t) => {
    if (!ready(t)) return;
    const r = converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(r.stdout)!.slice(0, 3), [files.length, 0, 0]);
    for (const f of files) {
      const target = join(root, f.path);
      assert.equal(readFileSync(target, "utf8"), f.content, f.path);
      const st = statSync(target);
      assert.equal((st.mode & 0o7777).toString(8).padStart(4, "0"), f.mode, `${f.path} mode`);
      assert.equal(execFileSync("stat", ["-c", "%U:%G", target], { encoding: "utf8" }).trim(), `${f.owner}:${f.group}`, `${f.path} owner`);
    }
    // Parents it had to create are traversable by the services (converge runs under umask 077).
    for (const d of ["etc/mastodon", "etc/mastodon/tls"]) {
      if (existsSync(join(root, d))) assert.equal((statSync(join(root, d)).mode & 0o7777).toString(8), "755", `${d} mode`);
    }
    const calls = systemctl(r.calls);
    assert.equal(calls[0], "daemon-reload");
    assert.ok(calls.includes("enable --quiet mastodon.target"));
    assert.ok(calls.includes("try-restart pgbouncer.service"));
    assert.ok(calls.includes("try-reload-or-restart nginx.service"));
    // The input policy is applied now, on a first converge too, before any service restarts.
    const applied = calls.indexOf("restart mastodon-input-policy.service");
    assert.ok(applied >= 0 && applied < calls.indexOf("try-restart pgbouncer.service"), calls.join("\n"));
    assert.ok(r.calls.includes("update-ca-certificates --fresh"));
    // A unit both restarted and reloaded is only restarted.
    assert.ok(calls.includes("try-restart postgresql@17-main.service"));
    assert.ok(!calls.includes("try-reload-or-restart postgresql@17-main.service"));
  });

  it("an unchanged bundle changes nothing and restarts nothing", (t) => {
    if (!ready(t)) return;
    const r = converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(r.stdout), [0, 0, 0, 0]);
    assert.deepEqual(r.calls, []);
  });

  it("one changed nginx file: only that file, and only an nginx reload", (t) => {
    if (!ready(t)) return;
    const site = NGINX_PATHS.site;
    const before = statSync(join(root, NGINX_PATHS.conf)).mtimeMs;
    files = withFile(site, (c) => `${c}\n# a comment changes the bytes\n`);
    const r = converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(r.stdout), [1, 0, 0, 1]);
    assert.match(r.stdout, new RegExp(`changed ${site}\\n`));
    assert.deepEqual(systemctl(r.calls), ["try-reload-or-restart nginx.service"]);
    assert.equal(statSync(join(root, NGINX_PATHS.conf)).mtimeMs, before, "an unchanged file was touched");
  });

  it("a broken nginx file is refused: old file kept, nothing reloaded, nginx's message shown", (t) => {
    if (!ready(t)) return;
    const site = NGINX_PATHS.site;
    const good = readFileSync(join(root, site), "utf8");
    const broken = withFile(site, (c) => c.replace("server {", "server {\n  no_such_directive on;"));
    const r = converge(bundleText(broken));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nginx refused the new configuration/);
    assert.match(r.stderr, /unknown directive "no_such_directive"/);
    assert.equal(readFileSync(join(root, site), "utf8"), good);
    assert.deepEqual(systemctl(r.calls), []);
    // And the next good run has nothing left to do.
    const again = converge(bundleText(files));
    assert.deepEqual(summary(again.stdout), [0, 0, 0, 0]);
  });

  it("a run killed after writing files restarts what they need on the next run", (t) => {
    if (!ready(t)) return;
    const env = "/etc/mastodon/env.production";
    files = withFile(env, (c) => `${c}# changed\n`);
    // systemctl kills the converge script on its first call: files written, no action done.
    writeStub("systemctl", `echo "systemctl $*" >> ${log}; kill -9 $PPID`);
    const killed = converge(bundleText(files));
    assert.notEqual(killed.code, 0);
    assert.ok(readFileSync(join(root, env), "utf8").endsWith("# changed\n"));
    writeStub("systemctl", SYSTEMCTL);
    const r = converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(summary(r.stdout)!.slice(0, 3), [0, 0, 0]);
    assert.ok(systemctl(r.calls).includes("try-restart mastodon-web.service"), r.calls.join("\n"));
    assert.ok(systemctl(r.calls).includes("try-restart mastodon-sidekiq-scheduler.service"));
    assert.deepEqual(summary(converge(bundleText(files)).stdout), [0, 0, 0, 0]);
  });

  it("a file dropped from the bundle is removed, its unit stopped first", (t) => {
    if (!ready(t)) return;
    const unit = "/etc/systemd/system/mastodon-sidekiq-pull.service";
    files = files.filter((f) => f.path !== unit);
    const r = converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(root, unit)));
    assert.deepEqual(systemctl(r.calls), ["disable --now mastodon-sidekiq-pull.service", "daemon-reload"]);
  });

  it("a wrong mode or owner is put right without a restart", (t) => {
    if (!ready(t)) return;
    const env = join(root, "/etc/mastodon/env.production");
    chmodSync(env, 0o644);
    const r = converge(bundleText(files));
    assert.deepEqual(summary(r.stdout), [0, 1, 0, 0]);
    assert.equal((statSync(env).mode & 0o777).toString(8), "600");
    assert.deepEqual(r.calls, []);
  });

  it("a running unit restarted for a change must answer its health check before the host counts as done", async (t) => {
    if (!ready(t)) return;
    // A separate process: the ssh calls below are synchronous and would block an in-process server.
    const statusFile = join(base, "health-status");
    writeFileSync(statusFile, "200");
    const port = await freePort();
    const server = spawn(process.execPath, ["-e", `require("http").createServer((q, r) => r.writeHead(Number(require("fs").readFileSync(${JSON.stringify(statusFile)}, "utf8"))).end()).listen(${port}, "127.0.0.1")`], { stdio: "ignore" });
    t.after(() => server.kill());
    for (let i = 0; i < 50 && spawnSync("curl", ["-s", "-o", "/dev/null", `http://127.0.0.1:${port}/`]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    const setStatus = (code: number) => writeFileSync(statusFile, String(code));
    const point = (c: string) => c.replace(/http:\/\/127\.0\.0\.1:3000\/health/, `http://127.0.0.1:${port}/health`);
    files = withFile(HEALTH_CHECKS, point);
    const env = "ACTIVE_UNITS=mastodon-web.service MASTODON_HEALTH_TIMEOUT=3";
    const first = converge(bundleText(files), env);
    assert.equal(first.code, 0, first.stderr);
    files = withFile("/etc/mastodon/env.production", (c) => `${c}# rolled\n`);
    const ok = converge(bundleText(files), env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ran healthy mastodon-web\.service/);
    // Every restarted unit with a check is asked whether it runs; only the running one is polled.
    assert.deepEqual(systemctl(ok.calls).filter((c) => c.startsWith("is-active")), ["is-active --quiet mastodon-web.service", "is-active --quiet mastodon-streaming@4000.service", "is-active --quiet mastodon-streaming@4001.service"]);
    assert.equal(ok.stdout.match(/^ran healthy /gm)?.length, 1);
    setStatus(500);
    files = withFile("/etc/mastodon/env.production", (c) => `${c}# again\n`);
    const bad = converge(bundleText(files), env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`mastodon-web.service was restarted but http://127.0.0.1:${port}/health did not answer 200 within 3 s`));
    // The restart stays journalled: the next run (healthy again) restarts and checks once more.
    setStatus(200);
    const retry = converge(bundleText(files), env);
    assert.equal(retry.code, 0, retry.stderr);
    assert.ok(systemctl(retry.calls).includes("try-restart mastodon-web.service"));
  });

  it("a truncated bundle is refused before anything is written", (t) => {
    if (!ready(t)) return;
    const text = bundleText(withFile("/etc/redis/redis.conf", (c) => `${c}# x\n`));
    const r = converge(text.slice(0, text.lastIndexOf("end")));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bundle is truncated/);
    assert.ok(!readFileSync(join(root, "/etc/redis/redis.conf"), "utf8").endsWith("# x\n"));
  });
});
