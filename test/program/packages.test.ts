// The packages step under mocks: one command per host, after its first boot and before its
// converge (and before a release builds there), pinned like its siblings, with the plan's input on
// stdin, nothing secret but the connection, and a trigger that moves only with that input.
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, it } from "node:test";
import { CONVERGE_PATH, PACKAGES_PATH, packagesScript } from "../../src/components/host/commands";
import { mockHostKey } from "../../src/components/host/host-key";
import { buildPlan } from "../../src/plan";
import type { RecordedResource } from "../../src/program/mocks";
import { runOffline } from "../../src/program/offline";
import { loadStack, parseStack } from "../../src/spec/load";
import { inputs, ofType, one, runProgram, runStack, STACKS, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const COMMAND = "command:remote:Command";
const cmd = (run: ProgramRun, name: string) => one(run, COMMAND, name);
const dependsOn = (a: RecordedResource, b: RecordedResource) => a.dependencies.includes(b.urn);

const runs: Record<string, ProgramRun> = {};
before(async () => {
  for (const s of ["hobby", "prod"]) runs[s] = await runStack(s);
});

for (const stack of ["hobby", "prod"]) {
  describe(`packages step: ${stack}`, () => {
    it("one per host, a child of the host's component, after its boot wait and script install, before its converge", () => {
      const run = runs[stack]!;
      const steps = ofType(run, COMMAND).filter((c) => c.name.endsWith("-packages"));
      assert.deepEqual(steps.map((c) => c.name).sort(), run.plan.hosts.map((h) => `${stack}-host-${h.name}-packages`).sort());
      for (const h of run.plan.hosts) {
        const base = `${stack}-host-${h.name}`;
        const step = cmd(run, `${base}-packages`);
        const component = one(run, "mastodon:host:Converge", base);
        assert.equal(step.parent, component.urn);
        const boot = cmd(run, `${base}-boot`);
        const install = cmd(run, `${base}-packages-install`);
        assert.ok(dependsOn(install, boot) && dependsOn(step, install) && dependsOn(step, boot), `${base}: boot → install → packages`);
        assert.ok(dependsOn(cmd(run, `${base}-converge`), step), `${base}: the converge waits for the packages`);
        assert.equal(inputs(install).stdin, packagesScript());
        assert.match(String(inputs(install).create), /\/usr\/local\/sbin\/mastodon-packages'$/);
      }
    });

    it("the plan's input on stdin, the script's path as the command, no environment, nothing secret but the connection", () => {
      const run = runs[stack]!;
      for (const h of run.plan.hosts) {
        const step = cmd(run, `${stack}-host-${h.name}-packages`);
        const converge = cmd(run, `${stack}-host-${h.name}-converge`);
        const i = inputs(step);
        assert.equal(i.create, PACKAGES_PATH);
        assert.equal(i.update, PACKAGES_PATH);
        assert.equal(i.stdin, h.packages.input);
        // As the converge: what the script needs travels on stdin, never in an environment sshd may refuse.
        assert.equal(i.environment, undefined);
        assert.equal(inputs(converge).environment, undefined);
        assert.equal(inputs(converge).create, CONVERGE_PATH);
        assert.deepEqual(step.secretInputs, ["connection"], `${step.name} has secret inputs ${step.secretInputs.join(", ")}`);
        const triggers = i.triggers as unknown[];
        assert.equal(triggers.length, 2);
        assert.equal(triggers[1], h.packages.sha256);
      }
    });

    it("pinned to the key its host's boot reported, as every command after the boot", async () => {
      const spec = loadStack(path.join(STACKS, `${stack}.yaml`));
      const revealed = await runOffline(spec, buildPlan(spec), { revealSecrets: true });
      for (const h of runs[stack]!.plan.hosts) {
        const base = `${stack}-host-${h.name}`;
        const connection = (name: string) => (revealed.resources.find((r) => r.name === name)!.rawInputs as { connection: { host: string; hostKey?: string } }).connection;
        assert.equal(connection(`${base}-packages`).hostKey, mockHostKey(`${base}-boot`));
        assert.equal(connection(`${base}-packages`).host, connection(`${base}-converge`).host);
      }
    });
  });
}

describe("packages step: ordering with the release, and what re-runs it", () => {
  it("a release builds only once its host has its packages (the release's Node)", () => {
    const prod = runs.prod!;
    for (const b of ofType(prod, COMMAND).filter((c) => c.name.endsWith("-build"))) {
      const h = b.name.replace(/^prod-release-(.*)-build$/, "$1");
      assert.ok(dependsOn(b, cmd(prod, `prod-host-${h}-packages`)), b.name);
    }
  });

  it("moving to 4.6 re-triggers the app hosts' packages step only; an unchanged stack re-triggers nothing", async () => {
    const prod = runs.prod!;
    const trig = (r: ProgramRun, n: string) => JSON.stringify(inputs(cmd(r, n)).triggers);
    const again = await runStack("prod");
    const v46 = await runProgram(parseStack(edited("prod", (d) => (d.mastodon.version = "v4.6.5")), "prod.yaml"));
    for (const h of prod.plan.hosts) {
      const name = `prod-host-${h.name}-packages`;
      assert.equal(trig(again, name), trig(prod, name));
      const app = h.processes.length > 0;
      assert.equal(trig(v46, name) !== trig(prod, name), app, `${name}: ${app ? "needs" : "does not need"} Node 24`);
      if (app) assert.match(String(inputs(cmd(v46, name)).stdin), /^source\t\/etc\/apt\/sources\.list\.d\/nodesource\.list\t/m);
    }
  });
});
