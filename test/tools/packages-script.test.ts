// The packages script's decisions, run by bash against a fake apt (test/helpers/apt-stubs.ts,
// real gpg): what it installs, fetches, writes and refuses, and when it runs apt-get update. The
// booted hosts run it against the real apt. Keys: test/fixtures/apt-keys/{a,b}.asc, two ed25519
// public keys made once for these tests (`gpg --quick-gen-key … ed25519 sign never`).
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, it, type TestContext } from "node:test";
import { buildPlan } from "../../src/plan";
import { packageStepInput } from "../../src/plan/render/packages-step";
import type { AptSource, PackageStep } from "../../src/plan/types";
import { parseStack } from "../../src/spec/load";
import { aptSandbox, type AptSandbox } from "../helpers/apt-stubs";
import { packagesSummary } from "../booted/harness/checks";
import { examplePlan, ROOT } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { requireTool, shellcheck } from "../helpers/tools";

const SCRIPT = join(ROOT, "templates/scripts/packages.sh");
const KEY = { a: readFileSync(join(ROOT, "test/fixtures/apt-keys/a.asc"), "utf8"), b: readFileSync(join(ROOT, "test/fixtures/apt-keys/b.asc"), "utf8") };
const FPR = { a: "F1964348B91DC5C29E92977B2B605C6F61650091", b: "5778ABC35443212F2DC7C5E7BA8128CB7FFA43C7" };
const NODE_LIST = "/etc/apt/sources.list.d/nodesource.list";
const NODE_KEYRING = "/etc/apt/keyrings/nodesource.gpg";
const source = (over: Partial<AptSource> = {}): AptSource => ({
  list: NODE_LIST,
  keyring: NODE_KEYRING,
  fingerprint: FPR.a,
  keyUrl: "https://keys.example/a.asc",
  content: `deb [signed-by=${NODE_KEYRING}] https://deb.nodesource.com/node_24.x nodistro main\n`,
  ...over,
});
const input = (step: Partial<Omit<PackageStep, "input" | "sha256">>) => packageStepInput({ sources: [], packages: [], mounts: [], ...step });
const applies = (calls: string[], sub: string) => calls.filter((c) => c.startsWith("apt-get ") && c.split(" ").includes(sub));

let sandbox: AptSandbox | undefined;
afterEach(() => sandbox?.remove());
function setup(t: TestContext): AptSandbox | undefined {
  if (!requireTool(t, "gpg", "gpg") || !requireTool(t, "flock", "util-linux")) return undefined;
  sandbox = aptSandbox(SCRIPT);
  sandbox.serveKey("a.asc", KEY.a);
  sandbox.serveKey("b.asc", KEY.b);
  sandbox.serveKey("ab.asc", KEY.a + KEY.b);
  return sandbox;
}
const ok = (r: { status: number | null; stdout: string; stderr: string }) => assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
const dearmored = (key: string) => execFileSync("gpg", ["--batch", "--no-options", "--dearmor"], { input: key });
/** A 4.5 app host as cloud-init left it: Debian's Node and corepack. */
const DEBIAN_APP = { curl: "8.14.1-2", gpg: "2.4.7-21", nodejs: "20.19.2+dfsg-1", "node-corepack": "0.32.0-1" };

