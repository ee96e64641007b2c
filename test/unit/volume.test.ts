// The first-boot mount of a data volume: shell that shellcheck accepts, the provider's by-id
// prefix, and the mount point each role keeps its data in.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it, type TestContext } from "node:test";
import { DATA_ROOT, dataDirs, volumeMountPoint, volumeMountScript } from "../../src/plan/render/cloud-init/volume";
import { buildPlan } from "../../src/plan";
import { mediaVars } from "../../src/plan/render/env/media";
import { LOCAL_MEDIA_ROOT } from "../../src/plan/render/systemd/common";
import { NGINX_PATHS } from "../../src/plan/render/nginx";
import { parseStack } from "../../src/spec/load";
import { edited } from "../helpers/stacks";
import { parse as parseYaml } from "yaml";
import { examplePlan } from "../helpers/plans";
import { loadStack } from "../../src/spec/load";
import { ROOT } from "../helpers/plans";
import { requireTool } from "../helpers/tools";

/** The mount script as cloud-init runs it (sh), through shellcheck. */
function shellcheckScript(t: TestContext, script: string): void {
  if (!requireTool(t, "shellcheck", "shellcheck")) return;
  const dir = mkdtempSync(join(tmpdir(), "volume-"));
  try {
    writeFileSync(join(dir, "mount.sh"), `#!/bin/sh\n${script}\n`);
    execFileSync("shellcheck", [join(dir, "mount.sh")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it("single mounts its volume at Postgres's directory before packages install, from cloud-init's bootcmd", (t) => {
  const box = examplePlan("single").hosts[0]!;
  assert.equal(volumeMountPoint(loadStack(join(ROOT, "stacks", "single.yaml")), box), "/var/lib/postgresql");
  // One kind of data: mounted straight at Postgres's directory, as booted hosts run it.
  assert.match(box.userData, /mp=\/var\/lib\/postgresql\n/);
  assert.doesNotMatch(box.userData, /mastodon-data|none bind/);
  assert.match(box.userData, /bootcmd:/);
  assert.match(box.userData, /scsi-0HC_Volume_/);
  const script = volumeMountScript(loadStack(join(ROOT, "stacks", "single.yaml")), box);
  shellcheckScript(t, script);
});

it("hosts without a volume get no mount", () => {
  for (const h of examplePlan("hobby").hosts) assert.doesNotMatch(h.userData, /HC_Volume/);
});

it("local media beside Postgres goes on the volume too: one mount, a bind mount per data directory, media owned by mastodon", (t) => {
  const spec = parseStack(edited("single", (d) => ((d.media = { local: {} }), d.hosts[0].roles.push("media"))), "single.yaml");
  const box = buildPlan(spec).hosts[0]!;
  assert.deepEqual(dataDirs(spec, box).map((d) => d.path), ["/var/lib/postgresql", LOCAL_MEDIA_ROOT]);
  // Postgres's directory is still a mount point (the database setup checks it), now a bind mount.
  assert.equal(volumeMountPoint(spec, box), "/var/lib/postgresql");
  const script = volumeMountScript(spec, box);
  assert.match(script, new RegExp(`^mp=${DATA_ROOT}\n`));
  assert.match(script, /echo "\/srv\/mastodon-data\/postgresql \/var\/lib\/postgresql none bind,nofail,x-systemd\.requires-mounts-for=\/srv\/mastodon-data 0 0" >> \/etc\/fstab/);
  assert.match(script, /echo "\/srv\/mastodon-data\/media \/var\/lib\/mastodon\/public-system none bind,nofail,x-systemd\.requires-mounts-for=\/srv\/mastodon-data 0 0" >> \/etc\/fstab/);
  // The paths Mastodon writes and nginx serves are the bind-mounted directory.
  assert.equal(mediaVars(spec).PAPERCLIP_ROOT_PATH, LOCAL_MEDIA_ROOT);
  const site = box.files.find((f) => f.path === NGINX_PATHS.site)!.content;
  assert.match(site, new RegExp(`alias ${LOCAL_MEDIA_ROOT}/;`));
  const cloud = parseYaml(box.userData.replace(/^#cloud-config\n/, "")) as { bootcmd: string[][]; runcmd: string[][] };
  assert.ok(cloud.bootcmd.some((c) => c[2] === script), "the script runs as a bootcmd");
  const runcmd = cloud.runcmd.map((c) => c.join(" "));
  assert.ok(runcmd.includes("install -d -o mastodon -g mastodon -m 0750 /var/lib/mastodon"), runcmd.join("\n"));
  assert.ok(runcmd.includes(`chown mastodon:mastodon ${LOCAL_MEDIA_ROOT}`) && runcmd.includes(`chmod 0750 ${LOCAL_MEDIA_ROOT}`));
  // A volume for local media alone is mounted at the media directory, and owned the same way.
  const mediaOnly = { roles: ["web", "sidekiq", "media"] as const, name: "app" };
  assert.deepEqual(dataDirs(spec, { roles: [...mediaOnly.roles] }).map((d) => d.path), [LOCAL_MEDIA_ROOT]);
  assert.match(volumeMountScript(spec, { ...mediaOnly, roles: [...mediaOnly.roles] }), new RegExp(`^mp=${LOCAL_MEDIA_ROOT}\n`));
  shellcheckScript(t, script);
});

it("nothing that keeps data on the volume starts before it is mounted: PostgreSQL's drop-in, and with local media every Mastodon unit", () => {
  const dropIn = "/etc/systemd/system/postgresql@.service.d/mastodon-volume.conf";
  // The application's processes (the streaming ones through their template unit).
  const unitsOf = (plan: ReturnType<typeof buildPlan>) => {
    const names = new Set(plan.hosts[0]!.processes.map((p) => p.unit.replace(/@\d+\.service$/, "@.service")));
    return plan.hosts[0]!.files.filter((f) => names.has(f.path.split("/").pop()!));
  };
  const single = examplePlan("single");
  assert.equal(single.hosts[0]!.files.find((f) => f.path === dropIn)?.content, "# Rendered by mastodon-stack: the cluster's data is on the volume mounted here.\n[Unit]\nRequiresMountsFor=/var/lib/postgresql\n");
  assert.ok(unitsOf(single).every((f) => !f.content.includes("RequiresMountsFor")), "R2 media: the app does not wait for the volume");
  const local = buildPlan(parseStack(edited("single", (d) => (d.media = { local: {} })), "single.yaml"));
  const units = unitsOf(local);
  assert.ok(units.length > 3 && units.every((f) => f.content.includes(`\nRequiresMountsFor=${LOCAL_MEDIA_ROOT}\n`)), units.map((f) => f.path).join(", "));
  assert.ok(examplePlan("hobby").hosts.every((h) => h.files.every((f) => f.path !== dropIn && !f.content.includes("RequiresMountsFor"))), "no volume, nothing to wait for");
});
