// The program's own remote commands, as `pulumi up` would run them: the real program under
// mocks (with real TLS material and the harness's SSH key), every `command:remote:Command` it
// registers with its inputs revealed, and the order its dependency graph gives. Nothing here
// writes a command: what runs on the booted hosts is what the program registered.
import * as pulumi from "@pulumi/pulumi";
import type { ProgramConfig } from "../../../src/components/contract";
import { buildPlan } from "../../../src/plan";
import type { Plan } from "../../../src/plan/types";
import { offlineConfig } from "../../../src/program/index";
import type { RecordedResource } from "../../../src/program/mocks";
import type { Computed } from "../../../src/program/mock-state/octet";
import { runOffline, type OfflineRun } from "../../../src/program/offline";
import type { Spec } from "../../../src/spec/schema/stack";
import { REAL_VALUES } from "./real-values";

export const COMMAND_TYPE = "command:remote:Command";

export interface Connection {
  host: string;
  user: string;
  privateKey: string;
  /** The pinned host key: absent only on a host's first connection. */
  hostKey?: string;
  proxy?: { host: string; user: string; privateKey: string; hostKey?: string };
}

export interface ProgramCommand {
  urn: string;
  name: string;
  connection: Connection;
  create: string;
  stdin?: string;
  /** URNs of the commands that must finish first (transitively, through any resource). */
  after: string[];
}

export interface ProgramRun {
  spec: Spec;
  plan: Plan;
  offline: OfflineRun;
  commands: ProgramCommand[];
}

/** Transitive command dependencies of every resource, through non-command resources too. */
function commandDeps(resources: readonly RecordedResource[]): Map<string, Set<string>> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  // A resource whose parent is a component depends on what the component depends on (dependsOn
  // a component means its children): include children's URNs under their parents.
  const children = new Map<string, string[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const memo = new Map<string, Set<string>>();
  const visit = (urn: string, stack: Set<string>): Set<string> => {
    const seen = memo.get(urn);
    if (seen) return seen;
    if (stack.has(urn)) return new Set();
    stack.add(urn);
    const out = new Set<string>();
    const r = byUrn.get(urn);
    const direct = [...(r?.dependencies ?? []), ...(r && !r.custom ? (children.get(urn) ?? []) : [])];
    for (const d of direct) {
      const dr = byUrn.get(d);
      if (dr?.type === COMMAND_TYPE) out.add(d);
      for (const x of visit(d, stack)) out.add(x);
    }
    stack.delete(urn);
    memo.set(urn, out);
    return out;
  };
  for (const r of resources) visit(r.urn, new Set());
  return memo;
}

/**
 * `provider` adds answers of the test network's providers (the managed-services stand-in's);
 * `reports` is what each boot command printed on the booted hosts (by command name): as with
 * the engine, the program then pins the later connections to the keys the hosts reported.
 */
export async function runProgramForHosts(spec: Spec, privateKey: string, provider: Computed = {}, reports: Record<string, string> = {}, plan: Plan = buildPlan(spec)): Promise<ProgramRun> {
  const config: ProgramConfig = { ...offlineConfig(spec), sshPrivateKey: pulumi.secret(privateKey) };
  const reported: Computed = { [COMMAND_TYPE]: (name) => (reports[name] !== undefined ? { stdout: reports[name] } : {}) };
  const offline = await runOffline(spec, plan, { config, computed: { ...REAL_VALUES, ...provider, ...reported }, revealSecrets: true });
  const deps = commandDeps(offline.resources);
  const commands = offline.resources
    .filter((r) => r.type === COMMAND_TYPE)
    .map((r): ProgramCommand => {
      const i = r.rawInputs as { connection: Connection; create: string; stdin?: string };
      return { urn: r.urn, name: r.name, connection: i.connection, create: i.create, ...(i.stdin !== undefined ? { stdin: i.stdin } : {}), after: [...(deps.get(r.urn) ?? [])].sort() };
    });
  return { spec, plan, offline, commands };
}
