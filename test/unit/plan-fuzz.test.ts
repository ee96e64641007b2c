// Stacks an admin might write that no example covers: random layouts on either provider. Each
// must be refused with a SpecError or CapacityError, or plan with the invariants intact —
// never crash in the planner or a renderer.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildPlan, CapacityError } from "../../src/plan";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { stack, toYaml } from "../helpers/layouts";

test("random layouts are refused cleanly or planned with their invariants", () => {
  const outcomes = { planned: 0, spec: 0, capacity: 0 };
  fc.assert(
    fc.property(stack, (s) => {
      const text = toYaml(s);
      let plan;
      try {
        plan = buildPlan(parseStack(text, "fuzz.yaml"));
      } catch (e) {
        if (e instanceof SpecError) return void outcomes.spec++;
        if (e instanceof CapacityError) return void outcomes.capacity++;
        throw new Error(`crashed on:\n${text}\n${(e as Error).stack}`);
      }
      outcomes.planned++;
      const procs = plan.hosts.flatMap((h) => h.processes);
      assert.equal(procs.filter((p) => p.queues?.includes("scheduler")).length, 1, text);
      for (const p of procs.filter((x) => x.kind === "sidekiq")) assert.ok(p.threads === p.dbPool && p.threads <= 25, text);
      for (const h of plan.hosts) {
        assert.ok(h.memory.usedMb <= h.memory.availableMb, `${h.name} over memory:\n${text}`);
        for (const f of h.files) {
          assert.ok(f.path.startsWith("/"), f.path);
          if (f.secrets.length > 0) assert.match(f.mode, /^0[0-7]00$/, `${h.name}:${f.path} holds secrets with mode ${f.mode}`);
        }
        assert.doesNotMatch(h.userData, /\{\{secret:/, `${h.name} user-data carries a secret`);
      }
    }),
    { numRuns: 400, seed: 424242 },
  );
  console.log(`random layouts: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.planned > 20, `too few layouts planned to mean anything: ${JSON.stringify(outcomes)}`);
});
