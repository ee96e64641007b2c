// Runs the real program under mocks for a stack file and returns what it registered, plus
// helpers to find resources and await outputs. One mocked run at a time (the SDK's runtime is
// process-global), so program tests run with --test-concurrency=1.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import path from "node:path";
import { buildPlan } from "../../src/plan";
import type { Plan } from "../../src/plan/types";
import { mastodonProgram, offlineConfig, PROJECT } from "../../src/program";
import { startMockedRun, type RecordedResource } from "../../src/program/mocks";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import type { HostFile } from "../../src/plan/types";

export const STACKS = path.resolve(__dirname, "../../stacks");

/** Resolves an Output (secret or not) to its value. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

export interface ProgramRun {
  spec: Spec;
  plan: Plan;
  resources: RecordedResource[];
  hostFiles: Record<string, HostFile[]>;
  /** Whether each host's file list arrived as a secret. */
  hostFilesSecret: Record<string, boolean>;
  exports: Record<string, string>;
}

export async function runProgram(spec: Spec, plan: Plan = buildPlan(spec)): Promise<ProgramRun> {
  const run = await startMockedRun(PROJECT, spec.name);
  const { instance } = mastodonProgram(spec, plan, offlineConfig(spec));
  const hostFiles: Record<string, HostFile[]> = {};
  const hostFilesSecret: Record<string, boolean> = {};
  for (const [host, files] of Object.entries(instance.hostFiles)) {
    hostFiles[host] = await valueOf(files);
    hostFilesSecret[host] = await pulumi.isSecret(files);
  }
  const exports: Record<string, string> = {};
  for (const [k, v] of Object.entries(instance.exports)) exports[k] = await valueOf(v);
  const resources = await run.finish();
  return { spec, plan, resources, hostFiles, hostFilesSecret, exports };
}

export function runStack(name: string): Promise<ProgramRun> {
  return runProgram(loadStack(path.join(STACKS, `${name}.yaml`)));
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: ProgramRun, type: string, name: string): RecordedResource {
  const found = run.resources.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}: ${ofType(run, type).map((r) => r.name).join(", ")}`);
  return found[0]!;
}

/** Inputs as a plain object (secrets show as "<redacted>"). */
export function inputs(r: RecordedResource): Record<string, unknown> {
  return r.inputs as Record<string, unknown>;
}

export function countByType(run: ProgramRun): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of run.resources) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}
