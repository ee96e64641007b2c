// Certificates: which challenge each layout uses, what certbot is asked, and that the deploy
// hook and placeholder are real shell (shellcheck; sh -n).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ACME_DEPLOY_HOOK, acmeMode, issueCommand, placeholderCertificateCommand } from "../../src/plan/render/acme";
import { parseStack } from "../../src/spec/load";
import { examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { requireTool } from "../helpers/tools";

const spec = (name: string, edit: (d: Record<string, any>) => void = () => {}) => parseStack(edited(name, edit), `${name}.yaml`);

describe("ACME", () => {
  it("one proxy: HTTP-01 through the webroot; several behind a balancer: DNS-01 on the stack's DNS; terminating balancer: none", () => {
    assert.deepEqual(acmeMode(spec("single")), { kind: "http-01" });
    assert.deepEqual(acmeMode(spec("prod")), { kind: "dns-01", provider: "digitalocean" });
    assert.deepEqual(acmeMode(spec("prod", (d) => (d.loadBalancer.tls = "terminate"))), { kind: "none" });
  });

  it("asks certbot for every name, keeps a valid certificate, and installs it through the hook", () => {
    const cmd = issueCommand(spec("single", (d) => (d.alternateDomains = ["alt.example.social"])), { kind: "http-01" })!;
    assert.match(cmd, /^'certbot' 'certonly' '--non-interactive' '--agree-tos' '--keep-until-expiring'/);
    assert.match(cmd, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
    assert.match(cmd, /'-d' 'single.example.social' '-d' 'alt.example.social'$|'-d' 'single.example.social' '-d' 'alt.example.social' &&/);
    assert.match(cmd, /'--register-unsafely-without-email'/);
    const prod = issueCommand(spec("prod"), { kind: "dns-01", provider: "digitalocean" })!;
    assert.match(prod, /'--dns-digitalocean' '--dns-digitalocean-credentials' '\/etc\/letsencrypt\/mastodon-stack-dns.ini'/);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("DNS-01 credentials are a secret file, mode 0600", () => {
    const f = examplePlan("prod").hosts.find((h) => h.name === "edge-1")!.files.find((x) => x.path.endsWith("mastodon-stack-dns.ini"))!;
    assert.equal(f.mode, "0600");
    assert.deepEqual(f.secrets, ["ACME_DNS_TOKEN"]);
  });
});
