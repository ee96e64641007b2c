// What the policies need to know about the stack beyond each resource: the two relaxations the
// stack file can ask for knowingly, and the values of the stack's secret config. The engine runs a
// policy pack with the stack's name, project and configuration (secrets decrypted) in its
// environment (PULUMI_NODEJS_STACK, PULUMI_NODEJS_PROJECT, PULUMI_CONFIG), so the pack reads the
// same stack file the program reads. When it cannot — no stack named, another project, a file that
// does not load, a PULUMI_CONFIG that is not a JSON object — nothing is relaxed: a guard that
// cannot read the opt-out does not opt out.
import { existsSync } from "node:fs";
import path from "node:path";
import { SSH_PRIVATE_KEY_CONFIG, userSecretNeeds } from "../src/components/user-secrets";
import { stackFileFor } from "../src/program/stack-file";
import { formatIssue, SpecError } from "../src/spec/errors";
import { loadStack } from "../src/spec/load";
import type { Spec } from "../src/spec/schema/stack";

export interface PackContext {
  /** The stack file's protectData: false lets data resources go unprotected. */
  protectData: boolean;
  /** The stack file's network.sshFromAnywhere: SSH may be open to the Internet. */
  sshFromAnywhere: boolean;
  /** The stack file's postgres.pool.mode: session, which the planner accepts only when the pool holds a server connection for every client. */
  sessionPool: boolean;
  /** Values of the stack's secret config by full key (mastodon-stack:smtpPassword); never printed. */
  secrets: ReadonlyMap<string, string>;
  /** The stack file the two decisions came from, or why none was read (then nothing is relaxed). */
  source: { file: string } | { unread: string };
}

/** Provider credentials from the stack's config (README, "Deploying with Pulumi"). */
const PROVIDER_SECRET_CONFIG = ["digitalocean:token", "digitalocean:spacesAccessId", "digitalocean:spacesSecretKey", "hcloud:token", "cloudflare:apiToken"] as const;

/** A shorter value could turn up inside an unrelated input by chance. */
const MIN_SECRET_LENGTH = 8;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * PULUMI_CONFIG: a JSON object of "namespace:key" → value ("namespace:config:key" in older engines);
 * none set is no config. Undefined when it is set but not a JSON object: then the stackFile it may
 * name is unknown, and the caller relaxes nothing.
 */
function parseConfig(text: string | undefined): Map<string, string> | undefined {
  const out = new Map<string, string>();
  if (!text) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === "string") out.set(k.replace(/^([^:]+):config:/, "$1:"), v);
  }
  return out;
}

function secretValues(config: ReadonlyMap<string, string>, names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of names) {
    const value = config.get(name);
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) out.set(name, value);
  }
  return out;
}

/** What is wrong, in one line: a SpecError's first issue without its fix, else the error's first line. */
function firstProblem(e: unknown): string {
  const issue = e instanceof SpecError ? e.issues[0] : undefined;
  if (issue) return formatIssue({ ...issue, fix: "" });
  return (e instanceof Error ? e.message : String(e)).split("\n").map((l) => l.trim()).find(Boolean) ?? "unknown error";
}

export function readContext(env: Env, projectDir: string): PackContext {
  const parsed = parseConfig(env.PULUMI_CONFIG);
  const config = parsed ?? new Map<string, string>();
  const stack = env.PULUMI_NODEJS_STACK ?? env.PULUMI_STACK;
  const project = env.PULUMI_NODEJS_PROJECT ?? env.PULUMI_PROJECT;
  const strict = (unread: string, names: readonly string[]): PackContext => ({ protectData: true, sshFromAnywhere: false, sessionPool: false, secrets: secretValues(config, names), source: { unread } });
  if (!parsed) return strict("PULUMI_CONFIG is not a JSON object", PROVIDER_SECRET_CONFIG);
  if (!stack || !project) return strict("no stack named in PULUMI_NODEJS_STACK and PULUMI_NODEJS_PROJECT", PROVIDER_SECRET_CONFIG);

  const known = [...PROVIDER_SECRET_CONFIG, `${project}:${SSH_PRIVATE_KEY_CONFIG}`];
  const file = stackFileFor(stack, config.get(`${project}:stackFile`));
  let spec: Spec;
  try {
    spec = loadStack(path.resolve(projectDir, file));
  } catch (e) {
    return strict(`${file} did not load (${firstProblem(e)})`, known);
  }
  return {
    protectData: spec.protectData,
    sshFromAnywhere: spec.network.sshFromAnywhere === true,
    sessionPool: spec.postgres.pool.mode === "session",
    secrets: secretValues(config, [...known, ...userSecretNeeds(spec).map((n) => `${project}:${n.config}`)]),
    source: { file },
  };
}

/** The Pulumi project the pack sits in: the nearest directory above `start` holding Pulumi.yaml. */
export function projectDirOf(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
