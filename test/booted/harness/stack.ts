// A whole planned stack on booted hosts: the program run under mocks gives every host's
// rendered user-data, addresses and the commands `pulumi up` would send; each host boots on the
// stack's bridge from the cached Debian 13 root; the commands run against them in the program's
// order. One stack at a time (its bridge holds the network's router address).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Spec } from "../../../src/spec/schema/stack";
import { acmeMode } from "../../../src/plan/render/acme";
import { networkGateway } from "../../../src/plan/render/cloud-init/network";
import { ACME_ENVIRONMENT, startAcme } from "./acme";
import { ensureAptCache, ensureInotifyLimits, ensureRoot } from "./host-tools";
import { Machine, UNSPAWNED } from "./machine";
import { createBridge, type Bridge } from "./network";
import { runProgramForHosts, type ProgramCommand, type ProgramRun } from "./program-commands";
import { describeFailures, runCommands, type CommandResult, type RunReport } from "./runner";
import { ManagedServices, needsManagedStandIn } from "./managed/index";
import { ensureStandInRepo, standInHostFiles, type StandInTag } from "./stand-in-repo";

const WORK = "/var/tmp/mastodon-stack-booted";

/**
 * Certbot's HTTP-01 runs against the harness's Pebble, which resolves the instance's names to the
 * proxy (or to the load balancer in front of the proxies). Without it the proxies keep their
 * first-boot certificate.
 */
const runnableWith = (acme: boolean) => (c: ProgramCommand) => acme || !c.name.endsWith("-certificate");

/** What the stand-in release needs on an app host besides what the release's bundle would bring (Debian's puma and pg). */
const STAND_IN_GEMS = ["puma", "ruby-pg"];

export interface Timings {
  rootBuild: number;
  rootUnpack: number;
  standIn: number;
  program: number;
  boot: Record<string, number>;
  /** First boot per host name: cloud-init with every package, until the program's boot wait returns. */
  cloudInit: Record<string, number>;
  /** The program's commands by name: seconds each took. */
  commands: Record<string, number>;
}

export interface BootedStack {
  spec: Spec;
  program: ProgramRun;
  machines: Record<string, Machine>;
  bridge: Bridge;
  timings: Timings;
  keyFile: string;
  log: string[];
  /** What each of the program's commands printed the last time it ran, by name. */
  outputs: Record<string, string>;
  /** The provider's managed services and load balancer, stood in on a machine of their own. */
  managed?: { services: ManagedServices; machine: Machine };
  /** Runs the program's commands (all, or those `only` keeps); throws with every failure's output unless allowFailure. */
  apply(only?: (c: ProgramCommand) => boolean, allowFailure?: boolean): Promise<RunReport>;
  /** Re-runs the program for a changed spec (same key, same hosts) and returns its commands. */
  replan(spec: Spec): Promise<ProgramRun>;
  /** `pulumi up --replace` of these hosts' boot commands: their keys are reported and pinned again. */
  repin(hosts: readonly string[]): Promise<void>;
  teardown(): Promise<void>;
}

