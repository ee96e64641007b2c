// Runs the real program under mocks for a stack file and returns what it registered, plus
// helpers to find resources and await outputs. One mocked run at a time (the SDK's runtime is
// process-global), so program tests run with --test-concurrency=1.
import assert from "node:assert/strict";
import path from "node:path";
import { buildPlan } from "../../src/plan";
import type { Plan } from "../../src/plan/types";
import type { RecordedResource } from "../../src/program/mocks";
import { runOffline, valueOf, type OfflineRun } from "../../src/program/offline";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";

export const STACKS = path.resolve(__dirname, "../../stacks");

export { valueOf };

export interface ProgramRun extends OfflineRun {
  spec: Spec;
  plan: Plan;
}

export async function runProgram(spec: Spec, plan: Plan = buildPlan(spec)): Promise<ProgramRun> {
  return { spec, plan, ...(await runOffline(spec, plan)) };
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
