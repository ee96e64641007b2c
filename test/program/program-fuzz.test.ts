// The program on random layouts (the planner's property-test generator): every stack the plan
// accepts must also register its resources — no crash in a component, every marker filled,
// nothing but the web open to the world.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { DATA_PORTS } from "../../src/components/firewall-rules";
import { buildPlan, CapacityError } from "../../src/plan";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { covers, inboundRules, WORLD } from "../helpers/firewall";
import { stack, toYaml } from "../helpers/layouts";
import { runProgram } from "../helpers/program";

test("random layouts that plan also run through the program with its invariants", async () => {
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(stack, async (s) => {
      const text = toYaml(s);
      let spec;
      let plan;
      try {
        spec = parseStack(text, "fuzz.yaml");
        plan = buildPlan(spec);
      } catch (e) {
        if (e instanceof SpecError || e instanceof CapacityError) return;
        throw e;
      }
      ran++;
      const run = await runProgram(spec, plan).catch((e: Error) => {
        throw new Error(`the program failed on:\n${text}\n${e.stack}`);
      });
      const servers = run.resources.filter((r) => /droplet:Droplet|server:Server/.test(r.type));
      assert.equal(servers.length, plan.hosts.length, text);
      for (const rule of inboundRules(run)) {
        for (const port of DATA_PORTS) if (covers(rule, port)) assert.ok(!rule.sources.some((x) => WORLD.includes(x)), `${rule.firewall} opens ${port} to the world:\n${text}`);
      }
      for (const files of Object.values(run.hostFiles)) for (const f of files) assert.doesNotMatch(f.content, /\{\{(secret|output):/, `${f.path}:\n${text}`);
    }),
    { numRuns: 120, seed: 20261124 },
  );
  assert.ok(ran >= 15, `only ${ran} random layouts reached the program`);
  console.log(`program fuzz: ${ran} layouts ran through the program`);
});
