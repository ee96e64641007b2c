// The converge script against the users it configures: as root it writes into directories
// Debian gives to postgres and redis, so whatever those users (or a process running as them)
// plant there must not turn the next converge into a root write elsewhere. Real system users
// own a sandbox tree; the script runs as root on it with the program's bundle; service
// management goes to stubs that record every call.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, lchownSync, lstatSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { bundleText } from "../../src/components/host/bundle";
import { convergeScript } from "../../src/components/host/commands";
import { fillPlaceholders } from "../../src/plan/render/placeholders";
import type { HostFile } from "../../src/plan/types";
import { examplePlan } from "../helpers/plans";
import { IN_CI } from "../helpers/tools";
import { makeSandbox } from "../helpers/sandbox";
import { ensureSystemUsers } from "../helpers/users";

let base = "";
let root = "";
let script = "";
let stub = "";
let log = "";
let files: HostFile[] = [];
const VICTIM = "/etc/victim-root-only";
const PG_CONF = "/etc/postgresql/17/main/conf.d/mastodon.conf";
const REDIS_CONF = "/etc/redis/redis.conf";

function ready(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  const msg = "the converge attack tests run as root (real system users own the sandbox)";
  if (IN_CI) throw new Error(msg);
  t.skip(msg);
  return false;
}

function converge(bundle: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [script, "--root", root], { env: { ...process.env, PATH: `${stub}:${process.env.PATH}` } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(bundle);
  });
}

const as = (user: string, cmd: string) => execFileSync("runuser", ["-u", user, "--", "sh", "-c", cmd], { stdio: "pipe" });
const victim = () => ({ content: readFileSync(join(root, VICTIM), "utf8"), owner: execFileSync("stat", ["-c", "%U %a", join(root, VICTIM)], { encoding: "utf8" }).trim() });
const edit = (path: string, line: string) => (files = files.map((f) => (f.path === path ? { ...f, content: `${f.content}${line}\n` } : f)));
const calls = () => readFileSync(log, "utf8").split("\n").filter(Boolean);

before(async () => {
  if (process.getuid?.() !== 0) return;
  ensureSystemUsers(["mastodon", "postgres", "redis"]);
  ({ base, root, stub, log } = makeSandbox("converge-attacks-"));
  for (const tool of ["systemctl", "update-ca-certificates", "nginx"]) {
    // systemctl also notes which converge called it (its parent), to see whether two runs interleave.
    writeFileSync(join(stub, tool), `#!/bin/bash\necho "${tool} $*" >> ${log}\n${tool === "systemctl" ? `echo $PPID >> ${log}.callers\nsleep 0.2\n[ "$1" != is-active ]` : "exit 0"}\n`, { mode: 0o755 });
  }
  script = join(base, "mastodon-converge");
  writeFileSync(script, convergeScript(), { mode: 0o700 });
  // The data files of single's box (its nginx files need nginx's own tree: the other e2e test).
  files = examplePlan("single").hosts[0]!.files
    .filter((f) => !f.path.startsWith("/etc/nginx/"))
    .map((f) => ({ ...f, content: fillPlaceholders(f.content, (kind, name) => (kind === "secret" ? `test-secret-${name}` : `test-output-${name}`)) }));
  const first = await converge(bundleText(files));
  assert.equal(first.code, 0, first.stderr);
  // As Debian leaves them: the cluster's configuration belongs to postgres, Redis's to redis.
  execFileSync("chown", ["-R", "postgres:postgres", join(root, "etc/postgresql/17")]);
  execFileSync("chown", ["-R", "redis:redis", join(root, "etc/redis")]);
  writeFileSync(join(root, VICTIM), "root's secret\n", { mode: 0o600 });
});

