// Certificates: which challenge each layout uses, what certbot is asked, and that the deploy
// hook and placeholder are real shell (shellcheck; sh -n).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ACME_DEPLOY_HOOK, acmeMode, ingressWaitCommand, issueCommand, placeholderCertificateCommand } from "../../src/plan/render/acme";
import { parseStack } from "../../src/spec/load";
import { examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { requireTool } from "../helpers/tools";

const spec = (name: string, edit: (d: Record<string, any>) => void = () => {}) => parseStack(edited(name, edit), `${name}.yaml`);

describe("ACME", () => {
  it("HTTP-01 through the webroot for one proxy or several; a terminating balancer: none", () => {
    assert.deepEqual(acmeMode(spec("single")), { kind: "http-01" });
    assert.deepEqual(acmeMode(spec("prod")), { kind: "http-01" });
    assert.deepEqual(acmeMode(spec("prod", (d) => ((d.dns = { provider: "none" }), delete d.mail.records))), { kind: "http-01" });
    assert.deepEqual(acmeMode(spec("prod", (d) => (d.loadBalancer.tls = "terminate"))), { kind: "none" });
  });

  it("several proxies look up each other's tokens on a private-only port; one proxy has no peers", () => {
    const site = (stack: string, host: string) => examplePlan(stack).hosts.find((h) => h.name === host)!.files.find((f) => f.path === "/etc/nginx/sites-enabled/mastodon.conf")!.content;
    const edge1 = site("prod", "edge-1");
    assert.match(edge1, /try_files \$uri @acme_peers;/);
    assert.match(edge1, /upstream acme_peers \{\n  server \{\{output:address\.edge-2\}\}:8042;\n\}/);
    assert.doesNotMatch(edge1, /address\.edge-1\}\}:8042/);
    assert.match(edge1, /listen 8042;\n  server_name acme_peer_lookup;\n  allow 10\.10\.0\.0\/16;\n  deny all;/);
    const single = site("single", "box");
    assert.match(single, /try_files \$uri =404;/);
    assert.doesNotMatch(single, /acme_peers|8042/);
  });

  it("asks certbot for every name, keeps a valid certificate, and installs it through the hook", () => {
    const cmd = issueCommand(spec("single", (d) => (d.alternateDomains = ["alt.example.social"])), { kind: "http-01" })!;
    assert.match(cmd, /^'certbot' 'certonly' '--non-interactive' '--agree-tos' '--keep-until-expiring'/);
    assert.match(cmd, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
    assert.match(cmd, /'-d' 'single.example.social' '-d' 'alt.example.social'$|'-d' 'single.example.social' '-d' 'alt.example.social' &&/);
    assert.match(cmd, /'--register-unsafely-without-email'/);
    const prod = issueCommand(spec("prod"), { kind: "http-01" })!;
    assert.match(prod, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
    assert.doesNotMatch(prod, /--dns-/);
    assert.match(prod, /'--email' 'admin@example.social'/);
  });

  it("the deploy hook and the placeholder command pass shellcheck / sh -n", (t) => {
    if (!requireTool(t, "shellcheck", "shellcheck")) return;
    const hook = examplePlan("single").hosts[0]!.files.find((f) => f.path === ACME_DEPLOY_HOOK)!;
    assert.equal(hook.mode, "0755");
    const dir = mkdtempSync(join(tmpdir(), "acme-"));
    try {
      writeFileSync(join(dir, "hook"), hook.content);
      execFileSync("shellcheck", [join(dir, "hook")]);
      const [, , script] = placeholderCertificateCommand(spec("single"));
      writeFileSync(join(dir, "placeholder"), `#!/bin/sh\n${script}\n`);
      execFileSync("shellcheck", [join(dir, "placeholder")]);
      writeFileSync(join(dir, "wait"), `#!/bin/sh\n${ingressWaitCommand(spec("prod"), ["198.51.100.7", "198.51.100.8"])}\n`);
      execFileSync("shellcheck", [join(dir, "wait")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("no proxy holds a token that may edit the DNS zone, and certbot needs no DNS plugin", () => {
    for (const h of examplePlan("prod").hosts) assert.ok(!h.files.some((f) => f.path.includes("dns.ini") || f.secrets.includes("ACME_DNS_TOKEN")), h.name);
    const userData = examplePlan("prod").hosts.find((h) => h.name === "edge-1")!.userData;
    assert.match(userData, /- certbot\n/);
    assert.doesNotMatch(userData, /certbot-dns/);
  });

});
