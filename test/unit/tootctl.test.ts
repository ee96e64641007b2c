// Every tootctl call the project makes, checked against the options upstream's CLI defines for
// each supported series (src/catalog/tootctl.ts): the owner account, the registrations mode and
// the maintenance timers the plans render.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SUPPORTED_SERIES } from "../../src/catalog/mastodon-releases";
import { tootctlProblems } from "../../src/catalog/tootctl";
import { adminArgs, registrationsArgs } from "../../src/components/host/admin";
import { TOOTCTL } from "../../src/plan/render/systemd/common";
import { examplePlan } from "../helpers/plans";

/** tootctl's arguments in the rendered units' ExecStart lines. */
function renderedCalls(): string[][] {
  const calls: string[][] = [];
  for (const example of ["single", "hobby", "prod"]) {
    for (const h of examplePlan(example).hosts) {
      for (const f of h.files) {
        for (const m of f.content.matchAll(new RegExp(`^ExecStart=${TOOTCTL} (.*)$`, "gm"))) calls.push(m[1]!.trim().split(/\s+/));
      }
    }
  }
  return calls;
}

describe("tootctl calls", () => {
  it("the owner account, every registrations mode and every rendered timer use only options each supported series defines", () => {
    const timers = renderedCalls();
    // prod has search: its weekly `search deploy` (the cleanup jobs are gone, content retention decides).
    assert.ok(timers.some((c) => c.join(" ").startsWith("search deploy")), `no search deploy timer among ${JSON.stringify(timers)}`);
    const admin = adminArgs("admin", "admin@example.social");
    const calls = [admin.create, admin.modify, ...(["open", "approval", "closed"] as const).map(registrationsArgs), ...timers];
    for (const series of SUPPORTED_SERIES) {
      for (const c of calls) assert.deepEqual(tootctlProblems(series, c), [], `${series}: tootctl ${c.join(" ")}`);
    }
  });

  it("the owner is approved on creation (approval-mode registrations would leave it pending) and registrations use upstream's names", () => {
    assert.ok(adminArgs("a", "a@example.social").create.includes("--approve"));
    assert.ok(adminArgs("a", "a@example.social").modify.includes("--approve"));
    assert.deepEqual(["open", "approval", "closed"].map((m) => registrationsArgs(m as "open").at(-1)), ["open", "approved", "close"]);
  });

  it("refuses what upstream's CLI does not define, per series", () => {
    assert.deepEqual(tootctlProblems("4.5", ["accounts", "create", "a", "--email", "a@b", "--skip-sign-in-token"]), ["tootctl accounts create: 4.5 has no option --skip-sign-in-token"]);
    assert.deepEqual(tootctlProblems("4.5", ["settings", "registrations", "closed"]), ["tootctl settings registrations closed: no such command in 4.5"]);
    assert.deepEqual(tootctlProblems("4.3", ["search", "deploy", "--only-mapping"]), ["tootctl search deploy: 4.3 has no option --only-mapping"]);
    assert.deepEqual(tootctlProblems("4.4", ["search", "deploy", "--only-mapping"]), []);
    assert.deepEqual(tootctlProblems("4.5", ["media", "remove", "--keep-interacted"]), ["tootctl media remove: 4.5 has no option --keep-interacted"]);
    assert.deepEqual(tootctlProblems("4.6", ["media", "remove", "--keep-interacted", "--days", "7"]), []);
  });
});
