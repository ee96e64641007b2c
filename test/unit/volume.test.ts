// The first-boot mount of a data volume: shell that shellcheck accepts, the provider's by-id
// prefix, and the mount point each role keeps its data in.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { volumeMountPoint, volumeMountScript } from "../../src/plan/render/cloud-init/volume";
import { examplePlan } from "../helpers/plans";
import { loadStack } from "../../src/spec/load";
import { ROOT } from "../helpers/plans";
import { requireTool } from "../helpers/tools";

it("single mounts its volume at Postgres's directory before packages install, from cloud-init's bootcmd", (t) => {
  const box = examplePlan("single").hosts[0]!;
  assert.equal(volumeMountPoint(box), "/var/lib/postgresql");
  assert.match(box.userData, /bootcmd:/);
  assert.match(box.userData, /scsi-0HC_Volume_/);
  const script = volumeMountScript(loadStack(join(ROOT, "stacks", "single.yaml")), box);
  if (!requireTool(t, "shellcheck", "shellcheck")) return;
  const dir = mkdtempSync(join(tmpdir(), "volume-"));
  try {
    writeFileSync(join(dir, "mount.sh"), `#!/bin/sh\n${script}\n`);
    execFileSync("shellcheck", [join(dir, "mount.sh")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("hosts without a volume get no mount", () => {
  for (const h of examplePlan("hobby").hosts) assert.doesNotMatch(h.userData, /HC_Volume/);
});
