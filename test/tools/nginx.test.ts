// Every proxy host's rendered nginx files, checked by Debian's own nginx (1.22): `nginx -t` on
// each example plan and on the variants the examples do not cover, a broken copy that must
// fail (so the check is live), and one plan served for real over TLS to see its headers.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { test, type TestContext } from "node:test";
import { buildPlan, type Plan } from "../../src/plan";
import { NGINX_PATHS } from "../../src/plan/render/nginx";
import type { HostFile } from "../../src/plan/types";
import { parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { requireTool } from "../helpers/tools";
import { freePort, get, getViaProxyProtocol, listen, startNginx } from "./nginx-live";
import { buildTree, nginxTest } from "./nginx-tree";

const HSTS = "max-age=63072000; includeSubDomains";

const nginxFiles = (plan: Plan, host: string): HostFile[] => plan.hosts.find((h) => h.name === host)!.files.filter((f) => f.path.startsWith("/etc/nginx/"));
const proxyHosts = (plan: Plan) => plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => h.name);
const namesOf = (plan: Plan) => [plan.stack.webDomain, plan.stack.domain];

function tools(t: TestContext): boolean {
  return requireTool(t, "nginx", "nginx") && requireTool(t, "openssl", "openssl");
}

function assertValid(plan: Plan, label: string) {
  for (const host of proxyHosts(plan)) {
    const tree = buildTree(nginxFiles(plan, host), { names: namesOf(plan) });
    try {
      const r = nginxTest(tree);
      assert.ok(r.ok, `${label}/${host}: nginx -t failed:\n${r.output}`);
    } finally {
      tree.remove();
    }
  }
}

for (const name of EXAMPLES) {
  test(`${name}: nginx -t accepts the files of every proxy host`, (t) => {
    if (!tools(t)) return;
    assert.ok(proxyHosts(examplePlan(name)).length > 0);
    assertValid(examplePlan(name), name);
  });
}

test("variants: TLS-terminating balancer with web domain and alternate domains; local media; a name in another zone", (t) => {
  if (!tools(t)) return;
  const terminate = buildPlan(parseStack(edited("prod", (d) => {
    d.loadBalancer = { enabled: true, tls: "terminate" };
    d.webDomain = "social.example.social";
    // In the zone: a terminating balancer's certificate cannot cover others (refused in the spec rules).
    d.alternateDomains = ["www.example.social", "example.social"];
  }), "terminate.yaml"));
  assertValid(terminate, "prod-terminate");
  const redirecting = buildPlan(parseStack(edited("single", (d) => {
    d.webDomain = "social.single.example.social";
    d.alternateDomains = ["single.example.org"];
    d.media = { local: {} };
  }), "local.yaml"));
  assertValid(redirecting, "single-local-media");
});

test("a broken copy fails nginx -t: `http2 on;` (nginx ≥ 1.25.1) and a missing certificate", (t) => {
  if (!tools(t)) return;
  const plan = examplePlan("single");
  const files = nginxFiles(plan, "box");
  const http2On = buildTree(files, {
    names: namesOf(plan),
    edit: (p, c) => (p === NGINX_PATHS.site ? c.replace("listen 443 ssl http2;", "listen 443 ssl;\n  http2 on;") : c),
  });
  const noCert = buildTree(files, { names: namesOf(plan) });
  rmSync(noCert.at(NGINX_PATHS.certificate));
  try {
    const a = nginxTest(http2On);
    assert.equal(a.ok, false, "nginx 1.22 must refuse `http2 on;`");
    assert.match(a.output, /unknown directive "http2"/);
    const b = nginxTest(noCert);
    assert.equal(b.ok, false, "nginx must refuse a missing certificate");
    assert.match(b.output, /fullchain\.pem/);
  } finally {
    http2On.remove();
    noCert.remove();
  }
});

// --- a real nginx on loopback ---------------------------------------------------------------

/** Moves a site's listeners to loopback ports and its upstreams to local stand-ins. */
function onLoopback(ports: { https: number; http: number; puma: number; streaming: number }) {
  return (path: string, c: string) =>
    path !== NGINX_PATHS.site
      ? c
      : c
          .replace(/^\s*listen \[::\]:\d+.*$/gm, "")
          .replace(/listen 443 /g, `listen 127.0.0.1:${ports.https} `)
          .replace(/listen 80\b/g, `listen 127.0.0.1:${ports.http}`)
          .replace(/127\.0\.0\.\d+:3000\b/g, `127.0.0.1:${ports.puma}`)
          .replace(/127\.0\.0\.\d+:400\d\b/g, `127.0.0.1:${ports.streaming}`);
}

