// prod on booted hosts: two nginx proxies behind DigitalOcean's load balancer, two web hosts
// (Puma + the real streaming server), two Sidekiq hosts — every droplet booted from its rendered
// user-data and configured by the program's commands — against a stand-in for the provider's
// side (harness/managed): managed PostgreSQL with its connection pool, Valkey over TLS,
// OpenSearch, and the balancer with PROXY protocol, each built from what the program asked of
// the provider (trusted sources, forwarding rules, health check) and answering on the hostnames
// the program was given.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { loadStack } from "../../src/spec/load";
import { shellQuote } from "../../src/plan/render/shell";
import { assertConvergeUnchanged, assertFilesReadable, assertPackagesSettled, assertHostsWhole, assertProxyServes, assertStreamingRelays } from "./harness/assertions";
import { checkBootable } from "./harness/host-tools";
import { appHosts, proxyEndpoint } from "./harness/instance";
import { bootedStackHooks } from "./harness/suite";
import type { BootedStack } from "./harness/stack";
import { certificateIssuer, get } from "./harness/traffic";

const blocker = checkBootable();

describe("prod on booted hosts against stand-ins for DigitalOcean's managed services", { skip: blocker, timeout: 45 * 60_000 }, () => {
  let stack: BootedStack;
  const booted = bootedStackHooks("prod", () => loadStack(join(__dirname, "../../stacks/prod.yaml")), [{ tag: "v4.5.2", streaming: "v4.5.2" }]);
  before(() => void (stack = booted()));
  const managed = () => stack.managed!.machine;
  const proxies = () => stack.program.plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => h.name);

  it("every droplet is running with no failed unit and every rendered unit active", () => assertHostsWhole(stack));

  it("every rendered file is readable by the user that reads it", () => assertFilesReadable(stack));

  it("the balancer serves the instance over TLS with HSTS, with the certificate each proxy's certbot got through it", async () => {
    await assertProxyServes(stack);
    assert.match(await certificateIssuer(proxyEndpoint(stack)), /Pebble/);
  });

  it("each proxy sees the client's own address through the PROXY protocol", async () => {
    const path = `/proxy-protocol-${randomBytes(6).toString("hex")}`;
    for (let i = 0; i < 4; i++) await get(proxyEndpoint(stack), path);
    for (const name of proxies()) {
      const r = await stack.machines[name]!.ssh(`grep -F ${shellQuote(`GET ${path} `)} /var/log/nginx/access.log | cut -d' ' -f1 | sort -u`);
      assert.equal(r.stdout.trim(), "198.51.100.1", `${name} logged ${JSON.stringify(r.stdout)} (the harness connects from 198.51.100.1)`);
    }
  });

  it("a challenge token one proxy holds is served through the balancer whichever proxy it reaches", async () => {
    const [holder, other] = proxies();
    const token = randomBytes(16).toString("hex");
    await stack.machines[holder!]!.ssh(`install -d -m 0755 /var/www/acme/.well-known/acme-challenge && printf %s ${token} > /var/www/acme/.well-known/acme-challenge/${token}`);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await get(proxyEndpoint(stack), `/.well-known/acme-challenge/${token}`, 10_000, "http"));
    assert.deepEqual(answers.map((a) => `${a.status} ${a.body}`), Array(6).fill(`200 ${token}`));
    const asked = await stack.machines[other!]!.ssh(`grep -c ${shellQuote(`/.well-known/acme-challenge/${token}`)} /var/log/nginx/access.log`);
    assert.ok(Number(asked.stdout.trim()) > 0, `${other} never received the validation request, so the peer lookup was not exercised`);
  });

  it("every application host reaches PostgreSQL through the pool over TLS, and no proxy reaches the database at all", async () => {
    await get(proxyEndpoint(stack), "/health");
    const log = await managed().ssh("cat /var/log/postgresql/pgbouncer.log");
    const addresses = appHosts(stack).map((h) => stack.program.offline.hostAddresses[h]!.privateAddress);
    for (const a of addresses) assert.match(log.stdout, new RegExp(`${a.replace(/\./g, "\\.")}:\\d+ login attempt: db=mastodon user=mastodon tls=TLSv1\\.3`), `no pooled TLS login from ${a}`);
    const pg = stack.managed!.services.addresses.pg;
    for (const name of proxies()) {
      const r = await stack.machines[name]!.ssh(`timeout 3 bash -c ${shellQuote(`</dev/tcp/${pg}/25060`)} && echo open || echo closed`);
      assert.equal(r.stdout.trim(), "closed", `${name} reaches the database`);
    }
    const web = await stack.machines[appHosts(stack)[0]!]!.ssh(`timeout 3 bash -c ${shellQuote(`</dev/tcp/${pg}/25060`)} && echo open || echo closed`);
    assert.equal(web.stdout.trim(), "open");
  });

  it("migrations ran directly against the database and left Mastodon's tables owned by its user", async () => {
    const owners = await stack.managed!.services.psql(managed(), stack.spec.postgres.database, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public';");
    assert.equal(owners.trim(), stack.spec.postgres.user);
  });

  it("the real streaming server relays a message published on the managed Valkey over TLS", async () => {
    await assertStreamingRelays(stack, randomBytes(24).toString("hex"));
  });

  it("the search index job reaches the managed OpenSearch over verified TLS with its user", async () => {
    const worker = stack.program.plan.hosts.find((h) => h.files.some((f) => f.path.endsWith("mastodon-search-deploy.service")))!.name;
    const r = await stack.machines[worker]!.ssh("systemctl start mastodon-search-deploy.service && journalctl -u mastodon-search-deploy.service -o cat --no-pager | tail -n 5");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /search cluster green/);
  });

  it("the packages step found nothing missing after the first boot (cloud-init installs the same list), nor when run again", () => assertPackagesSettled(stack));

  it("an unchanged converge changes nothing and restarts nothing", () => assertConvergeUnchanged(stack));
});
