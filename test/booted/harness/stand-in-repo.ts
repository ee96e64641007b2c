// Builds the stand-in Mastodon repository the booted hosts clone (see ../stand-in/README.md):
// the stand-in app, upstream's streaming server from the shared fixture, its npm dependencies
// locked with yarn 1 and kept in an offline mirror, one tag per release. Cached by content.
// Hosts see it read-only: the repository where `git clone https://github.com/mastodon/…` lands
// (an insteadOf in /etc/gitconfig), yarn's mirror, and corepack's copy of yarn (COREPACK_HOME).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CACHE, STREAMING_FIXTURE } from "./host-tools";

const APP = resolve(__dirname, "../stand-in");
const YARN = "yarn@1.22.22";
const NPM_REGISTRY = "https://registry.npmjs.org";
/** Bump when the layout below changes, so cached copies are rebuilt. */
const LAYOUT = 3;

/** Where hosts see the pieces (bind mounts) and what points there. */
export const IN_HOST = {
  repo: "/srv/harness/mastodon.git",
  mirror: "/var/cache/harness/yarn-mirror",
  corepack: "/var/cache/harness/corepack",
  upstream: "https://github.com/mastodon/mastodon.git",
};

export interface StandInTag {
  tag: string;
  /** The streaming server's release in the fixture. */
  streaming: "v4.5.2" | "v4.6.5";
  /** A release whose /health answers 500 (the rollback test). */
  broken?: boolean;
}

export interface StandInRepo {
  repo: string;
  mirror: string;
  corepack: string;
  binds: { host: string; machine: string }[];
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function contentKey(tags: readonly StandInTag[]): string {
  const h = createHash("sha256").update(JSON.stringify(tags)).update(YARN).update(String(LAYOUT));
  for (const f of [...files(APP), ...files(STREAMING_FIXTURE)].sort()) h.update(relative(resolve(APP, "../../../.."), f)).update(readFileSync(f));
  return h.digest("hex").slice(0, 12);
}

const run = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });

const git = (cwd: string, ...args: string[]) => run("git", ["-c", "user.name=stand-in", "-c", "user.email=stand-in@example.invalid", ...args], cwd);

export function ensureStandInRepo(tags: readonly StandInTag[]): StandInRepo {
  const base = join(CACHE, `stand-in-${contentKey(tags)}`);
  const out: StandInRepo = { repo: join(base, "mastodon.git"), mirror: join(base, "yarn-mirror"), corepack: join(base, "corepack"), binds: [] };
  out.binds = [
    { host: out.repo, machine: IN_HOST.repo },
    { host: out.mirror, machine: IN_HOST.mirror },
    { host: out.corepack, machine: IN_HOST.corepack },
  ];
  if (existsSync(join(base, ".done"))) return out;
  rmSync(base, { recursive: true, force: true });
  const work = join(base, "work");
  mkdirSync(work, { recursive: true });
  mkdirSync(out.mirror);
  // Both yarn itself and the packages come from the npm registry (the one registry CI is sure to reach).
  const yarnEnv = { COREPACK_HOME: out.corepack, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", COREPACK_INTEGRITY_KEYS: "0", COREPACK_NPM_REGISTRY: NPM_REGISTRY };

  git(work, "init", "-q", "-b", "main");
  for (const t of tags) {
    for (const n of readdirSync(work)) if (n !== ".git") rmSync(join(work, n), { recursive: true, force: true });
    cpSync(APP, work, { recursive: true });
    rmSync(join(work, "README.md"));
    cpSync(join(STREAMING_FIXTURE, t.streaming), join(work, "streaming"), { recursive: true });
    const streaming = JSON.parse(readFileSync(join(work, "streaming/package.json"), "utf8")) as { dependencies: Record<string, string> };
    // Dependencies hoisted to the release root, where `node ./streaming` resolves them (upstream: a yarn workspace).
    writeFileSync(join(work, "package.json"), `${JSON.stringify({ name: "mastodon-standin", private: true, packageManager: YARN, dependencies: streaming.dependencies }, null, 2)}\n`);
    writeFileSync(join(work, ".yarnrc"), `registry "${NPM_REGISTRY}/"\nyarn-offline-mirror "${out.mirror}"\nyarn-offline-mirror-pruning false\n`);
    run("corepack", ["yarn", "install", "--non-interactive", "--ignore-engines"], work, yarnEnv);
    rmSync(join(work, "node_modules"), { recursive: true, force: true });
    writeFileSync(join(work, ".yarnrc"), `registry "${NPM_REGISTRY}/"\nyarn-offline-mirror "${IN_HOST.mirror}"\nyarn-offline-mirror-pruning false\n`);
    writeFileSync(join(work, "STANDIN_VERSION"), `${t.tag}\n`);
    if (t.broken) writeFileSync(join(work, "HEALTH_FAILS"), "this release's /health answers 500\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", `stand-in ${t.tag}`);
    git(work, "tag", t.tag);
  }
  // Debian 13's corepack (0.24) keeps installs at COREPACK_HOME/<name>/<version> and asks the
  // registry for a default unless lastKnownGood.json names one; newer ones use v1/<name>/<version>.
  symlinkSync("v1/yarn", join(out.corepack, "yarn"));
  writeFileSync(join(out.corepack, "lastKnownGood.json"), `${JSON.stringify({ yarn: YARN.split("@")[1] })}\n`);
  run("git", ["clone", "-q", "--bare", work, out.repo], base);
  rmSync(work, { recursive: true, force: true });
  // Hosts read everything as any user (the clone runs as mastodon, corepack as mastodon).
  run("chmod", ["-R", "a+rX", base], base);
  writeFileSync(join(base, ".done"), "");
  return out;
}

/** Files a host needs before its first boot so the clone, corepack and yarn find the stand-ins. */
export function standInHostFiles(environment: readonly string[] = []): { path: string; content: string }[] {
  return [
    { path: "/etc/gitconfig", content: `[url "file://${IN_HOST.repo}"]\n\tinsteadOf = ${IN_HOST.upstream}\n[safe]\n\tdirectory = ${IN_HOST.repo}\n` },
    // pam_env reads this for every SSH session, so the program's commands (and the release
    // script's build as the mastodon user) find yarn in the read-only corepack cache.
    { path: "/etc/environment", content: [`COREPACK_HOME=${IN_HOST.corepack}`, ...environment, ""].join("\n") },
  ];
}
