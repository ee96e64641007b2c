// The nginx renderer's decisions, read back from its output: determinism, upstream membership,
// PROXY protocol exactly when the balancer passes TLS through, HSTS in every location.
// (Whether nginx accepts the files is test/tools/nginx.test.ts's job.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildPlan, type Plan } from "../../src/plan";
import { PUMA_PORT } from "../../src/plan/capacity/model";
import { NGINX_PATHS, railsMustServeStatic } from "../../src/plan/render/nginx";
import type { HostFile, PlannedHost, ProcessKind } from "../../src/plan/types";
import { loadStack, parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";
import { edited } from "../helpers/stacks";

const nginxFiles = (h: PlannedHost): HostFile[] => h.files.filter((f) => f.path.startsWith("/etc/nginx/"));
const site = (h: PlannedHost): string => h.files.find((f) => f.path === NGINX_PATHS.site)!.content;
const proxies = (plan: Plan) => plan.hosts.filter((h) => h.roles.includes("proxy"));
const planOf = (name: string, edit: Parameters<typeof edited>[1]) => buildPlan(parseStack(edited(name, edit), `${name}.yaml`));

/** The `server` lines of one upstream block. */
function upstreamServers(conf: string, name: string): string[] {
  const block = new RegExp(`^upstream ${name} \\{\\n([\\s\\S]*?)^\\}`, "m").exec(conf);
  if (!block) return [];
  return [...block[1]!.matchAll(/^\s*server (\S+)/gm)].map((m) => m[1]!);
}

function planned(plan: Plan, self: PlannedHost, kind: ProcessKind): string[] {
  return plan.hosts.flatMap((h) =>
    h.processes.filter((p) => p.kind === kind).map((p) => `${h.name === self.name ? "127.0.0.1" : h.privateAddress}:${p.port ?? PUMA_PORT}`),
  );
}

for (const name of EXAMPLES) {
  test(`${name}: the nginx files are byte-identical across two independent plans`, () => {
    const a = buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    const b = buildPlan(loadStack(join(ROOT, "stacks", `${name}.yaml`)));
    assert.ok(proxies(a).length > 0);
    for (const [i, h] of a.hosts.entries()) assert.deepEqual(nginxFiles(h), nginxFiles(b.hosts[i]!), h.name);
  });

  test(`${name}: only proxy hosts get nginx files, each reloading nginx and free of secrets`, () => {
    for (const h of examplePlan(name).hosts) {
      const files = nginxFiles(h);
      if (!h.roles.includes("proxy")) {
        assert.equal(files.length, 0, h.name);
        continue;
      }
      assert.ok(files.some((f) => f.path === NGINX_PATHS.conf) && files.some((f) => f.path === NGINX_PATHS.site), h.name);
      for (const f of files) {
        // nginx opens the error page per request: a new page needs no reload.
        assert.deepEqual(f.after, f.path === NGINX_PATHS.errorPage ? [] : [{ kind: "reload", unit: "nginx.service" }], f.path);
        assert.deepEqual([f.mode, f.secrets], ["0644", []], f.path);
      }
    }
  });

  test(`${name}: upstreams list exactly the planned Puma and streaming processes`, () => {
    const plan = examplePlan(name);
    for (const h of proxies(plan)) {
      const streaming = planned(plan, h, "streaming");
      assert.ok(streaming.length > 0, "every example runs streaming");
      assert.deepEqual(upstreamServers(site(h), "streaming"), streaming, h.name);
      assert.deepEqual(upstreamServers(site(h), "backend"), planned(plan, h, "web"), h.name);
      assert.match(site(h), /upstream streaming \{\n\s*least_conn;/);
    }
  });

  test(`${name}: every location of every server sends HSTS (directly or through the Puma snippet)`, () => {
    for (const h of proxies(examplePlan(name))) {
      const blocks = site(h).split(/\n\s*location /).slice(1);
      assert.ok(blocks.length >= 3, h.name);
      for (const b of blocks) assert.match(b.slice(0, b.indexOf("}")), /include \S+\/mastodon-(hsts|backend)\.conf;/, `${h.name}: location ${b.split("\n")[0]}`);
    }
  });
}

test("prod's streaming upstream spans both web hosts (one process each, port 4000) by their private addresses", () => {
  const plan = examplePlan("prod");
  assert.deepEqual(upstreamServers(site(proxies(plan)[0]!), "streaming"), ["{{output:address.web-1}}:4000", "{{output:address.web-2}}:4000"]);
  assert.deepEqual(upstreamServers(site(proxies(examplePlan("single"))[0]!), "streaming"), ["127.0.0.1:4000", "127.0.0.1:4001"]);
});

test("proxy_protocol appears on listeners if and only if the balancer passes TLS through", () => {
  // [label, plan, PROXY protocol expected, balancer in front]
  const variants: [string, Plan, boolean, boolean][] = [
    ["prod (passthrough)", examplePlan("prod"), true, true],
    ["prod (terminate)", planOf("prod", (d) => (d.loadBalancer = { enabled: true, tls: "terminate" })), false, true],
    ["prod (no balancer)", planOf("prod", (d) => (d.loadBalancer = { enabled: false })), false, false],
    ["single", examplePlan("single"), false, false],
    ["hobby", examplePlan("hobby"), false, false],
  ];
  for (const [label, plan, passthrough, balanced] of variants) {
    for (const h of proxies(plan)) {
      // The ACME peer-lookup port is dialled by the other proxies, never by the balancer.
      const listens = [...site(h).matchAll(/^\s*listen (.*);$/gm)].map((m) => m[1]!).filter((l) => l !== "8042");
      assert.ok(listens.length > 0, label);
      assert.ok(listens.every((l) => l.includes("proxy_protocol") === passthrough), `${label}: ${listens.join(" | ")}`);
      assert.equal(/real_ip_header proxy_protocol;/.test(site(h)), passthrough, label);
      // Only the balancer, inside the private network, may name the client.
      assert.equal(/set_real_ip_from 10\.10\.0\.0\/16;/.test(site(h)), balanced, label);
    }
  }
});

test("a TLS-terminating balancer: port 80 serves the app, trusts X-Forwarded-For and has no certificate", () => {
  const plan = planOf("prod", (d) => (d.loadBalancer = { enabled: true, tls: "terminate" }));
  const h = proxies(plan)[0]!;
  assert.match(site(h), /real_ip_header X-Forwarded-For;\nreal_ip_recursive on;/);
  assert.doesNotMatch(site(h), /listen [^;]*443/);
  assert.equal(h.files.some((f) => f.path.endsWith("mastodon-tls.conf")), false);
  assert.match(h.files.find((f) => f.path.endsWith("mastodon-proxy.conf"))!.content, /X-Forwarded-Proto \$mastodon_forwarded_proto;/);
});

test("static files come from disk only where Puma runs; elsewhere Rails must serve them", () => {
  const edge = proxies(examplePlan("prod"))[0]!;
  assert.doesNotMatch(site(edge), /root \/home\/mastodon\/live\/public;/);
  assert.doesNotMatch(site(edge), /location @proxy/);
  assert.match(site(proxies(examplePlan("single"))[0]!), /root \/home\/mastodon\/live\/public;/);
  assert.deepEqual(EXAMPLES.map((n) => railsMustServeStatic(examplePlan(n).hosts)), [true, false, false]);
});

test("the local domain and alternate domains redirect to the web domain; /system/ only with local media", () => {
  const plan = planOf("single", (d) => {
    d.webDomain = "social.single.example.social";
    d.alternateDomains = ["single.example.org", "social.single.example.social"];
    d.media = { local: {} };
  });
  const conf = site(proxies(plan)[0]!);
  assert.match(conf, /server_name single\.example\.social;\n  include \S+mastodon-tls\.conf;[\s\S]*return 301 https:\/\/social\.single\.example\.social\$request_uri;/);
  // single.example.org is in another zone: its own server and certificate (acme/separate.ts).
  assert.match(conf, /server_name single\.example\.org;\n  include \S+mastodon-tls-separate\.conf;[\s\S]*return 301 https:\/\/social\.single\.example\.social\$request_uri;/);
  assert.match(conf, /location \^~ \/system\/ \{/);
  assert.doesNotMatch(site(proxies(examplePlan("single"))[0]!), /\/system\//);
});

test("Puma gets upstream's 120 s read timeout; an edge proxy (no release) renders its own error page", () => {
  const backend = (h: PlannedHost) => h.files.find((f) => f.path.endsWith("mastodon-backend.conf"))!.content;
  const edge = proxies(examplePlan("prod"))[0]!;
  const box = proxies(examplePlan("single"))[0]!;
  for (const h of [edge, box]) assert.match(backend(h), /proxy_read_timeout 120s;\nproxy_pass http:\/\/backend;/);
  assert.match(site(edge), /error_page 500 502 503 504 @mastodon_error;/);
  assert.match(site(edge), /location @mastodon_error \{\n    include \S+mastodon-hsts\.conf;\n    root \/etc\/nginx\/mastodon-error;/);
  const page = edge.files.find((f) => f.path === NGINX_PATHS.errorPage)!;
  assert.deepEqual([page.mode, page.owner], ["0644", "root"]);
  assert.match(page.content, /<h1>example\.social could not answer this request<\/h1>/);
  // Where Puma runs, the release's public/500.html serves (upstream's error_page), and no page of ours.
  assert.match(site(box), /error_page 404 500 501 502 503 504 \/500\.html;/);
  assert.equal(box.files.some((f) => f.path === NGINX_PATHS.errorPage), false);
});