after(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("converge against the users it configures", () => {
  it("postgres's symlinks at every name root might write through leave root's files untouched", async (t) => {
    if (!ready(t)) return;
    // The old script wrote to ".<name>.converge.<pid>" beside the target: plant the next pids.
    const dir = join(root, "etc/postgresql/17/main/conf.d");
    as("postgres", `ln -sf ${join(root, VICTIM)} ${dir}/mastodon.conf`);
    edit(PG_CONF, "# a changed setting");
    // Planted without spawning a process (each would use a pid), owned by postgres as if it made them.
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }));
    const next = Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
    for (let p = next; p < next + 2000; p++) {
      symlinkSync(join(root, VICTIM), `${dir}/.mastodon.conf.converge.${p}`);
      lchownSync(`${dir}/.mastodon.conf.converge.${p}`, uid, uid);
    }
    const r = await converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(victim(), { content: "root's secret\n", owner: "root 600" });
    assert.ok(!lstatSync(join(root, PG_CONF)).isSymbolicLink());
    assert.match(readFileSync(join(root, PG_CONF), "utf8"), /# a changed setting\n$/);
    assert.equal(execFileSync("stat", ["-c", "%U", join(root, PG_CONF)], { encoding: "utf8" }).trim(), "postgres");
    as("postgres", `rm -f ${dir}/.mastodon.conf.converge.*`);
  });

  it("a directory postgres swapped for a symlink is refused, and nothing is written where it points", async (t) => {
    if (!ready(t)) return;
    const main = join(root, "etc/postgresql/17/main");
    const units = join(root, "etc/systemd/system");
    const before = readdirSync(units).sort();
    as("postgres", `mv ${main}/conf.d ${main}/conf.d.away && ln -s ${units} ${main}/conf.d`);
    try {
      edit(PG_CONF, "# another change");
      const r = await converge(bundleText(files));
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^mastodon-converge: refusing ${main}/conf.d/mastodon[a-z-]*\\.conf: ${main}/conf.d is a symbolic link\n$`));
      assert.deepEqual(readdirSync(units).sort(), before);
    } finally {
      as("postgres", `rm ${main}/conf.d && mv ${main}/conf.d.away ${main}/conf.d`);
    }
    const again = await converge(bundleText(files));
    assert.equal(again.code, 0, again.stderr);
  });

  it("redis's symlink at its own config is replaced, never followed", async (t) => {
    if (!ready(t)) return;
    as("redis", `ln -sf ${join(root, VICTIM)} ${join(root, REDIS_CONF)}`);
    const r = await converge(bundleText(files));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(victim(), { content: "root's secret\n", owner: "root 600" });
    assert.ok(lstatSync(join(root, REDIS_CONF)).isFile());
    assert.equal(execFileSync("stat", ["-c", "%U %a", join(root, REDIS_CONF)], { encoding: "utf8" }).trim(), "redis 600");
  });

  it("a bundle entry outside the allowed roots is refused before anything is written", async (t) => {
    if (!ready(t)) return;
    for (const path of ["/etc/cron.d/evil", "/etc/mastodon/../cron.d/evil", "/root/.ssh/authorized_keys"]) {
      const evil: HostFile = { ...files[0]!, path, content: "* * * * * root id\n", after: [] };
      const r = await converge(bundleText([...files, evil]));
      assert.equal(r.code, 1, path);
      assert.match(r.stderr, /not under an allowed root/);
      assert.ok(!existsSync(join(root, "etc/cron.d")) && !existsSync(join(root, "root")), path);
    }
  });

  it("two converges at once both complete, one after the other, and neither's restarts are lost", async (t) => {
    if (!ready(t)) return;
    writeFileSync(log, "");
    edit("/etc/mastodon/env.production", "# first");
    const first = bundleText(files);
    edit("/etc/systemd/system/mastodon-sidekiq-default.service", "# second");
    const second = bundleText(files);
    writeFileSync(`${log}.callers`, "");
    const [a, b] = await Promise.all([converge(first), converge(second)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    // One run's service calls all come before the other's: the second waited for the lock.
    const callers = readFileSync(`${log}.callers`, "utf8").split("\n").filter(Boolean);
    assert.equal(callers.filter((c, i) => i > 0 && c !== callers[i - 1]).length, 1, `the two runs interleaved: ${callers.join(" ")}`);
    const restarted = calls().filter((c) => c.startsWith("systemctl try-restart "));
    assert.ok(restarted.includes("systemctl try-restart mastodon-web.service"), restarted.join("\n"));
    assert.ok(restarted.includes("systemctl try-restart mastodon-sidekiq-default.service"), restarted.join("\n"));
    // Whichever took the lock last left its files; once the host is on `second`, nothing is left
    // over in the journal to run again.
    assert.equal((await converge(second)).code, 0);
    assert.match((await converge(second)).stdout, /converge: changed=0 fixed=0 removed=0 actions=0/);
  });

  it("a killed converge leaves its decoded bundle only in root's state directory, and the next run removes it", async (t) => {
    if (!ready(t)) return;
    const tmpBefore = new Set(readdirSync(tmpdir()));
    edit("/etc/mastodon/env.production", "# killed");
    writeFileSync(join(stub, "systemctl"), `#!/bin/bash\nkill -9 $PPID\n`, { mode: 0o755 });
    const killed = await converge(bundleText(files));
    assert.notEqual(killed.code, 0);
    const run = join(root, "var/lib/mastodon-stack/run");
    assert.equal(execFileSync("stat", ["-c", "%U %a", run], { encoding: "utf8" }).trim(), "root 700");
    assert.deepEqual(readdirSync(tmpdir()).filter((e) => !tmpBefore.has(e) && spawnSync("grep", ["-rqs", "test-secret-", join(tmpdir(), e)]).status === 0), []);
    writeFileSync(join(stub, "systemctl"), `#!/bin/bash\necho "systemctl $*" >> ${log}\n[ "$1" != is-active ]\n`, { mode: 0o755 });
    const next = await converge(bundleText(files));
    assert.equal(next.code, 0, next.stderr);
    assert.ok(!existsSync(run));
  });
});
