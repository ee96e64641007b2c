// What the rendered units say against what the capacity plan decided: Sidekiq sizes and
// queues, one scheduler, streaming ports, one maintenance host, deterministic output.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlan, type Plan } from "../../src/plan";
import { scheduleFor } from "../../src/plan/render/systemd/schedule";
import type { HostFile, PlannedHost } from "../../src/plan/types";
import { loadStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";

const UNIT_DIR = "/etc/systemd/system/";

/** A unit file as section → [key, value] pairs, in order (keys repeat in systemd). */
function parseUnit(content: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const raw of content.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(current && eq > 0, `not a key=value line inside a section: ${line}`);
    current.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return sections;
}

function values(unit: Map<string, [string, string][]>, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

function environment(unit: Map<string, [string, string][]>): Map<string, string> {
  return new Map(values(unit, "Service", "Environment").map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

function unitFiles(host: PlannedHost): HostFile[] {
  return host.files.filter((f) => f.path.startsWith(UNIT_DIR));
}

function unitNamed(host: PlannedHost, name: string): Map<string, [string, string][]> {
  const file = host.files.find((f) => f.path === UNIT_DIR + name);
  assert.ok(file, `${host.name} has no ${name}`);
  return parseUnit(file.content);
}

for (const name of EXAMPLES) {
  const plan: Plan = examplePlan(name);

  test(`${name}: each Sidekiq unit runs its planned threads and queues with DB_POOL = -c ≤ 25`, () => {
    let units = 0;
    for (const host of plan.hosts) {
      const planned = host.processes.filter((p) => p.kind === "sidekiq");
      const files = unitFiles(host).filter((f) => /\/mastodon-sidekiq-[^/]+\.service$/.test(f.path));
      assert.deepEqual(files.map((f) => f.path.slice(UNIT_DIR.length)).sort(), planned.map((p) => p.unit).sort(), `${host.name}: one unit per planned Sidekiq process`);
      for (const p of planned) {
        const unit = unitNamed(host, p.unit);
        const [exec] = values(unit, "Service", "ExecStart");
        const args = exec!.split(/\s+/);
        const threads = Number(args[args.indexOf("-c") + 1]);
        const queues = args.flatMap((a, i) => (a === "-q" ? [args[i + 1]!] : []));
        const pool = Number(environment(unit).get("DB_POOL"));
        assert.equal(threads, pool, `${host.name} ${p.unit}: -c ${threads} but DB_POOL=${pool}`);
        assert.ok(threads >= 1 && threads <= 25, `${host.name} ${p.unit}: -c ${threads}`);
        assert.equal(threads, p.threads, `${p.unit}: -c differs from the plan`);
        assert.deepEqual(queues, p.queues, `${p.unit}: queues differ from the plan (order is priority)`);
        units++;
      }
    }
    assert.ok(units > 0, "every example runs Sidekiq somewhere");
  });

  test(`${name}: exactly one unit in the stack takes the scheduler queue`, () => {
    const withScheduler = plan.hosts.flatMap((h) =>
      unitFiles(h)
        .filter((f) => values(parseUnit(f.content), "Service", "ExecStart").some((e) => /(^|\s)-q scheduler(\s|$)/.test(e)))
        .map((f) => `${h.name}:${f.path}`),
    );
    assert.equal(withScheduler.length, 1, `units with -q scheduler: ${withScheduler.join(", ")}`);
  });

  test(`${name}: streaming instances are exactly the planned ports`, () => {
    for (const host of plan.hosts) {
      const ports = host.processes.filter((p) => p.kind === "streaming").map((p) => p.port);
      const template = host.files.find((f) => f.path === `${UNIT_DIR}mastodon-streaming@.service`);
      if (ports.length === 0) {
        assert.equal(template, undefined, `${host.name} runs no streaming but has the unit`);
        continue;
      }
      assert.ok(template, `${host.name}: no streaming template unit`);
      assert.equal(environment(parseUnit(template.content)).get("PORT"), "%i", "the instance name is the port");
      const wanted = values(unitNamed(host, "mastodon.target"), "Unit", "Wants").flatMap((u) => /^mastodon-streaming@(\d+)\.service$/.exec(u)?.[1] ?? []).map(Number);
      const restarted = template.after.flatMap((a) => (a.kind === "restart" ? (/@(\d+)\.service$/.exec(a.unit)?.[1] ?? []) : [])).map(Number);
      assert.deepEqual(wanted.sort(), [...ports].sort(), `${host.name}: mastodon.target wants other instances`);
      assert.deepEqual(restarted.sort(), [...ports].sort(), `${host.name}: a template change restarts other instances`);
    }
  });

  test(`${name}: web unit carries the planned Puma sizing`, () => {
    for (const host of plan.hosts) {
      const web = host.processes.find((p) => p.kind === "web");
      if (!web) continue;
      const unit = unitNamed(host, "mastodon-web.service");
      const env = environment(unit);
      assert.equal(Number(env.get("WEB_CONCURRENCY")), web.workers);
      assert.equal(Number(env.get("MAX_THREADS")), web.threads);
      assert.equal(Number(env.get("DB_POOL")), web.dbPool);
      assert.equal(values(unit, "Service", "ExecReload").length, 1, "USR1 stays available to admins (a hot restart of the running release)");
      const file = host.files.find((f) => f.path === `${UNIT_DIR}mastodon-web.service`)!;
      assert.ok(file.after.some((a) => a.kind === "restart" && a.unit === "mastodon-web.service"), "a changed web unit restarts Puma: USR1 would keep the old environment");
    }
  });

  test(`${name}: timers run on exactly one host, the first that runs Sidekiq`, () => {
    const withTimers = plan.hosts.filter((h) => unitFiles(h).some((f) => f.path.endsWith(".timer")));
    const spec0 = loadStack(join(ROOT, "stacks", `${name}.yaml`));
    // Backups and the search refresh are the only scheduled jobs: a stack with neither has no timer.
    if (!spec0.backups && plan.services.search.kind === "off") {
      assert.deepEqual(withTimers.map((h) => h.name), []);
      return;
    }
    assert.equal(withTimers.length, 1, `hosts with timers: ${withTimers.map((h) => h.name).join(", ")}`);
    const first = plan.hosts.find((h) => h.processes.some((p) => p.kind === "sidekiq"));
    assert.equal(withTimers[0]!.name, first?.name);
    const timers = unitFiles(withTimers[0]!).filter((f) => f.path.endsWith(".timer"));
    for (const t of timers) {
      const unit = parseUnit(t.content);
      assert.deepEqual(values(unit, "Timer", "Persistent"), ["true"], `${t.path}`);
      assert.equal(values(unit, "Timer", "RandomizedDelaySec").length, 1, `${t.path}`);
      assert.ok(t.after.some((a) => a.kind === "enable" && t.path.endsWith(a.unit)), `${t.path} is enabled`);
    }
    const names = timers.map((t) => t.path.slice(UNIT_DIR.length));
    assert.equal(names.includes("mastodon-search-deploy.timer"), plan.services.search.kind !== "off");
    const spec = loadStack(join(ROOT, "stacks", `${name}.yaml`));
    assert.equal(names.includes("mastodon-backup.timer"), spec.backups !== undefined);
    const script = withTimers[0]!.files.find((f) => f.path === "/usr/local/sbin/mastodon-backup");
    assert.equal(script?.mode, spec.backups ? "0750" : undefined);
  });

  test(`${name}: unit files hold no secrets; the backup keys file is 0600`, () => {
    for (const host of plan.hosts) {
      for (const f of unitFiles(host)) assert.deepEqual(f.secrets, [], `${host.name} ${f.path}`);
      const keys = host.files.find((f) => f.path === "/etc/mastodon/backup.env");
      if (keys) assert.equal(keys.mode, "0600");
    }
  });

  // EnvironmentFile= overrides Environment=: a per-unit value in env.production would win.
  test(`${name}: env.production leaves the per-unit variables to the units`, () => {
    for (const host of plan.hosts) {
      const env = host.files.find((f) => f.path === "/etc/mastodon/env.production");
      if (!env) continue;
      const keys = env.content.split("\n").map((l) => l.split("=")[0]!.trim());
      for (const k of ["PORT", "DB_POOL", "WEB_CONCURRENCY", "MAX_THREADS"]) assert.ok(!keys.includes(k), `${host.name}: env.production sets ${k}`);
    }
  });

  test(`${name}: rendering is deterministic`, () => {
    const again = () => buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    const units = (p: Plan) => p.hosts.map((h) => h.files.filter((f) => f.path.startsWith(UNIT_DIR) || f.path.includes("mastodon-backup")));
    assert.deepEqual(units(again()), units(again()));
    assert.deepEqual(units(again()), units(plan));
  });
}

test("backup intervals become calendar or monotonic timers", () => {
  assert.deepEqual(scheduleFor("4h").lines, ["OnCalendar=*-*-* 00/4:00:00"]);
  assert.deepEqual(scheduleFor("24h").lines, ["OnCalendar=*-*-* 02:00:00"]);
  assert.deepEqual(scheduleFor("1d").lines, ["OnCalendar=*-*-* 02:00:00"]);
  assert.deepEqual(scheduleFor("30m").lines, ["OnCalendar=*-*-* *:00/30:00"]);
  assert.deepEqual(scheduleFor("5h").lines, ["OnBootSec=15min", "OnUnitActiveSec=300min"]);
  assert.deepEqual(scheduleFor("2d").lines, ["OnBootSec=15min", "OnUnitActiveSec=2880min"]);
  assert.equal(scheduleFor("4h").randomizedDelay, "15min");
  assert.equal(scheduleFor("30m").randomizedDelay, "3min");
});

test("no timer deletes content: retention is the admin's (Content retention), never a fixed --days", () => {
  // prod has managed search: its weekly `search deploy` is the tootctl job left to check.
  const plans = EXAMPLES.map((n) => examplePlan(n));
  let services = 0;
  for (const plan of plans) {
    for (const host of plan.hosts) {
      for (const f of unitFiles(host).filter((x) => /mastodon-[a-z-]+\.service$/.test(x.path))) {
        const exec = values(parseUnit(f.content), "Service", "ExecStart").join(" ");
        if (!exec.includes("tootctl")) continue;
        services++;
        assert.doesNotMatch(exec, /tootctl (media remove|preview_cards remove|statuses remove|accounts prune|accounts cull)/, f.path);
        assert.doesNotMatch(exec, /--days/, f.path);
      }
      // Migrations and the admin account read it on the maintenance host, jobs or none.
      const maintenance = plan.hosts.find((h) => h.processes.some((p) => p.kind === "sidekiq"));
      assert.equal(host.files.some((f) => f.path.endsWith("/env.maintenance")), host.name === maintenance?.name, `${host.name}: env.maintenance`);
    }
  }
  assert.ok(services >= 1, "the search refresh must still be checked");
});
