// One booted test host: an overlay over the cached Debian 13 root, a NoCloud seed holding the
// host's rendered user-data (plus meta-data with the test SSH key, as the providers inject a
// key, and a network-config with the plan's private address), and systemd-nspawn running
// systemd as PID 1 on the stack's bridge. Commands reach it over SSH as root, like `pulumi up`.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Bridge } from "./network";
import { ACNG_PORT } from "./host-tools";
import { shellQuote } from "../../../src/plan/render/shell";
import { sshExec, type SshResult } from "./ssh";

/** What systemd prints when the container runtime kept it from spawning a unit's process at all. */
export const UNSPAWNED = "Failed to spawn executor";

export interface MachineOptions {
  name: string;
  /** Unique per run: names the nspawn machine and the overlay directory. */
  machine: string;
  address: string;
  bridge: Bridge;
  rootDir: string;
  workDir: string;
  userData: string;
  publicKey: string;
  privateKeyFile: string;
  /** A block device file to expose at this path under /dev (a provider's data volume). */
  volume?: { byId: string; sizeMb: number };
  /** Host directories mounted read-only into the machine (the stand-in release's sources). */
  binds?: { host: string; machine: string }[];
  /** Files of the test environment written before the first boot (not the program's). */
  files?: { path: string; content: string }[];
  /** Further addresses on the same interface (the host's public IPv4 as the provider answered): a /24 unless given as CIDR. */
  extraAddresses?: string[];
}

export class Machine {
  readonly name: string;
  readonly address: string;
  /** systemd-nspawn's pid while the machine runs. */
  private pid?: number;
  private loop?: string;
  private readonly merged: string;
  private readonly dir: string;
  private readonly consoleLog: string;

  constructor(private readonly opts: MachineOptions) {
    this.name = opts.name;
    this.address = opts.address;
    this.dir = join(opts.workDir, opts.machine);
    this.merged = join(this.dir, "merged");
    this.consoleLog = join(this.dir, "console.log");
  }