/** Stand-ins for Puma (which sends its own HSTS, as Rails does) and streaming; both echo the client address they were told. */
async function standIns() {
  const echo = (req: IncomingMessage) => ({ "x-seen-real-ip": String(req.headers["x-real-ip"]), "x-seen-forwarded-for": String(req.headers["x-forwarded-for"]) });
  const puma = createServer((req, res) => res.writeHead(200, { ...echo(req), "strict-transport-security": "max-age=1", "cache-control": "private", "content-type": "text/html" }).end("puma"));
  const streaming = createServer((req, res) => res.writeHead(200, { ...echo(req), "content-type": "text/plain" }).end("OK"));
  const ports = { puma: await listen(puma), streaming: await listen(streaming), https: await freePort(), http: await freePort() };
  return { ports, close: () => (puma.close(), streaming.close()) };
}

test("single: a running nginx sends one HSTS header on static, proxied, streaming and error responses", { timeout: 30_000 }, async (t) => {
  if (!tools(t)) return;
  const plan = examplePlan("single");
  const host = plan.stack.webDomain;
  const stand = await standIns();
  const tree = buildTree(nginxFiles(plan, "box"), { names: namesOf(plan), edit: onLoopback(stand.ports) });
  const put = (hostPath: string, body: string) => {
    mkdirSync(dirname(tree.at(hostPath)), { recursive: true });
    writeFileSync(tree.at(hostPath), body);
  };
  put(`${NGINX_PATHS.publicRoot}/packs/app.js`, "console.log(1);\n");
  put(`${NGINX_PATHS.publicRoot}/500.html`, "<p>sorry</p>\n");
  put(`${NGINX_PATHS.acmeWebroot}/.well-known/acme-challenge/t0k3n`, "t0k3n.thumbprint");
  let nginx: { stop(): Promise<void> } | undefined;
  try {
    nginx = await startNginx(tree, stand.ports.https);
    const https = stand.ports.https;
    const cases: [string, number, string | undefined][] = [
      ["/packs/app.js", 200, "public, max-age=2419200, must-revalidate"],
      ["/@admin", 200, "private"],
      ["/api/v1/streaming/health", 200, undefined],
      ["/packs/missing.js", 404, undefined],
    ];
    for (const [path, status, cacheControl] of cases) {
      const r = await get(https, host, path);
      assert.equal(r.status, status, path);
      assert.deepEqual(r.header("strict-transport-security"), [HSTS], `${path}: exactly nginx's HSTS header`);
      if (cacheControl) assert.deepEqual(r.header("cache-control"), [cacheControl], path);
    }
    assert.equal((await get(https, host, "/@admin")).header("x-cached").length, 1, "proxied responses carry X-Cached");
    const redirect = await get(stand.ports.http, host, "/@admin?x=1", false);
    assert.equal(redirect.status, 301);
    assert.deepEqual(redirect.header("location"), [`https://${host}/@admin?x=1`]);
    assert.equal((await get(stand.ports.http, host, "/.well-known/acme-challenge/t0k3n", false)).status, 200, "ACME challenges are served over plain HTTP");
  } finally {
    await nginx?.stop();
    stand.close();
    tree.remove();
  }
});

test("prod: behind a passthrough balancer the client address comes from PROXY protocol", { timeout: 30_000 }, async (t) => {
  if (!tools(t)) return;
  const plan = examplePlan("prod");
  const host = plan.stack.webDomain;
  const stand = await standIns();
  const loopback = onLoopback(stand.ports);
  // Here the "balancer" is this test, on loopback rather than in the private network.
  const edit = (p: string, c: string) => loopback(p, c).replace(/set_real_ip_from \S+;/, "set_real_ip_from 127.0.0.0/8;");
  const tree = buildTree(nginxFiles(plan, "edge-1"), { names: namesOf(plan), edit });
  let nginx: { stop(): Promise<void> } | undefined;
  try {
    nginx = await startNginx(tree, stand.ports.https);
    for (const path of ["/@admin", "/api/v1/streaming/health"]) {
      const r = await getViaProxyProtocol(stand.ports.https, host, path, "203.0.113.9");
      assert.equal(r.status, 200, path);
      assert.deepEqual([r.header("x-seen-real-ip"), r.header("x-seen-forwarded-for")], [["203.0.113.9"], ["203.0.113.9"]], path);
      assert.deepEqual(r.header("strict-transport-security"), [HSTS], path);
    }
    await assert.rejects(get(stand.ports.https, host, "/@admin"), "a connection without a PROXY line is refused");
  } finally {
    await nginx?.stop();
    stand.close();
    tree.remove();
  }
});

