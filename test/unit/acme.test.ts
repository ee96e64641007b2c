// Certificates: which challenge each layout uses, what certbot is asked, and that the deploy
// hook and placeholder are real shell (shellcheck; sh -n).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACME_DEPLOY_HOOK, acmeMode, ingressWaitCommand, issueCommand, placeholderCertificateCommand } from "../../src/plan/render/acme";
import { CERTBOT_DROP_IN, certificateSplit, SEPARATE_SCRIPT } from "../../src/plan/render/acme/separate";
import { buildPlan } from "../../src/plan";
import { parseStack } from "../../src/spec/load";
import { examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { shellcheck } from "../helpers/tools";

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
    const cmd = issueCommand(spec("single", (d) => (d.alternateDomains = ["alt.single.example.social"])), { kind: "http-01" })!;
    assert.match(cmd, /^'certbot' 'certonly' '--non-interactive' '--agree-tos' '--keep-until-expiring'/);
    assert.match(cmd, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
    assert.match(cmd, /'-d' 'single.example.social' '-d' 'alt.single.example.social' && RENEWED_LINEAGE=/);
    assert.match(cmd, /'--register-unsafely-without-email'/);
    const prod = issueCommand(spec("prod"), { kind: "http-01" })!;
    assert.match(prod, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
    assert.doesNotMatch(prod, /--dns-/);
    assert.match(prod, /'--email' 'admin@example.social'/);
  });

  it("the deploy hook and the placeholder command pass shellcheck / sh -n", (t) => {
    const check = shellcheck(t);
    if (!check) return;
    const hook = examplePlan("single").hosts[0]!.files.find((f) => f.path === ACME_DEPLOY_HOOK)!;
    assert.equal(hook.mode, "0755");
    assert.equal(check(hook.content), "");
    const [, , script] = placeholderCertificateCommand(spec("single"));
    assert.equal(check(`#!/bin/sh\n${script}\n`), "");
    assert.equal(check(`#!/bin/sh\n${ingressWaitCommand(spec("prod"), ["198.51.100.7", "198.51.100.8"])}\n`), "");
  });

  it("no proxy holds a token that may edit the DNS zone, and certbot needs no DNS plugin", () => {
    for (const h of examplePlan("prod").hosts) assert.ok(!h.files.some((f) => f.path.includes("dns.ini") || f.secrets.includes("ACME_DNS_TOKEN")), h.name);
    const userData = examplePlan("prod").hosts.find((h) => h.name === "edge-1")!.userData;
    assert.match(userData, /- certbot\n/);
    assert.doesNotMatch(userData, /certbot-dns/);
  });

});

describe("names in another DNS zone", () => {
  // single.yaml's zone is single.example.social; the web domain is inside it, the local domain is not.
  const split = spec("single", (d) => {
    d.domain = "example.org";
    d.dns.zone = "single.example.social";
    d.webDomain = "social.single.example.social";
    d.alternateDomains = ["www.single.example.social", "other.example.net"];
    delete d.mail;
  });

  it("the web domain and the zone's names share one certificate; each other name gets its own", () => {
    assert.deepEqual(certificateSplit(split), { main: ["social.single.example.social", "www.single.example.social"], separate: ["example.org", "other.example.net"] });
    const cmd = issueCommand(split, { kind: "http-01" })!;
    // The main certificate must be issued (its failure fails the command); the others come after, through the tolerant script.
    assert.match(cmd, /'--cert-name' 'mastodon' .*'-d' 'social\.single\.example\.social' '-d' 'www\.single\.example\.social' && RENEWED_LINEAGE=\/etc\/letsencrypt\/live\/mastodon \S+ && \/usr\/local\/sbin\/mastodon-certificates$/);
    assert.doesNotMatch(cmd, /'-d' 'example\.org'|other\.example\.net/);
    // Without a DNS provider nothing tells the zones apart: one certificate, as before.
    const none = spec("single", (d) => ((d.dns = { provider: "none" }), (d.alternateDomains = ["other.example.net"]), delete d.mail, delete d.media.r2.customDomain));
    assert.deepEqual(certificateSplit(none), { main: ["single.example.social", "other.example.net"], separate: [] });
    assert.doesNotMatch(issueCommand(none, { kind: "http-01" })!, /mastodon-certificates/);
  });

  it("the proxy tries each other name alone, never failing, and certbot.timer retries; shellcheck passes", (t) => {
    const box = buildPlan(split).hosts.find((h) => h.name === "box")!;
    const script = box.files.find((f) => f.path === SEPARATE_SCRIPT)!;
    assert.equal(script.mode, "0755");
    for (const n of ["example.org", "other.example.net"]) {
      assert.match(script.content, new RegExp(`if ! \\{ 'certbot' .*'--cert-name' 'mastodon-${n.replace(/\./g, "\\.")}' .*'-d' '${n.replace(/\./g, "\\.")}' && \\{ \\[ -f /etc/nginx/mastodon-tls/${n.replace(/\./g, "\\.")}/fullchain\\.pem \\]`));
    }
    assert.match(script.content, /\nexit 0\n$/);
    const dropIn = box.files.find((f) => f.path === CERTBOT_DROP_IN)!;
    assert.match(dropIn.content, /^\[Service\]\nExecStartPost=-\/usr\/local\/sbin\/mastodon-certificates$/m);
    assert.deepEqual(dropIn.after, [{ kind: "daemon-reload" }]);
    const site = box.files.find((f) => f.path === "/etc/nginx/sites-enabled/mastodon.conf")!.content;
    assert.match(site, /server_name www\.single\.example\.social;\n  include \/etc\/nginx\/snippets\/mastodon-tls\.conf;/);
    assert.match(site, /server_name example\.org other\.example\.net;\n  include \/etc\/nginx\/snippets\/mastodon-tls-separate\.conf;/);
    assert.match(site, /server_name social\.single\.example\.social www\.single\.example\.social example\.org other\.example\.net;/, "port 80 answers the challenge for every name");
    const tls = box.files.find((f) => f.path.endsWith("mastodon-tls-separate.conf"))!.content;
    assert.match(tls, /ssl_certificate \/etc\/nginx\/mastodon-tls\/\$ssl_server_name\/fullchain\.pem;\nssl_certificate_key \/etc\/nginx\/mastodon-tls\/\$ssl_server_name\/privkey\.pem;/);
    // Examples without such names render none of it.
    assert.equal(examplePlan("single").hosts[0]!.files.some((f) => f.path === SEPARATE_SCRIPT || f.path === CERTBOT_DROP_IN), false);
    const check = shellcheck(t);
    if (!check) return;
    assert.equal(check(script.content), "");
    assert.equal(check(box.files.find((f) => f.path === ACME_DEPLOY_HOOK)!.content), "");
  });
});