export async function bootStack(spec: Spec, opts: { id: string; tags: readonly StandInTag[] }): Promise<BootedStack> {
  const timings: Timings = { rootBuild: 0, rootUnpack: 0, standIn: 0, program: 0, boot: {}, cloudInit: {}, commands: {} };
  const log: string[] = [];
  await ensureAptCache();
  ensureInotifyLimits();
  const root = ensureRoot();
  timings.rootBuild = root.buildSeconds;
  timings.rootUnpack = root.unpackSeconds;
  let t0 = Date.now();
  const standIn = ensureStandInRepo(opts.tags);
  timings.standIn = (Date.now() - t0) / 1000;

  const dir = join(WORK, opts.id);
  await cleanupLeftovers(opts.id, dir, networkGateway(spec.network.privateCidr));
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "booted-host-harness", "-f", keyFile]);
  const privateKey = readFileSync(keyFile, "utf8");
  const publicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();

  t0 = Date.now();
  const services = needsManagedStandIn(spec) ? new ManagedServices(spec) : undefined;
  // What each host's boot command printed (its SSH host key), once the hosts have booted.
  const reports: Record<string, string> = {};
  let program = await runProgramForHosts(spec, privateKey, services?.computed);
  services?.configure(program);
  timings.program = (Date.now() - t0) / 1000;
  const addresses = program.offline.hostAddresses;
  const publicAddresses = [...Object.values(addresses).flatMap((a) => (a.publicIpv4 ? [a.publicIpv4] : [])), ...(services?.balancer ? [services.balancerAddress] : [])];
  const bridge = createBridge(`mstk-${opts.id}`.slice(0, 15), spec.network.privateCidr, publicAddresses);
  const proxy = program.plan.hosts.find((h) => h.roles.includes("proxy"));
  const proxyAddress = services?.balancer ? services.balancerAddress : proxy && (addresses[proxy.name]?.publicIpv4 ?? addresses[proxy.name]?.privateAddress);
  const acme = acmeMode(spec).kind === "http-01" && proxyAddress ? await startAcme(join(dir, "acme"), bridge.gateway, proxyAddress) : undefined;
  const runnable = runnableWith(acme !== undefined);
  const machines: Record<string, Machine> = {};
  for (const host of program.plan.hosts) {
    const a = addresses[host.name]!;
    const userData = serverUserData(program, host.name, a.privateAddress);
    machines[host.name] = new Machine({
      name: host.name,
      machine: `${opts.id}-${host.name}`,
      address: a.privateAddress,
      ...(a.publicIpv4 ? { extraAddresses: [a.publicIpv4] } : {}),
      bridge,
      rootDir: root.dir,
      workDir: dir,
      userData,
      publicKey,
      privateKeyFile: keyFile,
      binds: standIn.binds,
      files: [...standInHostFiles(acme ? [ACME_ENVIRONMENT] : []), ...(acme?.hostFiles ?? []), ...(services?.environmentFiles(root.dir) ?? [])],
      ...(host.volumeGb !== undefined ? { volume: { byId: VOLUME_BY_ID[spec.provider.cloud], sizeMb: 2048 } } : {}),
    });
  }
  const managed = services && {
    services,
    machine: new Machine({
      name: "managed", machine: `${opts.id}-managed`, address: services.addresses.pg, extraAddresses: services.extraAddresses(bridge.prefix),
      bridge, rootDir: root.dir, workDir: dir, userData: services.userData(), publicKey, privateKeyFile: keyFile,
      files: [...services.environmentFiles(root.dir), ...services.machineFiles()],
    }),
  };
  await Promise.all([...Object.values(machines), ...(managed ? [managed.machine] : [])].map(async (m) => (timings.boot[m.name] = await bootWhole(m, log))));

  const stack: BootedStack = {
    spec,
    program,
    machines,
    bridge,
    timings,
    keyFile,
    log,
    outputs: {},
    ...(managed ? { managed } : {}),
    async apply(only, allowFailure = false) {
      const report = await runCommands(stack.program.commands, { keyDir: dir, only: (c) => runnable(c) && (only ? only(c) : true), log: (l) => log.push(`${new Date().toISOString()} ${l}`) });
      for (const r of report.results) {
        timings.commands[r.name] = r.seconds;
        stack.outputs[r.name] = r.stdout;
      }
      if (!allowFailure && (report.failed.length > 0 || report.skipped.length > 0)) throw new Error(describeFailures(report));
      return report;
    },
    async replan(next) {
      stack.spec = next;
      program = stack.program = await runProgramForHosts(next, privateKey, services?.computed, reports);
      services?.configure(program);
      return program;
    },
    async repin(hosts) {
      const boots = new Set(hosts.map((h) => `${spec.name}-host-${h}-boot`));
      const report = await stack.apply((c) => boots.has(c.name));
      for (const r of report.results) reports[r.name] = r.stdout;
      await stack.replan(stack.spec);
    },
    async teardown() {
      await Promise.all([...Object.values(machines), ...(managed ? [managed.machine] : [])].map((m) => m.destroy()));
      acme?.stop();
      bridge.remove();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // First boot (cloud-init) through the program's own wait command; then the stand-in's gems
  // on app hosts (what `bundle install` would fetch for a real release), then everything else.
  const [first] = await Promise.all([bootInWaves(stack, reports), managed && standInReady(managed.machine)]);
  for (const c of stack.program.commands.filter((x) => x.name.endsWith("-boot"))) {
    const host = Object.values(machines).find((m) => m.address === c.connection.host || addresses[m.name]?.publicIpv4 === c.connection.host);
    const r = first.find((x) => x.name === c.name);
    if (host && r) timings.cloudInit[host.name] = r.seconds;
  }
  // The console can lag behind SSH: what failed to spawn after the first check is started again now.
  for (const m of [...Object.values(machines), ...(managed ? [managed.machine] : [])]) {
    for (const u of await m.respawnUnspawned()) log.push(`${new Date().toISOString()} ${m.name}: ${u} could not be spawned at first boot (container runtime): started it again`);
  }
  const appHosts = program.plan.hosts.filter((h) => h.processes.length > 0);
  await Promise.all(appHosts.map(async (h) => {
    const r = await machines[h.name]!.ssh(`DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${STAND_IN_GEMS.join(" ")}`);
    if (r.code !== 0) throw new Error(`${h.name}: installing the stand-in's gems failed:\n${r.stderr}`);
  }));
  return stack;
}

/**
 * The hosts' first boots as the engine runs them: a boot reached through a jump host waits for
 * the jump's boot, and its connection carries the key that boot reported, so the program is run
 * again after each wave with what the hosts printed.
 */
async function bootInWaves(stack: BootedStack, reports: Record<string, string>): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (;;) {
    const boots = stack.program.commands.filter((c) => c.name.endsWith("-boot"));
    const done = new Set(boots.filter((c) => reports[c.name] !== undefined).map((c) => c.urn));
    const wave = boots.filter((c) => !done.has(c.urn) && c.after.every((a) => done.has(a) || !boots.some((b) => b.urn === a)));
    if (wave.length === 0) {
      if (done.size < boots.length) throw new Error(`boot commands wait on each other: ${boots.filter((c) => !done.has(c.urn)).map((c) => c.name).join(", ")}`);
      return results;
    }
    const names = new Set(wave.map((c) => c.name));
    const report = await stack.apply((c) => names.has(c.name));
    for (const r of report.results) reports[r.name] = r.stdout;
    results.push(...report.results);
    await stack.replan(stack.spec);
  }
}

