// The hooks every booted-stack test file shares: boot the stack and run the program's commands
// before its tests; after them print what it cost and tear it down (KEEP_BOOTED=1 keeps it).
import { after, before } from "node:test";
import type { Spec } from "../../../src/spec/schema/stack";
import { report } from "./report";
import { bootStack, type BootedStack } from "./stack";
import type { StandInTag } from "./stand-in-repo";

/** Call inside a describe(); the returned getter gives the booted stack once `before` ran. */
export function bootedStackHooks(id: string, spec: () => Spec, tags: readonly StandInTag[]): () => BootedStack {
  let stack: BootedStack | undefined;
  before(async () => {
    stack = await bootStack(spec(), { id, tags });
    await stack.apply();
  }, { timeout: 40 * 60_000 });
  after(async () => {
    if (!stack) return;
    report(id, stack);
    if (!process.env.KEEP_BOOTED) await stack.teardown();
  }, { timeout: 5 * 60_000 });
  return () => {
    if (!stack) throw new Error(`the ${id} stack did not boot`);
    return stack;
  };
}