describe("packages script", () => {
  it("passes shellcheck", (t) => {
    const check = shellcheck(t);
    if (!check) return;
    assert.equal(check(readFileSync(SCRIPT, "utf8"), { shell: "bash", severity: "style" }), "");
  });

  it("takes the converge's lock: the same file under the same state directory, the same wait", () => {
    const converge = readFileSync(join(ROOT, "templates/scripts/converge.sh"), "utf8");
    const packages = readFileSync(SCRIPT, "utf8");
    for (const line of ['state="$root/var/lib/mastodon-stack"', 'exec 9> "$state/lock"', 'flock -w "${MASTODON_CONVERGE_LOCK_WAIT:-900}" 9']) {
      assert.ok(converge.includes(line) && packages.includes(line), line);
    }
  });

  it("a host with everything already: no apt-get at all, nothing written", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled({ nginx: "1.26.3-3", curl: "8.14.1-2" });
    const r = s.run(input({ packages: ["curl", "nginx"] }));
    ok(r);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 0, sources: 0 });
    assert.deepEqual(s.calls().filter((c) => !c.startsWith("dpkg-query")), []);
  });

  it("a role added later: installs only what is missing, non-interactively, keeping the configuration files there, without recommends or an update", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled({ nftables: "1.1.3-1" });
    const r = s.run(input({ packages: ["nftables", "redis-server"] }));
    ok(r);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 1, sources: 0 });
    const calls = s.calls().filter((c) => c.startsWith("apt-get"));
    assert.equal(calls.length, 1, calls.join("\n"));
    assert.match(calls[0]!, /^apt-get DEBIAN_FRONTEND=noninteractive .*-o Dpkg::Options::=--force-confold .*install -y --no-install-recommends redis-server$/);
    assert.match(calls[0]!, /-o DPkg::Lock::Timeout=\d+/);
    assert.equal(s.installed()["redis-server"], "1.0-1");
  });

  it("4.5 → 4.6: NodeSource's key (by fingerprint) and source, one update, then Node 24 replacing Debian's and its corepack in one transaction; again: nothing", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled(DEBIAN_APP);
    const desired = input({ sources: [source()], packages: ["curl", "nodejs"], nodeMajor: 24 });
    const r = s.run(desired);
    ok(r);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 1, sources: 1 });
    const calls = s.calls().filter((c) => !c.startsWith("dpkg-query"));
    assert.deepEqual(calls.map((c) => c.split(" ")[0]), ["curl", "apt-get", "apt-get"]);
    assert.match(calls[0]!, /--proto =https .*https:\/\/keys\.example\/a\.asc$/);
    assert.match(calls[1]!, / --error-on=any update$/, "a source that cannot be fetched fails the update (plain apt-get update exits 0)");
    assert.match(calls[2]!, / install -y --no-install-recommends nodejs node-corepack-$/);
    assert.deepEqual(s.installed(), { curl: "8.14.1-2", gpg: "2.4.7-21", nodejs: "24.11.1-1nodesource1" });
    assert.match(r.stdout, /^removed node-corepack /m);
    // root's own files and directories, readable by apt's unprivileged user; the key dearmored, nothing else in it.
    const keyring = join(s.root, NODE_KEYRING);
    assert.deepEqual(readFileSync(keyring), dearmored(KEY.a));
    assert.equal(readFileSync(join(s.root, NODE_LIST), "utf8"), source().content);
    assert.equal(statSync(keyring).mode & 0o7777, 0o644);
    // Started as root, the script ran as nobody: nothing it did could reach outside the sandbox.
    assert.equal(statSync(keyring).uid, process.getuid?.() === 0 ? 65534 : process.getuid?.());
    assert.equal(statSync(join(s.root, NODE_LIST)).mode & 0o7777, 0o644);
    assert.equal(statSync(join(s.root, "etc/apt/keyrings")).mode & 0o7777, 0o755);
    s.clearCalls();
    const again = s.run(desired);
    ok(again);
    assert.deepEqual(packagesSummary(again.stdout), { installed: 0, sources: 0 });
    assert.deepEqual(applies(s.calls(), "update").concat(applies(s.calls(), "install")), []);
  });

  it("Node already new enough: Debian's corepack stays (removed only when Node is replaced)", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled({ ...DEBIAN_APP, nodejs: "24.11.1-1nodesource1" });
    ok(s.run(input({ sources: [source()], packages: ["curl", "nodejs"], nodeMajor: 24 })));
    assert.ok("node-corepack" in s.installed());
    assert.deepEqual(applies(s.calls(), "install"), []);
  });

  it("refuses a key that is not exactly the fingerprinted one, before writing anything", (t) => {
    const s = setup(t);
    if (!s) return;
    for (const url of ["https://keys.example/b.asc", "https://keys.example/ab.asc"]) {
      s.setInstalled(DEBIAN_APP);
      s.clearCalls();
      const r = s.run(input({ sources: [source({ keyUrl: url })], packages: ["nodejs"], nodeMajor: 24 }));
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`is not exactly the key ${FPR.a}`));
      assert.ok(!existsSync(join(s.root, NODE_KEYRING)) && !existsSync(join(s.root, NODE_LIST)));
      assert.deepEqual(s.calls().filter((c) => c.startsWith("apt-get")), []);
    }
  });

  it("a symlink at a target is replaced, never followed; a symlinked or group-writable directory is refused", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled(DEBIAN_APP);
    const elsewhere = join(s.dir, "elsewhere");
    writeFileSync(elsewhere, "untouched\n");
    symlinkSync(elsewhere, join(s.root, NODE_LIST));
    s.own(s.dir);
    ok(s.run(input({ sources: [source()], packages: ["nodejs"], nodeMajor: 24 })));
    assert.ok(lstatSync(join(s.root, NODE_LIST)).isFile());
    assert.equal(readFileSync(elsewhere, "utf8"), "untouched\n");

    const sourcesDir = join(s.root, "etc/apt/sources.list.d");
    chmodSync(sourcesDir, 0o775);
    const r = s.run(input({ sources: [source({ content: "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://x.example/ y main\n" })] }));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /sources\.list\.d is writable by group or others/);
    chmodSync(sourcesDir, 0o755);

    const evil = join(s.dir, "evil");
    mkdirSync(evil);
    execFileSync("rm", ["-rf", join(s.root, "etc/apt/keyrings")]);
    symlinkSync(evil, join(s.root, "etc/apt/keyrings"));
    s.own(s.dir);
    const refused = s.run(input({ sources: [source()] }));
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /keyrings is a symbolic link/);
    assert.deepEqual(execFileSync("ls", ["-A", evil], { encoding: "utf8" }), "");
  });

  it("sources written by a run that died before its update are updated by the next run", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled(DEBIAN_APP);
    const desired = input({ sources: [source()], packages: ["nodejs"], nodeMajor: 24 });
    s.fail("update", 1);
    assert.equal(s.run(desired).status, 1);
    assert.ok(existsSync(join(s.root, NODE_LIST)), "the source was written before the update failed");
    s.clearCalls();
    const r = s.run(desired);
    ok(r);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 1, sources: 0 }, "nothing to write this time, but the update is still due");
    assert.equal(applies(s.calls(), "update").length, 1);
  });

  it("an install that fails on stale lists is retried once after an update; apt's Node too old is an error", (t) => {
    const s = setup(t);
    if (!s) return;
    s.fail("install", 1);
    const r = s.run(input({ packages: ["pgbouncer"] }));
    ok(r);
    assert.deepEqual(s.calls().filter((c) => c.startsWith("apt-get")).map((c) => c.split(" ").find((w) => w === "install" || w === "update")), ["install", "update", "install"]);

    s.setInstalled(DEBIAN_APP);
    s.nodejsCandidate("20.19.2+dfsg-1");
    const old = s.run(input({ sources: [source()], packages: ["nodejs"], nodeMajor: 24 }));
    assert.equal(old.status, 1);
    assert.match(old.stderr, /nodejs 20\.19\.2\+dfsg-1: the release needs Node 24 or newer from NodeSource/);
  });

  it("a host without curl or gpg gets them from Debian before fetching a key", (t) => {
    const s = setup(t);
    if (!s) return;
    s.setInstalled({ "postgresql-common": "278" });
    const pgdg = source({ list: "/etc/apt/sources.list.d/pgdg.sources", keyring: "/etc/apt/keyrings/pgdg.gpg", content: "Types: deb\nSigned-By: /etc/apt/keyrings/pgdg.gpg\n" });
    const r = s.run(input({ sources: [pgdg], packages: ["postgresql-15", "postgresql-common"] }));
    ok(r);
    const order = s.calls().filter((c) => !c.startsWith("dpkg-query")).map((c) => (c.startsWith("curl") ? "curl" : c.replace(/^.* (install -y --no-install-recommends|update)/, "$1")));
    assert.deepEqual(order, ["install -y --no-install-recommends curl gpg", "curl", "update", "install -y --no-install-recommends postgresql-15"]);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 3, sources: 1 });
  });

  it("PostgreSQL waits for its data volume: not installed while the directory is not a mount point", (t) => {
    const s = setup(t);
    if (!s) return;
    const desired = input({ packages: ["postgresql-17"], mounts: [{ path: "/var/lib/postgresql", package: "postgresql-17" }] });
    const r = s.run(desired);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not installing postgresql-17: \/var\/lib\/postgresql should be this host's data volume and is not mounted/);
    assert.deepEqual(applies(s.calls(), "install"), []);
    s.mounted("/var/lib/postgresql");
    ok(s.run(desired));
    assert.ok("postgresql-17" in s.installed());
  });

  it("waits for a converge holding the lock, and gives up with a message", async (t) => {
    const s = setup(t);
    if (!s) return;
    ok(s.run(input({})));
    const lock = join(s.root, "var/lib/mastodon-stack/lock");
    const holder = spawn("flock", [lock, "sleep", "30"], { stdio: "ignore" });
    try {
      for (let i = 0; i < 50 && spawnSync("flock", ["-n", lock, "true"]).status === 0; i++) await new Promise((res) => setTimeout(res, 100));
      const r = s.run(input({ packages: ["nginx"] }), { MASTODON_CONVERGE_LOCK_WAIT: "1" });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /has held .*\/lock for 1 s/);
      assert.deepEqual(applies(s.calls(), "install"), []);
    } finally {
      holder.kill();
    }
  });

  it("refuses a damaged or hostile input before doing anything", (t) => {
    const s = setup(t);
    if (!s) return;
    const good = input({ sources: [source()], packages: ["nginx"] });
    const cases: [string, RegExp][] = [
      [good.replace("end\n", ""), /truncated/],
      [good.replace(FPR.a, FPR.a.slice(8)), /refusing fingerprint/],
      [good.replace(NODE_LIST, "/etc/apt/apt.conf.d/99evil"), /refusing source file/],
      [good.replace(NODE_KEYRING, "/etc/apt/trusted.gpg.d/x.gpg"), /refusing keyring/],
      [good.replace("https://keys.example/a.asc", "http://keys.example/a.asc"), /refusing key URL/],
      [good.replace("package\tnginx", "package\t-oAPT::Foo=1"), /refusing package line/],
      ["mastodon-packages 2\nend\n", /not a version-1/],
    ];
    for (const [text, error] of cases) {
      const r = s.run(text);
      assert.equal(r.status, 1, text);
      assert.match(r.stderr, error);
    }
    assert.deepEqual(s.calls().filter((c) => !c.startsWith("dpkg-query")), []);
  });

  it("reads what the plan renders: a 4.5 host missing one package, a 4.6 app host's NodeSource source", (t) => {
    const s = setup(t);
    if (!s) return;
    const web = examplePlan("hobby").hosts.find((h) => h.name === "web")!.packages;
    s.setInstalled(Object.fromEntries(web.packages.filter((p) => p !== "nginx").map((p) => [p, "1"])));
    const r = s.run(web.input);
    ok(r);
    assert.deepEqual(packagesSummary(r.stdout), { installed: 1, sources: 0 });
    assert.deepEqual(applies(s.calls(), "install").map((c) => c.split(" ").at(-1)), ["nginx"]);

    const v46 = buildPlan(parseStack(edited("hobby", (d) => (d.mastodon.version = "v4.6.5")), "hobby.yaml")).hosts.find((h) => h.name === "web")!.packages;
    // The same input with the test key's fingerprint in place of NodeSource's (its real key is not here).
    s.serveKey("nodesource-repo.gpg.key", KEY.a);
    s.setInstalled({ ...Object.fromEntries(web.packages.map((p) => [p, "1"])), ...DEBIAN_APP });
    ok(s.run(v46.input.replace(v46.sources[0]!.fingerprint, FPR.a)));
    assert.equal(readFileSync(join(s.root, NODE_LIST), "utf8"), v46.sources[0]!.content);
    assert.equal(s.installed().nodejs, "24.11.1-1nodesource1");
  });
});
