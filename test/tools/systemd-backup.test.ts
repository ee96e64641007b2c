// The rendered /usr/local/sbin/mastodon-backup run for real: a PostgreSQL cluster listening on
// 127.0.0.1:5432 inside a private network namespace (so the rendered endpoint is used as is),
// a dump that pg_restore can read, pruning by age, and a clean failure on a bad password.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlan } from "../../src/plan";
import { loadStack } from "../../src/spec/load";
import { ROOT } from "../helpers/plans";
import { IN_CI, requireTool } from "../helpers/tools";

const PG_BIN = ["17", "16", "15"].map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(join(d, "initdb")));

// Runs inside `unshare --net`: only this test's Postgres is on 127.0.0.1:5432 there.
const HARNESS = String.raw`
set -eu
work=$1; bin=$2
ip link set lo up
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$bin/initdb" -D "$work/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=5432 -c unix_socket_directories=$work" start >/dev/null
trap 'as_pg "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null' EXIT
psql -qX -h "$work" -U postgres -c "CREATE ROLE mastodon LOGIN PASSWORD 'right-password'" \
  -c "CREATE DATABASE mastodon_production OWNER mastodon"
PGPASSWORD=right-password psql -qX -h 127.0.0.1 -U mastodon -d mastodon_production \
  -c "CREATE TABLE statuses (id bigint PRIMARY KEY, text text)" -c "INSERT INTO statuses VALUES (1, 'hello')"
touch -d '10 days ago' "$work/backups/mastodon_production-20000101T000000Z.dump" "$work/backups/unrelated.txt"
set +e
as_pg env DB_PASS=right-password "$work/mastodon-backup"; echo "good=$?"
as_pg env DB_PASS=wrong-password "$work/mastodon-backup" 2>/dev/null; echo "bad=$?"
`;

test("mastodon-backup (local target) dumps a real database, prunes by age, fails cleanly", (t) => {
  for (const [bin, pkg] of [["pg_dump", "postgresql-client"], ["pg_restore", "postgresql-client"], ["unshare", "util-linux"], ["runuser", "util-linux"], ["ip", "iproute2"]] as const) {
    if (!requireTool(t, bin, pkg)) return;
  }
  if (!PG_BIN || process.getuid?.() !== 0) {
    const msg = !PG_BIN ? "no PostgreSQL server: apt-get install -y postgresql" : "needs root for a network namespace";
    if (IN_CI) throw new Error(msg);
    t.skip(msg);
    return;
  }
  const work = mkdtempSync("/tmp/mastodon-backup-");
  try {
    chmodSync(work, 0o755);
    const backups = join(work, "backups");
    mkdirSync(backups);
    const spec = loadStack(join(ROOT, "stacks", "single.yaml"));
    const plan = buildPlan({ ...spec, backups: { every: "24h", keepDays: 7, target: { local: { path: backups } } } });
    const script = plan.hosts.flatMap((h) => h.files).find((f) => f.path === "/usr/local/sbin/mastodon-backup");
    assert.ok(script, "no backup script rendered");
    writeFileSync(join(work, "mastodon-backup"), script.content, { mode: 0o755 });
    const pg = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const uid = Number(pg.stdout.trim());
    chownSync(backups, uid, uid);
    mkdirSync(join(work, "data"), { mode: 0o700 });
    chownSync(join(work, "data"), uid, uid);
    chownSync(work, uid, uid);

    const r = spawnSync("unshare", ["--net", "bash", "-c", HARNESS, "harness", work, PG_BIN], { encoding: "utf8", timeout: 60_000 });
    const log = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, log);
    assert.match(r.stdout, /^good=0$/m, `the backup failed:\n${log}`);
    assert.match(r.stdout, /^bad=[1-9]\d*$/m, `a wrong password must fail the run:\n${log}`);

    const left = readdirSync(backups).sort();
    const dumps = left.filter((f) => /^mastodon_production-\d{8}T\d{6}Z\.dump$/.test(f));
    assert.equal(dumps.length, 1, `expected one fresh dump, found: ${left.join(", ")}`);
    assert.ok(!dumps.includes("mastodon_production-20000101T000000Z.dump"), "the 10-day-old dump was not pruned");
    assert.ok(left.includes("unrelated.txt"), "pruning touched a file that is not a dump");
    assert.ok(!left.some((f) => f.endsWith(".partial")), `a partial dump was left: ${left.join(", ")}`);

    const list = spawnSync("pg_restore", ["--list", join(backups, dumps[0]!)], { encoding: "utf8" });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /TABLE public statuses/);
    assert.match(list.stdout, /TABLE DATA public statuses/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
