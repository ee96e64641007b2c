// A user secret lands in a rendered file as it is: one that would break out of that file (a
// newline adding `LD_PRELOAD=` to env.production, a `$` dotenv would expand) stops the program
// with the secret's name and the file, never its value, before any host is touched.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { unsafeFill } from "../../src/plan/render/placeholders";
import { ROOT } from "../helpers/plans";

const ENV = "/etc/mastodon/env.production";

describe("filling secrets into files", () => {
  it("refuses what would break out of the file it lands in, and nothing else", () => {
    assert.match(unsafeFill(ENV, "hunter2\nLD_PRELOAD=/tmp/x.so")!, /control character \(U\+000A\)/);
    assert.match(unsafeFill(ENV, "pa$HOME")!, /contains \$/);
    for (const c of ['"', "'", "\\", "`", "#"]) assert.ok(unsafeFill(ENV, `a${c}b`), c);
    assert.match(unsafeFill("/etc/mastodon/backup.env", " padded")!, /starts or ends with a space/);
    assert.match(unsafeFill("/etc/pgbouncer/userlist.txt", 'a"b')!, /end its quoted word/);
    assert.match(unsafeFill("/etc/redis/redis.conf", "a\rb")!, /control character/);
    assert.equal(unsafeFill(ENV, "Zx9+/=_-.:@,AbC"), undefined);
    assert.equal(unsafeFill("/etc/mastodon/tls/postgres-ca.crt", "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n"), undefined);
    assert.match(unsafeFill("/etc/mastodon/tls/postgres-ca.crt", "not a certificate")!, /not PEM/);
  });

  it("a user secret with a newline stops the program, naming the secret and the file but not the value", () => {
    // In its own process, as `pulumi up` runs the program: the engine fails the resource whose
    // input cannot be computed, and the run ends non-zero.
    const script = `
      const pulumi = require("@pulumi/pulumi");
      const { loadStack } = require("./src/spec/load");
      const { buildPlan } = require("./src/plan");
      const { offlineConfig } = require("./src/program/index");
      const { runOffline } = require("./src/program/offline");
      const spec = loadStack("stacks/prod.yaml");
      const base = offlineConfig(spec);
      const config = { ...base, userSecrets: { ...base.userSecrets, smtpPassword: pulumi.secret("hunter2\\nLD_PRELOAD=/tmp/evil.so") } };
      runOffline(spec, buildPlan(spec), { config }).then(() => setTimeout(() => process.exit(0), 500), (e) => { console.error(String(e)); process.exit(1); });
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.notEqual(r.status, 0, "the program accepted the secret");
    assert.match(r.stderr, /secret SMTP_PASSWORD cannot be written to [a-z0-9-]+:\/etc\/mastodon\/env\.production: it contains a control character \(U\+000A\)/);
    assert.ok(!r.stderr.includes("hunter2") && !r.stderr.includes("evil.so"), r.stderr);
  });
});
