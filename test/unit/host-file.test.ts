// Where rendered files may go: the renderer and the converge script (which writes as root) agree
// on one list, and both refuse everything else.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ALLOWED_ROOTS, allowedPath, hostFile } from "../../src/plan/render/host-file";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";

test("the converge script's ALLOWED_ROOTS is the renderer's list", () => {
  const script = readFileSync(join(ROOT, "templates/scripts/converge.sh"), "utf8");
  const line = /^ALLOWED_ROOTS=\((.*)\)$/m.exec(script)?.[1];
  assert.deepEqual(line?.split(" "), [...ALLOWED_ROOTS]);
});

test("only normalised paths strictly under an allowed root are rendered", () => {
  for (const p of ["/etc/mastodon/env.production", "/etc/postgresql/17/main/conf.d/mastodon.conf", "/usr/local/sbin/mastodon-backup"]) assert.ok(allowedPath(p), p);
  for (const p of ["/etc/cron.d/x", "/etc/mastodon/", "/etc/mastodon", "/etc/mastodon/../cron.d/x", "/etc/mastodon/./x", "/etc/mastodon//x", "etc/mastodon/x", "/etc/mastodonx/y"]) {
    assert.ok(!allowedPath(p), p);
  }
  assert.throws(() => hostFile("/etc/cron.d/evil", "x"), /\/etc\/cron\.d\/evil is not under an allowed root/);
  for (const name of EXAMPLES) for (const h of examplePlan(name).hosts) for (const f of h.files) assert.ok(allowedPath(f.path), `${name} ${h.name} ${f.path}`);
});