test("Puma down: Mastodon's 500.html where the release is on disk, the plan's page on an edge proxy, never nginx's bare 502", { timeout: 30_000 }, async (t) => {
  if (!tools(t)) return;
  for (const [stack, hostName] of [["single", "box"], ["prod", "edge-1"]] as const) {
    const plan = examplePlan(stack);
    const host = plan.stack.webDomain;
    const stand = await standIns();
    // Nothing listens on Puma's port: nginx itself answers 502.
    const ports = { ...stand.ports, puma: await freePort() };
    const loopback = onLoopback(ports);
    const edit = (p: string, c: string) => loopback(p, c).replace(/set_real_ip_from \S+;/, "set_real_ip_from 127.0.0.0/8;");
    const tree = buildTree(nginxFiles(plan, hostName), { names: namesOf(plan), edit });
    if (stack === "single") {
      mkdirSync(dirname(tree.at(`${NGINX_PATHS.publicRoot}/500.html`)), { recursive: true });
      writeFileSync(tree.at(`${NGINX_PATHS.publicRoot}/500.html`), "<p>release's own page</p>\n");
    }
    let nginx: { stop(): Promise<void> } | undefined;
    try {
      nginx = await startNginx(tree, ports.https);
      const r = stack === "single" ? await get(ports.https, host, "/@admin") : await getViaProxyProtocol(ports.https, host, "/@admin", "203.0.113.9");
      assert.equal(r.status, 502, stack);
      assert.doesNotMatch(r.body, /<center>nginx<\/center>/, `${stack}: not nginx's bare page`);
      assert.match(r.body, stack === "single" ? /release's own page/ : new RegExp(`${host.replace(/\./g, "\\.")} could not answer this request`), stack);
      assert.deepEqual(r.header("strict-transport-security"), [HSTS], stack);
    } finally {
      await nginx?.stop();
      stand.close();
      tree.remove();
    }
  }
});

test("a name in another zone without its certificate yet fails alone; once the hook installs one it serves, without a reload", { timeout: 30_000 }, async (t) => {
  if (!tools(t)) return;
  const plan = buildPlan(parseStack(edited("single", (d) => (d.alternateDomains = ["single.example.org"])), "other-zone.yaml"));
  const host = plan.stack.webDomain;
  const stand = await standIns();
  const tree = buildTree(nginxFiles(plan, "box"), { names: namesOf(plan), edit: onLoopback(stand.ports) });
  let nginx: { stop(): Promise<void> } | undefined;
  try {
    assert.ok(nginxTest(tree).ok, "nginx -t accepts the site before the other name has a certificate");
    nginx = await startNginx(tree, stand.ports.https);
    assert.equal((await get(stand.ports.https, host, "/@admin")).status, 200, "the web domain is served");
    await assert.rejects(get(stand.ports.https, "single.example.org", "/"), "no certificate yet: that name's handshake fails");
    // What the deploy hook does once certbot has issued it.
    const dir = tree.at("/etc/nginx/mastodon-tls/single.example.org");
    mkdirSync(dir, { recursive: true });
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=single.example.org",
      "-keyout", `${dir}/privkey.pem`, "-out", `${dir}/fullchain.pem`], { stdio: "pipe" });
    // As the hook installs it: workers (www-data when run as root) read the key at the handshake.
    if (process.getuid?.() === 0) {
      execFileSync("chgrp", ["www-data", dir, `${dir}/privkey.pem`]);
      chmodSync(`${dir}/privkey.pem`, 0o640);
      chmodSync(dir, 0o750);
    }
    const r = await get(stand.ports.https, "single.example.org", "/@admin?x=1");
    assert.equal(r.status, 301);
    assert.deepEqual(r.header("location"), [`https://${host}/@admin?x=1`]);
  } finally {
    await nginx?.stop();
    stand.close();
    tree.remove();
  }
});