/**
 * Boots a machine; when systemd could not even spawn an early unit's process ("Failed to spawn
 * executor: No such file or directory", seen on about one boot in ten when seven containers start
 * at once on two cores; never on a unit of ours and never after the first second), the machine
 * is created again from scratch before any command of the program has run. Anything else that
 * fails is left for the tests to see.
 */
async function bootWhole(m: Machine, log: string[], attempts = 3): Promise<number> {
  for (let i = 1; ; i++) {
    const seconds = await m.boot();
    if (i === attempts || !m.console(4000).includes(UNSPAWNED)) return seconds;
    log.push(`${new Date().toISOString()} ${m.name}: systemd failed to spawn an early unit (container runtime, not the program): booting a fresh machine (attempt ${i + 1})`);
    await m.destroy();
  }
}

/** The stand-in's cloud-init (packages, then setup.sh) finished and every service started. */
async function standInReady(machine: Machine): Promise<void> {
  const r = await machine.ssh("cloud-init status --wait >/dev/null; test -e /root/harness/ready || { tail -n 40 /var/log/cloud-init-output.log; exit 1; }");
  if (r.code !== 0) throw new Error(`the managed-services stand-in did not come up:\n${r.stdout}${r.stderr}`);
}

/** The user-data the program hands the provider for this host (the server resource's input). */
function serverUserData(program: ProgramRun, host: string, address: string): string {
  const server = program.offline.resources.find((r) => {
    const i = r.rawInputs as { userData?: string; networks?: { ip?: string }[]; name?: string } | undefined;
    // Hetzner servers carry their private address; DigitalOcean droplets are named <stack>-<host>.
    return typeof i?.userData === "string" && (i.networks?.[0]?.ip === address || i.name === host || i.name === `${program.spec.name}-${host}`);
  });
  const userData = (server?.rawInputs as { userData?: string } | undefined)?.userData;
  if (!userData) throw new Error(`no server resource carries user-data for ${host}`);
  return userData;
}

const VOLUME_BY_ID = { hetzner: "scsi-0HC_Volume_100001", digitalocean: "scsi-0DO_Volume_harness" } as const;

/** A run killed midway leaves its containers, mounts and veths: stop and remove them first. */
async function cleanupLeftovers(id: string, dir: string, gateway: string): Promise<void> {
  spawnSync("pkill", ["-f", `${dir}/acme/pebble.json`]);
  // A neighbour a killed test left behind (network.ts addNeighbour); its veth goes with it.
  spawnSync("ip", ["netns", "del", `mstk-${id}-nb`], { stdio: "ignore" });
  spawnSync("pkill", ["-f", `pebble-challtestsrv -dns01 ${gateway}:`]);
  const pattern = `systemd-nspawn .*--machine=${id}-`;
  spawnSync("pkill", ["-TERM", "-f", pattern]);
  for (let i = 0; i < 300 && spawnSync("pgrep", ["-f", pattern]).status === 0; i++) await new Promise((r) => setTimeout(r, 100));
  spawnSync("pkill", ["-KILL", "-f", pattern]);
  const mounts = readFileSync("/proc/mounts", "utf8").split("\n").map((l) => l.split(" ")[1] ?? "").filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.sort().reverse()) spawnSync("umount", ["-l", m]);
  // nspawn names host-side veths vb-<machine> (shortened, with the full name as altname).
  for (const link of readdirSync("/sys/class/net").filter((l) => l.startsWith("vb-"))) {
    if (spawnSync("ip", ["-o", "link", "show", link], { encoding: "utf8" }).stdout.includes(`vb-${id}-`)) spawnSync("ip", ["link", "del", link]);
  }
  rmSync(dir, { recursive: true, force: true });
}
