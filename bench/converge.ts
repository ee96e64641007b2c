// npm run bench (part 2): the converge step for the prod stack's largest host bundle over a real
// sshd on loopback — first run into an empty root, then unchanged re-runs — and, at the Pulumi
// level, how many command resources an unchanged second program run would change (target 0).
// Needs root and openssh-server (as the e2e tests); prints a note and exits 0 without them.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { bundleText } from "../src/components/host/bundle";
import { CONVERGE_PATH, convergeCommand, convergeScript, installScriptCommand } from "../src/components/host/commands";
import { buildPlan } from "../src/plan";
import { fillPlaceholders } from "../src/plan/render/placeholders";
import { runOffline } from "../src/program/offline";
import { loadStack } from "../src/spec/load";
import { startSshd } from "../test/helpers/sshd";
import { ensureSystemUsers } from "../test/helpers/users";

const RERUNS = 5;

async function pulumiLevel(): Promise<void> {
  const spec = loadStack(join(__dirname, "..", "stacks", "prod.yaml"));
  const plan = buildPlan(spec);
  const a = await runOffline(spec, plan);
  const b = await runOffline(spec, plan);
  const commands = (r: typeof a) => new Map(r.resources.filter((x) => x.type === "command:remote:Command").map((x) => [x.urn, JSON.stringify(x.inputs)]));
  const ca = commands(a);
  const cb = commands(b);
  const changed = [...ca].filter(([urn, inputs]) => cb.get(urn) !== inputs).length;
  const hashes = Object.keys(a.bundleHashes).filter((h) => a.bundleHashes[h] !== b.bundleHashes[h]).length;
  console.log(`pulumi level, prod unchanged: ${changed} of ${ca.size} command resources with different inputs, ${hashes} of ${Object.keys(a.bundleHashes).length} bundle triggers changed → nothing runs remotely`);
}

async function scriptLevel(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log("converge over ssh: skipped (needs root to start sshd and chown files)");
    return;
  }
  const plan = buildPlan(loadStack(join(__dirname, "..", "stacks", "prod.yaml")));
  const fill = (c: string) => fillPlaceholders(c, (kind, name) => (kind === "secret" ? `bench-secret-${name}` : kind === "output" && name.startsWith("address.") ? "10.10.0.9" : `bench-${name}`));
  const bundles = plan.hosts.map((h) => ({ host: h.name, files: h.files.length, text: bundleText(h.files.map((f) => ({ ...f, content: fill(f.content) }))) }));
  const largest = bundles.sort((x, y) => y.text.length - x.text.length)[0]!;
  ensureSystemUsers(["mastodon", "postgres", "redis"]);
  const base = mkdtempSync(join(tmpdir(), "converge-bench-"));
  chmodSync(base, 0o755);
  const root = join(base, "root");
  const stub = join(base, "bin");
  mkdirSync(stub, { recursive: true });
  // Service management is not what is measured: stand-ins that only succeed.
  for (const name of ["systemctl", "update-ca-certificates", "nginx"]) {
    // Units count as stopped (is-active → 3), so no health check waits.
    writeFileSync(join(stub, name), name === "systemctl" ? '#!/bin/sh\n[ "$1" = is-active ] && exit 3\nexit 0\n' : "#!/bin/sh\nexit 0\n");
    chmodSync(join(stub, name), 0o755);
  }
  const sshd = await startSshd();
  try {
    sshd.exec(installScriptCommand(join(root, CONVERGE_PATH)), convergeScript());
    const run = () => {
      const t0 = performance.now();
      const r = sshd.exec(`PATH=${stub}:$PATH ${convergeCommand(root)}`, largest.text);
      if (r.code !== 0) throw new Error(r.stderr);
      return { ms: performance.now() - t0, summary: r.stdout.trim().split("\n").pop() };
    };
    const sshOnly = () => {
      const t0 = performance.now();
      sshd.exec("true");
      return performance.now() - t0;
    };
    const first = run();
    const again = Array.from({ length: RERUNS }, run);
    const ssh = Array.from({ length: RERUNS }, sshOnly).sort((x, y) => x - y)[Math.floor(RERUNS / 2)]!;
    const median = again.map((x) => x.ms).sort((x, y) => x - y)[Math.floor(RERUNS / 2)]!;
    console.log(`converge over loopback ssh, prod ${largest.host} (${largest.files} files, ${largest.text.length.toLocaleString("en-US")} bytes):`);
    console.log(`  first run   ${first.ms.toFixed(0).padStart(5)} ms  ${first.summary}`);
    console.log(`  re-run      ${median.toFixed(0).padStart(5)} ms  median of ${RERUNS} (ssh login alone ${ssh.toFixed(0)} ms)  ${again[0]!.summary}`);
  } finally {
    sshd.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

void (async () => {
  await pulumiLevel();
  await scriptLevel();
})();
