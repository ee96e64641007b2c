// Runs the policy pack's policies on what the mocked program registered, the way @pulumi/policy
// runs them on what the engine sends: a RecordedResource becomes the args of validateResource
// (inputs with secrets revealed and unmarked — the SDK unwraps secrets before a validation) or of
// remediateResource (top-level secret inputs as the SDK's Secret). Minimal on purpose: a mocked run
// resolves every output, so there are no unknown values here (the runner test sends some through
// the real SDK); no provider, stack tags or policy config either.
import path from "node:path";
import { Secret, type ResourceValidation, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import { readContext, type PackContext } from "../../policy/context";
import { SSH_PRIVATE_KEY_CONFIG } from "../../src/components/user-secrets";
import { buildPlan } from "../../src/plan";
import { offlineConfig, PROJECT } from "../../src/program";
import type { RecordedResource } from "../../src/program/mocks";
import { runOffline } from "../../src/program/offline";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { ROOT } from "./plans";
import { valueOf } from "./program";

/** What a validation reported, or which inputs a remediation marked secret. */
export interface Verdict {
  policy: string;
  resource: string;
  message: string;
}

class NotApplicable extends Error {}

function pulumiType(resourceClass: unknown): string | undefined {
  const t = (resourceClass as { __pulumiType?: unknown }).__pulumiType;
  return typeof t === "string" ? t : undefined;
}

function argsOf(r: RecordedResource, props: Record<string, unknown>): ResourceValidationArgs {
  const isType = (resourceClass: unknown) => pulumiType(resourceClass) === r.type;
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: {
      protect: r.protect,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      ...(r.parent ? { parent: r.parent } : {}),
    },
    stackTags: new Map(),
    isType,
    // The SDK hands back the same props, typed by the class the caller names.
    asType: ((resourceClass: unknown) => (isType(resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

function revealedInputs(r: RecordedResource): Record<string, unknown> {
  if (r.rawInputs === undefined) throw new Error(`${r.name} was recorded without its secrets: record with revealSecrets`);
  return r.rawInputs as Record<string, unknown>;
}

function sentInputs(r: RecordedResource): Record<string, unknown> {
  return structuredClone(revealedInputs(r));
}

function validationsOf(p: ResourceValidationPolicy): ResourceValidation[] {
  return p.validateResource === undefined ? [] : Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
}

/** Every violation every policy reports on every resource, in resource then policy order. */
export async function violations(policies: readonly ResourceValidationPolicy[], resources: readonly RecordedResource[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const r of resources) {
    for (const p of policies) {
      for (const validate of validationsOf(p)) {
        try {
          await validate(argsOf(r, sentInputs(r)), (message) => out.push({ policy: p.name, resource: r.name, message }));
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    }
  }
  return out;
}

/** Per policy, how many resources it judged (did not call not applicable on): a pass must not be vacuous. */
export async function judged(policies: readonly ResourceValidationPolicy[], resources: readonly RecordedResource[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(policies.map((p) => [p.name, 0]));
  for (const r of resources) {
    for (const p of policies) {
      let applies = false;
      for (const validate of validationsOf(p)) {
        try {
          await validate(argsOf(r, sentInputs(r)), () => undefined);
          applies = true;
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
      if (applies) out[p.name]! += 1;
    }
  }
  return out;
}

/** Inputs a remediation hands back newly marked secret, as "<input> marked secret". */
export async function remediations(policies: readonly ResourceValidationPolicy[], resources: readonly RecordedResource[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const r of resources) {
    const props = sentInputs(r);
    for (const k of r.secretInputs) props[k] = new Secret(props[k]);
    for (const p of policies) {
      if (!p.remediateResource) continue;
      let result: Record<string, unknown> | void | undefined;
      try {
        result = (await p.remediateResource(argsOf(r, { ...props }))) as Record<string, unknown> | void | undefined;
      } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
      }
      for (const [k, v] of Object.entries(result ?? {})) {
        if (v instanceof Secret && !(props[k] instanceof Secret)) out.push({ policy: p.name, resource: r.name, message: `${k} marked secret` });
      }
    }
  }
  return out;
}

export interface RecordedStack {
  spec: Spec;
  resources: RecordedResource[];
  /** The context the pack would build for this stack, with the offline plan's secret config values. */
  context: PackContext;
}

/** The stack's secret config as the engine would hand it to the pack: the offline plan's stand-ins. */
async function offlineSecretConfig(spec: Spec): Promise<Record<string, string>> {
  const config = offlineConfig(spec);
  const out: Record<string, string> = config.sshPrivateKey ? { [`${PROJECT}:${SSH_PRIVATE_KEY_CONFIG}`]: await valueOf(config.sshPrivateKey) } : {};
  for (const [name, value] of Object.entries(config.userSecrets)) out[`${PROJECT}:${name}`] = await valueOf(value);
  return out;
}

/** Runs stacks/<name>.yaml (or an edited spec) under mocks with secrets revealed, and reads its pack context. */
export async function recordStack(name: string, spec: Spec = loadStack(path.join(ROOT, "stacks", `${name}.yaml`))): Promise<RecordedStack> {
  const config = await offlineSecretConfig(spec);
  const run = await runOffline(spec, buildPlan(spec), { revealSecrets: true });
  const env = { PULUMI_NODEJS_STACK: name, PULUMI_NODEJS_PROJECT: PROJECT, PULUMI_CONFIG: JSON.stringify(config) };
  return { spec, resources: run.resources, context: readContext(env, ROOT) };
}

/** A copy of the resources with the one named `name` (of the type ending in `type`) changed by `edit`. */
export function mutated(resources: readonly RecordedResource[], name: string, edit: (r: RecordedResource, inputs: Record<string, unknown>) => void, type = ""): RecordedResource[] {
  const copy = structuredClone(resources) as RecordedResource[];
  const target = copy.filter((r) => r.name === name && r.type.endsWith(type));
  if (target.length !== 1) throw new Error(`expected one resource named ${name}${type ? ` of type ${type}` : ""}, found ${target.length}`);
  edit(target[0]!, revealedInputs(target[0]!));
  return copy;
}
