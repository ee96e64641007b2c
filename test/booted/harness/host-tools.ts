// What the booted-host harness needs on the machine running the tests, and the two things it
// keeps between runs under .cache/booted (git-ignored): the Debian 13 root, built once by
// build-root.sh and keyed by that script's hash, and an apt-cacher-ng whose cache every host's
// package install goes through. Tools missing in CI fail; locally the tests skip loudly.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hasTool, IN_CI } from "../../helpers/tools";

export const CACHE = resolve(__dirname, "../../../.cache/booted");
export const ACNG_PORT = 3142;
const BUILD_SCRIPT = join(__dirname, "build-root.sh");
/** Upstream's streaming server (../shared/fixtures beside the checkout; MASTODON_STREAMING_FIXTURE elsewhere). */
export const STREAMING_FIXTURE = process.env.MASTODON_STREAMING_FIXTURE ?? resolve(__dirname, "../../../../shared/fixtures/mastodon-streaming");

/** Host tools and the Debian package that brings each. */
const TOOLS: readonly (readonly [string, string])[] = [
  ["mmdebstrap", "mmdebstrap"],
  ["systemd-nspawn", "systemd-container"],
  ["apt-cacher-ng", "apt-cacher-ng"],
  ["eatmydata", "eatmydata"],
  ["zstd", "zstd"],
  ["ssh", "openssh-client"],
  ["ssh-keygen", "openssh-client"],
  ["openssl", "openssl"],
  ["ip", "iproute2"],
  ["nsenter", "util-linux"],
  ["losetup", "mount"],
  ["git", "git"],
  ["curl", "curl"],
  ["pebble", "pebble"],
  // The stand-in release's yarn and its npm dependencies are fetched with Node's corepack.
  ["corepack", "nodejs"],
];

export const HOST_PACKAGES = [...new Set(TOOLS.map(([, p]) => p))];

/** Why booted hosts cannot run here, or undefined when they can. */
export function bootBlocker(): string | undefined {
  if (process.getuid?.() !== 0) return "booted hosts need root (overlayfs, bridges, systemd-nspawn)";
  const missing = TOOLS.filter(([bin]) => !hasTool(bin) && !existsSync(`/usr/sbin/${bin}`));
  if (missing.length > 0) return `missing ${missing.map(([b]) => b).join(", ")}: apt-get install --no-install-recommends ${[...new Set(missing.map(([, p]) => p))].join(" ")}`;
  if (!existsSync(join(STREAMING_FIXTURE, "v4.5.2", "index.js"))) return `upstream's streaming server is not at ${STREAMING_FIXTURE} (the shared fixture beside the checkout): set MASTODON_STREAMING_FIXTURE`;
  return undefined;
}

/** In CI a blocker fails the run; locally it is returned so the test can skip with it. */
export function checkBootable(): string | undefined {
  const blocker = bootBlocker();
  if (blocker && IN_CI) throw new Error(`CI=true and booted hosts cannot run: ${blocker}`);
  return blocker;
}

function pidAlive(pidFile: string): boolean {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every container's systemd, journald, networkd and logind hold inotify instances, all charged to
 * root (no user namespace): the kernel's default of 128 runs out around six booted hosts, and a
 * unit then fails at random (seen: systemd-network-generator on prod's seventh machine). Raised
 * as container hosts do (LXD recommends 1024); never lowered.
 */
export function ensureInotifyLimits(min = 1024): void {
  const file = "/proc/sys/fs/inotify/max_user_instances";
  if (Number(readFileSync(file, "utf8").trim()) < min) writeFileSync(file, String(min));
}

/** apt-cacher-ng on every address (the bridge's too), backed by deb.debian.org. */
export async function ensureAptCache(): Promise<void> {
  const dir = join(CACHE, "acng");
  const pidFile = join(dir, "acng.pid");
  if (pidAlive(pidFile)) return;
  const conf = join(dir, "conf");
  mkdirSync(join(dir, "cache"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  mkdirSync(conf, { recursive: true });
  for (const f of readdirSync("/etc/apt-cacher-ng")) writeFileSync(join(conf, f), readFileSync(join("/etc/apt-cacher-ng", f)));
  // The package's defaults (ftp.debian.org) answer "503 Host not found" from here.
  writeFileSync(join(conf, "backends_debian"), "http://deb.debian.org/debian/\n");
  execFileSync("/usr/sbin/apt-cacher-ng", [
    "-c", conf, `CacheDir=${join(dir, "cache")}`, `LogDir=${join(dir, "log")}`, `Port=${ACNG_PORT}`,
    "BindAddress=0.0.0.0", "ForeGround=0", `pidfile=${pidFile}`, `SocketPath=${join(dir, "acng.socket")}`,
  ], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const r = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", `http://127.0.0.1:${ACNG_PORT}`, "http://deb.debian.org/debian/dists/trixie/InRelease"], { encoding: "utf8" });
    if (r.stdout === "200") return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error("apt-cacher-ng did not answer for trixie within 10 s");
}

export interface RootImage {
  /** The unpacked root every host overlays. */
  dir: string;
  /** Seconds spent building (0 when cached) and unpacking (0 when already unpacked). */
  buildSeconds: number;
  unpackSeconds: number;
}

/** The Debian 13 root, built once per build-root.sh version and unpacked once. */
export function ensureRoot(): RootImage {
  const key = createHash("sha256").update(readFileSync(BUILD_SCRIPT)).digest("hex").slice(0, 12);
  const tarball = join(CACHE, `root-${key}.tar.zst`);
  const dir = join(CACHE, `root-${key}`);
  let buildSeconds = 0;
  let unpackSeconds = 0;
  if (!existsSync(tarball)) {
    const t0 = Date.now();
    execFileSync("bash", [BUILD_SCRIPT, tarball, `http://127.0.0.1:${ACNG_PORT}`], { stdio: ["ignore", "ignore", "pipe"] });
    buildSeconds = (Date.now() - t0) / 1000;
  }
  if (!existsSync(join(dir, ".unpacked"))) {
    const t0 = Date.now();
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync("tar", ["--numeric-owner", "--zstd", "-xpf", tarball, "-C", tmp]);
    writeFileSync(join(tmp, ".unpacked"), key);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    unpackSeconds = (Date.now() - t0) / 1000;
  }
  return { dir, buildSeconds, unpackSeconds };
}
