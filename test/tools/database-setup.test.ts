// The first-install SQL against a real PostgreSQL: the role gets the generated password and owns
// its database, and running it again (a re-run, a rotated password) changes nothing else.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { selfHostedCommand, selfHostedInput, selfHostedSql } from "../../src/components/host/database-setup";
import { freePort } from "./data-tier-lab";
import { IN_CI } from "../helpers/tools";

function pgBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const v = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return v ? join(root, v, "bin") : undefined;
}

test("role and database from the setup SQL: password login, ownership, idempotent", async (t) => {
  const bin = pgBin();
  const asRoot = process.getuid?.() === 0;
  if (!bin || !asRoot) {
    const msg = !bin ? "PostgreSQL is not installed: run `apt-get update && apt-get install -y postgresql`" : "needs root (initdb runs as the postgres user)";
    if (IN_CI) throw new Error(msg);
    t.skip(msg);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "pg-setup-"));
  chmodSync(dir, 0o755);
  execFileSync("chown", ["postgres:postgres", dir]);
  const port = String(await freePort());
  const asPg = (cmd: string, args: string[], input?: string) => spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { input, encoding: "utf8", timeout: 60_000 });
  try {
    assert.equal(asPg(`${bin}/initdb`, ["-D", `${dir}/data`, "-U", "postgres", "--auth-local=peer", "--auth-host=scram-sha-256", "--no-sync"]).status, 0);
    const started = asPg(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-w", "-l", `${dir}/log`, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, "start"]);
    assert.equal(started.status, 0, started.stderr);
    // The program's own command and stdin (its psql from PATH reaches this cluster through PGHOST/PGPORT).
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PGHOST: dir, PGPORT: port };
    const run = (pw: string, sql = selfHostedSql("mastodon", "mastodon_production")) =>
      spawn("bash", ["-c", selfHostedCommand()], { env, stdio: ["pipe", "pipe", "pipe"] }).on("spawn", function (this: ReturnType<typeof spawn>) {
        this.stdin!.end(selfHostedInput(pw, sql));
      });
    const setup = (pw: string) => new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = run(pw);
      let stderr = "";
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (status) => resolve({ status, stderr }));
    });
    const login = (pw: string) =>
      spawnSync(`${bin}/psql`, ["-X", "-At", `host=127.0.0.1 port=${port} user=mastodon dbname=mastodon_production password=${pw}`, "-c", "SELECT current_user, (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())"], { encoding: "utf8" });
    for (const pw of ["first0password1abc", "first0password1abc", "rotated2password3xyz"]) {
      const r = await setup(pw);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(login(pw).stdout.trim(), "mastodon|mastodon");
    }
    assert.notEqual(login("first0password1abc").status, 0, "the old password still works after rotation");
    assert.equal((await setup("rotated2password3xyz")).status, 0);
    // Every process list another user can read during the setup lacks the password.
    const secret = "watched4password5qrs";
    const slow = run(secret, `${selfHostedSql("mastodon", "mastodon_production")}SELECT pg_sleep(1.5);\n`);
    const done = new Promise((resolve) => slow.on("close", resolve));
    let looks = 0;
    let sawPsql = false;
    for (let i = 0; i < 12; i++, looks++) {
      const ps = spawnSync("runuser", ["-u", "nobody", "--", "ps", "-eo", "args"], { encoding: "utf8" }).stdout;
      sawPsql ||= ps.includes("psql -X -q -v ON_ERROR_STOP=1");
      assert.ok(!ps.includes(secret), `ps as nobody shows the password:\n${ps.split("\n").filter((l) => l.includes(secret)).join("\n")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await done;
    assert.ok(sawPsql, `psql never showed up in ${looks} looks at ps: the check saw nothing`);
    assert.equal(login(secret).stdout.trim(), "mastodon|mastodon");
    // The application user can create tables in public (PostgreSQL 15 no longer lets just anyone).
    const create = spawnSync(`${bin}/psql`, ["-X", `host=127.0.0.1 port=${port} user=mastodon dbname=mastodon_production password=${secret}`, "-c", "CREATE TABLE t (id int)"], { encoding: "utf8" });
    assert.equal(create.status, 0, create.stderr);
  } finally {
    asPg(`${bin}/pg_ctl`, ["-D", `${dir}/data`, "-m", "immediate", "stop"]);
    rmSync(dir, { recursive: true, force: true });
  }
});