  /** Prepares the overlay and seed (first boot only) and starts systemd; resolves when SSH answers. */
  async boot(timeoutSeconds = 120): Promise<number> {
    const t0 = Date.now();
    const { rootDir } = this.opts;
    const fresh = !existsSync(join(this.dir, "upper"));
    for (const d of ["upper", "work", "merged"]) mkdirSync(join(this.dir, d), { recursive: true });
    execFileSync("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${rootDir},upperdir=${join(this.dir, "upper")},workdir=${join(this.dir, "work")}`, this.merged]);
    if (fresh) this.seed();
    this.removeStaleVeth();
    const logStart = existsSync(this.consoleLog) ? readFileSync(this.consoleLog).length : 0;
    const args = [
      "--boot", `--directory=${this.merged}`, `--machine=${this.opts.machine}`, "--register=no", "--keep-unit",
      `--network-bridge=${this.opts.bridge.name}`, "--console=read-only", "--link-journal=no",
      ...(this.opts.binds ?? []).map((b) => `--bind-ro=${b.host}:${b.machine}`),
    ];
    if (this.opts.volume) {
      this.loop ??= this.attachVolume(this.opts.volume.sizeMb);
      args.push(`--bind=${this.loop}:/dev/disk/by-id/${this.opts.volume.byId}`, `--property=DeviceAllow=${this.loop} rwm`);
    }
    const out = execFileSync("sh", ["-c", 'exec 3>>"$1"; shift; setsid "$@" </dev/null >&3 2>&3 & echo $!', "sh", this.consoleLog, "systemd-nspawn", ...args], {
      env: { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "1" },
      encoding: "utf8",
    });
    this.pid = Number(out.trim());
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      if (!this.nspawnAlive()) throw new Error(`${this.name}: systemd-nspawn exited during boot:\n${this.console(40, logStart)}`);
      if ((await this.ssh("true", undefined, 5)).code === 0) return (Date.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${this.name}: no SSH login within ${timeoutSeconds} s:\n${this.console(40, logStart)}`);
  }

  private seed(): void {
    const root = this.merged;
    const seed = join(root, "var/lib/cloud/seed/nocloud");
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, "user-data"), this.opts.userData);
    writeFileSync(join(seed, "meta-data"), stringify({ "instance-id": this.opts.machine, "local-hostname": this.name, "public-keys": [this.opts.publicKey] }));
    const { bridge } = this.opts;
    writeFileSync(
      join(seed, "network-config"),
      stringify({
        version: 2,
        ethernets: { host0: { addresses: [`${this.address}/${bridge.prefix}`, ...(this.opts.extraAddresses ?? []).map((a) => (a.includes("/") ? a : `${a}/24`))], routes: [{ to: "0.0.0.0/0", via: bridge.gateway }], nameservers: { addresses: [bridge.gateway] } } },
      }),
    );
    // The test network's only way to Debian's mirror (a cloud's hosts reach it directly).
    writeFileSync(join(root, "etc/apt/apt.conf.d/01harness-proxy"), `Acquire::http::Proxy "http://${bridge.gateway}:${ACNG_PORT}";\n`);
    for (const f of this.opts.files ?? []) {
      mkdirSync(join(root, f.path, ".."), { recursive: true });
      writeFileSync(join(root, f.path), f.content);
    }
  }

  private attachVolume(sizeMb: number): string {
    const file = join(this.dir, "volume.img");
    if (!existsSync(file)) execFileSync("truncate", ["-s", `${sizeMb}M`, file]);
    return execFileSync("losetup", ["--find", "--show", file], { encoding: "utf8" }).trim();
  }

  private nspawnAlive(): boolean {
    if (!this.pid) return false;
    try {
      process.kill(this.pid, 0);
      return !readFileSync(`/proc/${this.pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
    } catch {
      return false;
    }
  }

  /** The last lines the console printed (since byte `from`). */
  console(lines: number, from = 0): string {
    if (!existsSync(this.consoleLog)) return "";
    return readFileSync(this.consoleLog).subarray(from).toString("utf8").split("\n").slice(-lines).join("\n");
  }

  /** A killed nspawn leaves its host-side veth (vb-<machine>, or a shortened name with that altname). */
  private removeStaleVeth(): void {
    for (const link of readdirSync("/sys/class/net").filter((l) => l.startsWith("vb-"))) {
      const shown = spawnSync("ip", ["-o", "link", "show", link], { encoding: "utf8" }).stdout;
      if (new RegExp(`(^|\\s)vb-${this.opts.machine}(\\s|@|:|$)`).test(shown) || link === `vb-${this.opts.machine}`) spawnSync("ip", ["link", "del", link]);
    }
  }

  ssh(command: string, stdin?: string, timeoutSeconds = 900): Promise<SshResult> {
    return sshExec({ host: this.address, keyFile: this.opts.privateKeyFile }, command, stdin, timeoutSeconds);
  }

  /**
   * Units systemd could not even spawn a process for during this boot ("Failed to spawn executor:
   * No such file or directory", a container-runtime failure seen when several containers boot at
   * once, never a unit of the program's): each is started again once, and returned so the caller
   * can say so. Waits for the boot to finish first.
   */
  async respawnUnspawned(): Promise<string[]> {
    await this.ssh("systemctl is-system-running --wait >/dev/null 2>&1 || true", undefined, 300);
    const failed = (await this.ssh("systemctl --failed --no-legend --plain | awk '{print $1}'")).stdout.split("\n").filter(Boolean);
    // Printed on the console before journald runs, in the journal after.
    const log = this.console(4000) + (failed.length ? (await this.ssh("journalctl -b -q --no-pager -p err -o cat")).stdout : "");
    const unspawned = failed.filter((u) => log.includes(`${u}: ${UNSPAWNED}`));
    for (const u of unspawned) await this.ssh(`systemctl reset-failed ${shellQuote(u)} && systemctl start ${shellQuote(u)}`);
    return unspawned;
  }

  /** Clean poweroff (SIGTERM to nspawn), then the overlay is unmounted; the upper layer stays for a reboot. */
  async stop(timeoutSeconds = 90): Promise<void> {
    if (this.nspawnAlive()) {
      process.kill(this.pid!, "SIGTERM");
      const deadline = Date.now() + timeoutSeconds * 1000;
      while (this.nspawnAlive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (this.nspawnAlive()) process.kill(this.pid!, "SIGKILL");
      while (this.nspawnAlive()) await new Promise((r) => setTimeout(r, 100));
    }
    spawnSync("umount", ["-R", this.merged], { stdio: "ignore" });
    appendFileSync(this.consoleLog, `--- ${this.name} stopped\n`);
  }

  /** Stops and removes everything, the volume's loop device included. */
  async destroy(): Promise<void> {
    await this.stop(30);
    if (this.loop) spawnSync("losetup", ["-d", this.loop], { stdio: "ignore" });
    this.loop = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
