// The rendered units checked by systemd itself: `systemd-analyze verify` against a root tree
// holding the units and stub executables, `systemd-analyze security --offline` for every
// service (exposure ≤ 1.5), and shellcheck on the backup script.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { buildPlan, type Plan } from "../../src/plan";
import type { PlannedHost } from "../../src/plan/types";
import { loadStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";
import { requireTool, shellcheck } from "../helpers/tools";
import { fillPlaceholders } from "../../src/plan/render/placeholders";

const UNIT_DIR = "/etc/systemd/system/";
const MAX_EXPOSURE = 1.5;
const SYSTEM_UNITS = ["/usr/lib/systemd/system", "/lib/systemd/system"].find((d) => existsSync(join(d, "multi-user.target")));

/** single.yaml with its backups written to a local directory instead of S3. */
function localBackupPlan(): Plan {
  const spec = loadStack(join(ROOT, "stacks", "single.yaml"));
  return buildPlan({ ...spec, backups: { every: "4h", keepDays: 7, target: { local: { path: "/var/backups/mastodon" } } } });
}

const PLANS: [string, () => Plan][] = [...EXAMPLES.map((n): [string, () => Plan] => [n, () => examplePlan(n)]), ["single+local-backup", localBackupPlan]];

interface Root {
  dir: string;
  /** Unit names to check, template units replaced by their planned instances. */
  units: string[];
  services: string[];
}

function stub(dir: string, path: string): void {
  const file = join(dir, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "#!/bin/sh\nexit 0\n");
  chmodSync(file, 0o755);
}

/** A root tree with the host's units, systemd's own targets and slices, and stubs for every command. */
function buildRoot(host: PlannedHost, extra: Record<string, string> = {}): Root {
  const dir = mkdtempSync(join(tmpdir(), `systemd-${host.name}-`));
  const unitDir = join(dir, "usr/lib/systemd/system");
  mkdirSync(unitDir, { recursive: true });
  for (const f of readdirSync(SYSTEM_UNITS!)) if (/\.(target|slice)$/.test(f)) cpSync(join(SYSTEM_UNITS!, f), join(unitDir, f), { dereference: true });
  const units: string[] = [];
  const standIns = new Set<string>();
  // Markers are filled as the program fills them: addresses become VPC addresses, secrets text.
  const fill = (c: string) => fillPlaceholders(c, (kind, name) => (kind === "output" && name.startsWith("address.") ? "10.10.0.9" : `test-${name}`));
  const files = host.files.filter((f) => f.path.startsWith(UNIT_DIR)).map((f) => [f.path.slice(UNIT_DIR.length), fill(f.content)] as const);
  for (const [name, content] of [...files, ...Object.entries(extra)]) {
    const path = join(dir, UNIT_DIR, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    for (const m of content.matchAll(/^Exec[A-Za-z]+=[-@:+!]*(\/\S+)/gm)) stub(dir, m[1]!);
    const dropIn = /^(.+)\.d\/[^/]+\.conf$/.exec(name);
    if (dropIn) {
      // A drop-in for a unit a package ships (postgresql@.service, certbot.service): a stand-in
      // for that unit, so verify loads the drop-in with it.
      const owner = dropIn[1]!;
      const ownerPath = join(dir, UNIT_DIR, owner);
      if (!existsSync(ownerPath)) writeFileSync(ownerPath, "[Service]\nExecStart=/bin/true\n");
      stub(dir, "/bin/true");
      const unit = owner.endsWith("@.service") ? owner.replace("@.service", "@verify.service") : owner;
      units.push(unit);
      standIns.add(unit);
    } else if (name.endsWith("@.service")) {
      const base = name.slice(0, -"@.service".length);
      units.push(...host.processes.filter((p) => p.unit.startsWith(`${base}@`)).map((p) => p.unit));
    } else units.push(name);
  }
  return { dir, units, services: units.filter((u) => u.endsWith(".service") && !standIns.has(u)) };
}

function analyze(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("systemd-analyze", args, { encoding: "utf8", timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function exposures(root: Root): Map<string, number> {
  const r = analyze(["security", "--offline=yes", `--root=${root.dir}`, "--no-pager", ...root.services]);
  assert.equal(r.status, 0, r.output);
  return new Map([...r.output.matchAll(/Overall exposure level for (\S+): (\d+(?:\.\d+)?)/g)].map((m) => [m[1]!, Number(m[2])]));
}

function gate(t: TestContext): boolean {
  if (!requireTool(t, "systemd-analyze", "systemd")) return false;
  assert.ok(SYSTEM_UNITS, "systemd's unit directory (multi-user.target) not found");
  return true;
}

for (const [name, planOf] of PLANS) {
  test(`${name}: systemd-analyze verify accepts every unit`, (t) => {
    if (!gate(t)) return;
    for (const host of planOf().hosts) {
      const root = buildRoot(host);
      try {
        if (root.units.length === 0) continue;
        const r = analyze(["verify", `--root=${root.dir}`, ...root.units]);
        const ours = r.output.split("\n").filter((l) => /mastodon/.test(l));
        assert.deepEqual(ours, [], `${host.name}: systemd-analyze verify complained:\n${r.output}`);
        assert.equal(r.status, 0, `${host.name}: verify exited ${r.status}:\n${r.output}`);
      } finally {
        rmSync(root.dir, { recursive: true, force: true });
      }
    }
  });

  test(`${name}: every service's exposure is ≤ ${MAX_EXPOSURE}`, (t) => {
    if (!gate(t)) return;
    for (const host of planOf().hosts) {
      const root = buildRoot(host);
      try {
        if (root.services.length === 0) continue;
        const scores = exposures(root);
        assert.deepEqual([...scores.keys()].sort(), [...root.services].sort(), "one score per service");
        for (const [unit, score] of scores) {
          console.log(`exposure ${name}/${host.name} ${unit}: ${score}`);
          assert.ok(score <= MAX_EXPOSURE, `${host.name} ${unit}: exposure ${score} > ${MAX_EXPOSURE}`);
        }
      } finally {
        rmSync(root.dir, { recursive: true, force: true });
      }
    }
  });
}

// The checks above only mean something if the same tools flag a broken unit.
test("control: verify flags a bad key and a missing command; security scores an unhardened unit high", (t) => {
  if (!gate(t)) return;
  const host = examplePlan("prod").hosts.find((h) => h.processes.some((p) => p.kind === "web"))!;
  const web = host.files.find((f) => f.path === `${UNIT_DIR}mastodon-web.service`)!.content;
  const broken = web.replace("[Service]\n", "[Service]\nRestartt=always\nExecStartPost=/opt/missing/bin/thing\n");
  const bare = web.replace(/\n# Sandbox[\s\S]*?\n\n\[Install\]/, "\n\n[Install]");
  assert.notEqual(bare, web, "the sandbox block was not found to strip");
  const root = buildRoot({ ...host, files: [], processes: [] }, { "broken.service": broken, "bare.service": bare });
  try {
    rmSync(join(root.dir, "opt/missing/bin/thing"));
    const v = analyze(["verify", `--root=${root.dir}`, "broken.service"]);
    assert.match(v.output, /Restartt/);
    assert.match(v.output, /\/opt\/missing\/bin\/thing/);
    const scores = exposures({ ...root, services: ["bare.service"] });
    assert.ok((scores.get("bare.service") ?? 0) > 5, `unhardened unit scored ${scores.get("bare.service")}`);
  } finally {
    rmSync(root.dir, { recursive: true, force: true });
  }
});

test("the backup script passes shellcheck (S3 and local targets)", (t) => {
  const check = shellcheck(t);
  if (!check) return;
  let checked = 0;
  for (const [name, planOf] of PLANS) {
    for (const host of planOf().hosts) {
      const script = host.files.find((f) => f.path === "/usr/local/sbin/mastodon-backup");
      if (!script) continue;
      assert.equal(check(script.content, { shell: "bash", severity: "style" }), "", `${name}/${host.name}: shellcheck`);
      checked++;
    }
  }
  assert.ok(checked >= 3, `only ${checked} backup scripts rendered`);
});
