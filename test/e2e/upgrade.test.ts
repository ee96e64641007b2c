// The release script end to end, over a real sshd on loopback, with the command strings the
// program uses: builds, migrations, switches with health checks and rollback, prune. Two "hosts"
// are two root prefixes on the same sshd, each with its own port for the stand-in web server; the
// steps run in the order the program's DAG gives them (builds, migrate pre on one host, switch
// host by host, migrate post), stopping at the first failure as Pulumi does.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { installScriptCommand } from "../../src/components/host/commands";
import {
  buildCommand,
  migrateCommand,
  pruneCommand,
  RELEASE_PATH,
  releaseScript,
  statusCommand,
  switchCommand,
} from "../../src/components/host/release-commands";
import { shellQuote } from "../../src/plan/render/shell";
import { createStandInRelease, freePort, stopStandInServer, type LogLine, type StandInRelease } from "../helpers/stand-in-release";
import { startSshd, type Sshd } from "../helpers/sshd";
import { hasTool, IN_CI, requireTool } from "../helpers/tools";
import { ensureSystemUsers } from "../helpers/users";

const HEALTH_TIMEOUT = 4;
const TAGS = [
  { tag: "v1.0.0", healthy: true },
  { tag: "v1.1.0", healthy: true },
  { tag: "v1.2.0-bad", healthy: false },
  { tag: "v1.3.0", healthy: true },
  { tag: "v1.4.0", healthy: true },
  { tag: "v1.5.0", healthy: true },
  { tag: "v1.5.1-node99", healthy: true, node: "^20.19.0 >=99" },
];
const UNITS = ["mastodon-web.service", "mastodon-streaming@4000.service", "mastodon-sidekiq-default.service"];

interface Host {
  name: string;
  root: string;
  port: number;
  /** Runs the migrations: the only host with env.maintenance. */
  migrates: boolean;
}
interface Result {
  step: string;
  code: number;
  stdout: string;
  stderr: string;
}

let sshd: Sshd | undefined;
let base = "";
let standIn: StandInRelease;
let hosts: Host[] = [];
let upgradeCalls: LogLine[] = [];

function ready(t: TestContext): boolean {
  for (const [bin, pkg] of [["sshd", "openssh-server"], ["ssh", "openssh-client"], ["git", "git"], ["curl", "curl"], ["node", "nodejs"], ["setpriv", "util-linux"], ["flock", "util-linux"]] as const) {
    if (!requireTool(t, bin, pkg)) return false;
  }
  if (process.getuid?.() !== 0) {
    const msg = "the release e2e test runs as root (it builds as the mastodon user and starts sshd)";
    if (IN_CI) throw new Error(msg);
    console.error(`\n*** SKIPPED: ${msg} ***\n`);
    t.skip(msg);
    return false;
  }
  // Tools and root are there, so the fixture must have started: never pass without running.
  assert.ok(sshd, "the sshd fixture did not start");
  return true;
}

function run(h: Host, step: string, command: string, extra: Record<string, string> = {}): Result {
  const env: Record<string, string> = {
    MASTODON_REPO: standIn.repoUrl,
    MASTODON_HEALTH_TIMEOUT: String(HEALTH_TIMEOUT),
    STANDIN_HOST: h.name,
    STANDIN_ROOT: h.root,
    STANDIN_PORT: String(h.port),
    STANDIN_LOG: standIn.log,
    ...extra,
  };
  const prefix = [`PATH=${standIn.bin}:$PATH`, ...Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`)].join(" ");
  const r = sshd!.exec(`${prefix} ${command}`);
  return { step: `${step} on ${h.name}`, ...r };
}

const build = (h: Host, v: string, extra?: Record<string, string>) => run(h, `build ${v}`, buildCommand(v, h.root), extra);
const checkUrl = (h: Host) => `http://127.0.0.1:${h.port}/health`;
const switchTo = (h: Host, v: string, extra?: Record<string, string>) =>
  run(h, `switch ${v}`, switchCommand(v, { units: UNITS, checks: [checkUrl(h)] }, h.root), extra);

/** The program's order: build everywhere → migrate pre → switch each host in turn → migrate post. */
function rollout(version: string): Result[] {
  const migrator = hosts.find((h) => h.migrates)!;
  const steps: (() => Result)[] = [
    ...hosts.map((h) => () => build(h, version)),
    () => run(migrator, "migrate pre", migrateCommand("pre", version, migrator.root)),
    ...hosts.map((h) => () => switchTo(h, version)),
    () => run(migrator, "migrate post", migrateCommand("post", version, migrator.root)),
  ];
  const results: Result[] = [];
  for (const step of steps) {
    const r = step();
    results.push(r);
    if (r.code !== 0) break;
  }
  return results;
}

const liveOf = (h: Host) => readlinkSync(join(h.root, "home/mastodon/live"));
const releasesOf = (h: Host) => readdirSync(join(h.root, "home/mastodon/releases")).sort();
const buildDirsOf = (h: Host) => readdirSync(join(h.root, "home/mastodon")).filter((n) => n.startsWith(".mastodon-build."));

/** One request on a fresh connection (a pooled keep-alive one may belong to a server since replaced). */
function get(h: Host, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: h.port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const of = (calls: LogLine[], host: string, name: string) => calls.filter((c) => c.host === host && c.name === name);
/** systemctl calls that act on units (not the script's `show -p MainPID` queries). */
const actions = (calls: LogLine[], host: string) => of(calls, host, "systemctl").filter((c) => c.args[0] !== "show");
const healthy = (calls: LogLine[], host: string, version: string) =>
  of(calls, host, "server").filter((c) => c.args[0] === "health" && c.args[1] === "200" && c.args[2] === version);
const describeResults = (rs: Result[]) => rs.map((r) => `${r.step}: ${r.code}\n${r.stdout}${r.stderr}`).join("\n");

before(async () => {
  const haveTools = ["sshd", "ssh", "git", "curl", "node", "setpriv", "flock"].every(hasTool);
  if (!haveTools || process.getuid?.() !== 0) return;
  ensureSystemUsers(["mastodon"]);
  base = mkdtempSync(join(tmpdir(), "release-e2e-"));
  // The mastodon user walks through it to the stand-ins, the repository and its home.
  chmodSync(base, 0o755);
  standIn = createStandInRelease(base, TAGS);
  hosts = [
    { name: "a", root: join(base, "a"), port: await freePort(), migrates: true },
    { name: "b", root: join(base, "b"), port: await freePort(), migrates: false },
  ];
  for (const h of hosts) {
    const etc = join(h.root, "etc/mastodon");
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, "env.production"), "DB_HOST=127.0.0.1\nDB_PORT=6432\n", { mode: 0o600 });
    if (h.migrates) writeFileSync(join(etc, "env.maintenance"), "DB_HOST=127.0.0.1\nDB_PORT=5432\n", { mode: 0o600 });
  }
  sshd = await startSshd();
  for (const h of hosts) {
    const installed = sshd.exec(installScriptCommand(join(h.root, RELEASE_PATH)), releaseScript());
    assert.equal(installed.code, 0, installed.stderr);
  }
});

after(() => {
  for (const h of hosts) stopStandInServer(h.root);
  sshd?.stop();
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("mastodon-release over ssh", () => {
  it("build is idempotent, and a killed build is cleaned up by the next one", (t) => {
    if (!ready(t)) return;
    const [a, b] = hosts as [Host, Host];
    standIn.clearLog();
    const first = build(a, "v1.0.0");
    assert.equal(first.code, 0, first.stderr);
    const release = join(a.root, "home/mastodon/releases/v1.0.0");
    assert.ok(existsSync(join(a.root, "var/lib/mastodon-stack/built/v1.0.0")));
    assert.ok(!existsSync(join(release, ".mastodon-stack-built")), "root wrote its record inside mastodon's tree");
    assert.ok(existsSync(join(release, "server.js")));
    assert.equal(execFileSync("stat", ["-c", "%U:%G %a", release], { encoding: "utf8" }).trim(), "mastodon:mastodon 755");
    assert.equal(readlinkSync(join(release, ".env.production")), join(a.root, "etc/mastodon/env.production"));
    const calls = standIn.calls();
    const line = (c: LogLine) => [c.name, ...c.args].join(" ");
    const steps = calls.filter((c) => ["git", "bundle", "corepack", "yarn", "bundle-env"].includes(c.name)).map((c) => `${c.user}: ${line(c)}`);
    const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
    assert.deepEqual(steps.filter((s) => !s.includes("rev-parse")), [
      `mastodon: git -c advice.detachedHead=false clone --quiet --depth 1 --branch v1.0.0 -- ${standIn.repoUrl} ${calls.find((c) => c.name === "git")!.args.at(-1)}`,
      "mastodon: bundle config set --local deployment true",
      "mastodon: bundle config set --local without development test",
      `mastodon: bundle install -j${nproc}`,
      // The shim goes next to node, where only root writes.
      "root: corepack enable",
      "mastodon: yarn install --immutable",
      "mastodon: bundle exec rails assets:precompile",
      "mastodon: bundle-env RAILS_ENV=production SECRET_KEY_BASE_DUMMY=1",
    ]);
    // The clone went to a temporary directory beside releases/, never to releases/ itself.
    assert.match(calls.find((c) => c.name === "git")!.args.at(-1)!, /\/home\/mastodon\/\.mastodon-build\.v1\.0\.0\.[^/]+$/);

    standIn.clearLog();
    const again = build(a, "v1.0.0");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /v1\.0\.0 already built/);
    assert.deepEqual(standIn.calls().filter((c) => ["git", "bundle", "corepack", "yarn", "ruby"].includes(c.name)), []);

    // `corepack enable` (after the gems, before the node packages) kills the script: only the
    // temporary directory remains.
    const killed = build(b, "v1.0.0", { STANDIN_KILL_BUILD: "1" });
    assert.notEqual(killed.code, 0);
    assert.equal(buildDirsOf(b).length, 1, `the killed build left its temporary directory\n${killed.stdout}${killed.stderr}`);
    assert.deepEqual(releasesOf(b), []);
    const recovered = build(b, "v1.0.0");
    assert.equal(recovered.code, 0, recovered.stderr);
    assert.match(recovered.stdout, /removing an interrupted build/);
    assert.deepEqual(buildDirsOf(b), []);
    assert.deepEqual(releasesOf(b), ["v1.0.0"]);
  });

  it("whatever a build's scripts plant in the release as mastodon, root writes nothing through it", (t) => {
    if (!ready(t)) return;
    const b = hosts[1]!;
    const victim = join(b.root, "etc/victim-root-only");
    mkdirSync(join(b.root, "etc"), { recursive: true });
    writeFileSync(victim, "root's secret\n", { mode: 0o600 });
    // As a gem's install script would, in the build directory that becomes the release.
    const hook = `for n in .mastodon-stack-built .mastodon-stack-built.tmp .env.production.tmp; do ln -sf ${victim} "$PWD/$n"; done`;
    const r = build(b, "v1.3.0", { STANDIN_BUNDLE_HOOK: hook });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(execFileSync("stat", ["-c", "%U %a %s", victim], { encoding: "utf8" }).trim(), "root 600 14");
    assert.ok(existsSync(join(b.root, "var/lib/mastodon-stack/built/v1.3.0")));
    assert.equal(execFileSync("stat", ["-c", "%U %a", join(b.root, "var/lib/mastodon-stack")], { encoding: "utf8" }).trim(), "root 700");
    assert.equal(run(b, "prune", pruneCommand(1, b.root)).code, 0);
  });

  it("build refuses a host Ruby outside the release's Gemfile range, naming both", (t) => {
    if (!ready(t)) return;
    const a = hosts[0]!;
    const r = build(a, "v1.1.0", { STANDIN_RUBY: "3.1.4" });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /v1\.1\.0 needs Ruby >= 3\.2\.0, < 3\.5\.0 \(its Gemfile; \.ruby-version says 3\.4\.8\) but this host has Ruby 3\.1\.4/);
    assert.ok(!releasesOf(a).includes("v1.1.0"));
    assert.deepEqual(buildDirsOf(a), [], "a failed build removes its temporary directory");
    // Debian 13's Ruby 3.3 is inside the range although .ruby-version says 3.4.
    const ok = build(a, "v1.1.0");
    assert.match(ok.stdout, /Ruby 3\.3\.8 meets v1\.1\.0's Gemfile requirement/);
    assert.ok(ok.stdout.includes(`Node ${process.versions.node} meets v1.1.0's engines.node (>=20)`), ok.stdout);
  });

  it("build refuses a host Node outside the release's engines.node, naming both", (t) => {
    if (!ready(t)) return;
    const a = hosts[0]!;
    const have = process.versions.node;
    const r = build(a, "v1.5.1-node99");
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split("\n").at(-1), `mastodon-release: v1.5.1-node99 needs Node ^20.19.0 >=99 (its package.json engines.node) but this host has Node ${have}`);
    assert.ok(!releasesOf(a).includes("v1.5.1-node99"));
  });

  it("first install: v1.0.0 goes live on both hosts", async (t) => {
    if (!ready(t)) return;
    const results = rollout("v1.0.0");
    assert.ok(results.every((r) => r.code === 0), describeResults(results));
    for (const h of hosts) {
      assert.equal(liveOf(h), "releases/v1.0.0");
      assert.deepEqual(JSON.parse((await get(h, "/api/v1/instance")).body), { version: "v1.0.0" });
    }
  });

  it("upgrade v1.0.0 → v1.1.0: migrate pre once, hosts one at a time, each healthy first, migrate post last", async (t) => {
    if (!ready(t)) return;
    standIn.clearLog();
    const results = rollout("v1.1.0");
    assert.ok(results.every((r) => r.code === 0), describeResults(results));
    const calls = (upgradeCalls = standIn.calls());

    // Units in the given order, each restarted (Puma's reload would keep the old release).
    for (const h of hosts) {
      assert.deepEqual(actions(calls, h.name).map((c) => c.args.join(" ")), [
        "restart mastodon-web.service",
        "restart mastodon-streaming@4000.service",
        "restart mastodon-sidekiq-default.service",
      ]);
    }
    const runs = calls.filter((c) => c.name === "systemd-run");
    assert.equal(runs.length, 2, "migrate pre and post, nothing else");
    assert.ok(runs.every((c) => c.host === "a"), "migrations run on the maintenance host only");
    const [pre, post] = runs as [LogLine, LogLine];
    const aFirst = actions(calls, "a")[0]!.ts;
    const aHealthy = healthy(calls, "a", "v1.1.0");
    const bFirst = actions(calls, "b")[0]!.ts;
    const bHealthy = healthy(calls, "b", "v1.1.0");
    assert.ok(pre.ts < aFirst, "pre-deployment migrations before the first switch");
    assert.ok(aHealthy.length > 0 && aHealthy[0]!.ts < bFirst, "host a answered healthy on v1.1.0 before host b was touched");
    assert.ok(actions(calls, "a").every((c) => c.ts < bFirst), "host a's units all done before host b's first");
    assert.ok(bHealthy.length > 0 && bHealthy.at(-1)!.ts < post.ts, "post-deployment migrations after the last host is healthy");
    for (const h of hosts) {
      assert.equal(liveOf(h), "releases/v1.1.0");
      assert.deepEqual(JSON.parse((await get(h, "/api/v1/instance")).body), { version: "v1.1.0" });
    }
    const status = run(hosts[0]!, "status", statusCommand(hosts[0]!.root));
    assert.equal(status.stdout, "v1.1.0\n");
  });

  it("migrations get env.production then env.maintenance (Postgres directly); pre skips post-deployment ones", (t) => {
    if (!ready(t)) return;
    const a = hosts[0]!;
    const [pre, post] = upgradeCalls.filter((c) => c.name === "systemd-run") as [LogLine, LogLine];
    assert.ok(pre && post, "the upgrade recorded both migrations");
    const prod = `EnvironmentFile=${join(a.root, "etc/mastodon/env.production")}`;
    const maint = `EnvironmentFile=${join(a.root, "etc/mastodon/env.maintenance")}`;
    for (const c of [pre, post]) {
      assert.deepEqual(c.args.slice(0, 5), ["--quiet", "--wait", "--pipe", "--collect", "-p"]);
      assert.ok(c.args.includes(`WorkingDirectory=${join(a.root, "home/mastodon/releases/v1.1.0")}`));
      assert.ok(c.args.includes("User=mastodon") && c.args.includes("Group=mastodon"));
      assert.ok(c.args.indexOf(prod) > 0 && c.args.indexOf(prod) < c.args.indexOf(maint), "env.maintenance comes later and wins");
      assert.ok(c.args.join(" ").includes("-E RAILS_ENV=production"));
    }
    assert.deepEqual(pre.args.slice(-6), ["-E", "SKIP_POST_DEPLOYMENT_MIGRATIONS=true", "bundle", "exec", "rails", "db:prepare"]);
    assert.deepEqual(post.args.slice(-4), ["bundle", "exec", "rails", "db:migrate"]);
    assert.ok(!post.args.includes("SKIP_POST_DEPLOYMENT_MIGRATIONS=true"));
    // A host without env.maintenance refuses to migrate (it would go through PgBouncer).
    const b = hosts[1]!;
    const refused = run(b, "migrate pre", migrateCommand("pre", "v1.1.0", b.root));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /env\.maintenance is missing/);
  });

  it("a release failing its health check is rolled back on that host and the rollout stops there", async (t) => {
    if (!ready(t)) return;
    const [a, b] = hosts as [Host, Host];
    standIn.clearLog();
    const results = rollout("v1.2.0-bad");
    const last = results.at(-1)!;
    assert.equal(last.step, "switch v1.2.0-bad on a", describeResults(results));
    assert.equal(last.code, 1);
    assert.match(
      last.stderr,
      new RegExp(`mastodon-release: http://127\\.0\\.0\\.1:${a.port}/health failed after \\d+ s on v1\\.2\\.0-bad; rolled back to v1\\.1\\.0\\n$`),
    );
    assert.equal(liveOf(a), "releases/v1.1.0");
    assert.equal((await get(a, "/health")).status, 200);
    assert.deepEqual(JSON.parse((await get(a, "/api/v1/instance")).body), { version: "v1.1.0" });
    const calls = standIn.calls();
    // The bad release was really served (and refused) before the rollback.
    assert.ok(of(calls, "a", "server").some((c) => c.args[0] === "health" && c.args[1] === "500" && c.args[2] === "v1.2.0-bad"));
    assert.equal(actions(calls, "a").length, 2 * UNITS.length, "units switched to the bad release and back");
    // Host b: built (that happens everywhere first), never switched.
    assert.deepEqual(actions(calls, "b"), []);
    assert.equal(liveOf(b), "releases/v1.1.0");
    assert.deepEqual(JSON.parse((await get(b, "/api/v1/instance")).body), { version: "v1.1.0" });
    assert.equal(calls.filter((c) => c.name === "systemd-run").length, 1, "migrate post never ran");
  });

  it("migrations refuse a step that skips a minor series or goes back one, before anything runs", (t) => {
    if (!ready(t)) return;
    const a = hosts.find((h) => h.migrates)!;
    assert.equal(liveOf(a), "releases/v1.1.0");
    standIn.clearLog();
    for (const v of ["v1.3.0", "v1.0.0"]) assert.equal(build(a, v).code, 0);
    const skip = run(a, "migrate pre", migrateCommand("pre", "v1.3.0", a.root));
    assert.equal(skip.code, 1);
    assert.match(skip.stderr, /v1\.1\.0 is live and v1\.3\.0 skips 1\.2: upstream supports upgrades through every minor series in turn\. Set mastodon\.version to the newest v1\.2\.x, run pulumi up, then v1\.3\.0/);
    // Back to the release this host ran just before is a rollback, allowed; any other older one is not.
    const previousFile = join(a.root, "var/lib/mastodon-stack/release.previous");
    const previous = readFileSync(previousFile, "utf8");
    assert.equal(previous, "v1.0.0\n");
    try {
      writeFileSync(previousFile, "v1.2.0-bad\n");
      const back = run(a, "migrate pre", migrateCommand("pre", "v1.0.0", a.root));
      assert.equal(back.code, 1);
      assert.match(back.stderr, /v1\.1\.0 is live and v1\.0\.0 is an older minor series: its code would run on tables v1\.1\.0 has migrated/);
    } finally {
      writeFileSync(previousFile, previous);
    }
    assert.deepEqual(standIn.calls().filter((c) => c.name === "systemd-run"), [], "no migration ran");
  });

  it("switching to the live version only checks health", (t) => {
    if (!ready(t)) return;
    const a = hosts[0]!;
    standIn.clearLog();
    const r = switchTo(a, "v1.1.0");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /v1\.1\.0 is already live and healthy/);
    assert.deepEqual(actions(standIn.calls(), "a"), []);
    assert.ok(healthy(standIn.calls(), "a", "v1.1.0").length > 0);
  });

  it("a web process is restarted cold onto the new release, never reloaded in place", async (t) => {
    if (!ready(t)) return;
    const b = hosts[1]!;
    assert.equal(build(b, "v1.3.0").code, 0);
    standIn.clearLog();
    // The stand-in's reload re-execs in the old directory, as Puma with preload_app! does.
    const r = switchTo(b, "v1.3.0", { STANDIN_STALE_RELOAD: "1" });
    assert.equal(r.code, 0, r.stderr);
    const calls = actions(standIn.calls(), "b").map((c) => c.args.join(" "));
    assert.equal(calls[0], "restart mastodon-web.service");
    assert.ok(!calls.some((c) => c.includes("reload")), calls.join("\n"));
    assert.deepEqual(JSON.parse((await get(b, "/api/v1/instance")).body), { version: "v1.3.0" });
  });

  it("streaming processes restart one at a time: the next waits for the previous one's health check", async (t) => {
    if (!ready(t)) return;
    const b = hosts[1]!;
    const live = liveOf(b).replace("releases/", "");
    const target = live === "v1.3.0" ? "v1.1.0" : "v1.3.0";
    assert.equal(build(b, target).code, 0);
    standIn.clearLog();
    // Nothing answers on the first streaming port: its check fails, so the second never restarts.
    const dead = await freePort();
    const units = ["mastodon-streaming@" + dead + ".service", "mastodon-streaming@" + (dead + 1) + ".service"];
    const r = run(b, `switch ${target}`, switchCommand(target, { units, checks: [`http://127.0.0.1:${dead}/api/v1/streaming/health`] }, b.root));
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`http://127.0.0.1:${dead}/api/v1/streaming/health failed after \\d+ s on ${target.replace(/\./g, "\\.")}; rolled back to ${live.replace(/\./g, "\\.")}`));
    const calls = actions(standIn.calls(), "b").map((c) => c.args.join(" "));
    // Switch: the first streaming unit only; rollback: again the first only (same check fails).
    assert.deepEqual(calls, [`restart ${units[0]}`, `restart ${units[0]}`]);
    assert.equal(liveOf(b), `releases/${live}`);
  });

  it("a switch killed after moving the link is redone, not taken for a no-op", async (t) => {
    if (!ready(t)) return;
    const b = hosts[1]!;
    const killed = switchTo(b, "v1.0.0", { STANDIN_KILL_SWITCH: "1" });
    assert.notEqual(killed.code, 0);
    // The link moved; the processes still run v1.3.0.
    assert.equal(liveOf(b), "releases/v1.0.0");
    assert.deepEqual(JSON.parse((await get(b, "/api/v1/instance")).body), { version: "v1.3.0" });
    assert.match(run(b, "status", statusCommand(b.root)).stderr, /a switch did not finish: v1\.0\.0 v1\.3\.0/);
    standIn.clearLog();
    const again = switchTo(b, "v1.0.0");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /an earlier switch to v1\.0\.0 did not finish; redoing the unit actions/);
    assert.equal(actions(standIn.calls(), "b").length, UNITS.length);
    assert.deepEqual(JSON.parse((await get(b, "/api/v1/instance")).body), { version: "v1.0.0" });
    assert.equal(run(b, "status", statusCommand(b.root)).stderr, "");
  });

  it("prune keeps the newest builds plus the live release and the one before it", (t) => {
    if (!ready(t)) return;
    const a = hosts[0]!;
    // Built on a so far, oldest first: v1.0.0 (previous), v1.1.0 (live), v1.2.0-bad.
    for (const v of ["v1.3.0", "v1.4.0", "v1.5.0"]) assert.equal(build(a, v).code, 0);
    const three = run(a, "prune", pruneCommand(3, a.root));
    assert.equal(three.code, 0, three.stderr);
    assert.deepEqual(releasesOf(a), ["v1.0.0", "v1.1.0", "v1.3.0", "v1.4.0", "v1.5.0"]);
    assert.match(three.stdout, /removed v1\.2\.0-bad/);
    const one = run(a, "prune", pruneCommand(1, a.root));
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(releasesOf(a), ["v1.0.0", "v1.1.0", "v1.5.0"]);
    assert.equal(liveOf(a), "releases/v1.1.0");
    // Pruned releases build again from scratch.
    assert.equal(build(a, "v1.4.0").code, 0);
    assert.ok(existsSync(join(a.root, "var/lib/mastodon-stack/built/v1.4.0")));
  });
});
