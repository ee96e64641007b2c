// The host steps under mocks: converge per host, the certificate, and the release rollout as
// an order of command resources.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { hostConnection } from "../../src/components/host/connection";
import { mockHostKey } from "../../src/components/host/host-key";
import { rolloutOf } from "../../src/components/host/rollout";
import type { Plan } from "../../src/plan/types";
import type { RecordedResource } from "../../src/program/mocks";
import { mockState } from "../../src/program/mock-state/index";
import { parseStack } from "../../src/spec/load";
import { ofType, runProgram, runStack, valueOf, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const COMMAND = "command:remote:Command";
let prod: ProgramRun;

before(async () => {
  prod = await runStack("prod");
});

const cmd = (r: ProgramRun, name: string): RecordedResource => {
  const found = ofType(r, COMMAND).find((c) => c.name === name);
  assert.ok(found, `no command ${name}; have ${ofType(r, COMMAND).map((c) => c.name).join(", ")}`);
  return found;
};
const input = (c: RecordedResource, k: string) => (c.inputs as Record<string, unknown>)[k];
const dependsOn = (a: RecordedResource, b: RecordedResource) => a.dependencies.includes(b.urn);

describe("converge steps", () => {
  it("every host waits for boot, installs the script, then converges its bundle, in that order", () => {
    for (const h of prod.plan.hosts) {
      const boot = cmd(prod, `prod-host-${h.name}-boot`);
      const install = cmd(prod, `prod-host-${h.name}-install`);
      const converge = cmd(prod, `prod-host-${h.name}-converge`);
      assert.ok(dependsOn(install, boot));
      assert.ok(dependsOn(converge, install));
      assert.equal(input(converge, "create"), "/usr/local/sbin/mastodon-converge");
      // The bundle carries secrets; the connection carries the private key.
      assert.ok(converge.secretInputs.includes("stdin"));
      assert.ok(converge.secretInputs.includes("connection"));
      assert.match(String(input(install, "stdin")), /^#!\/bin\/bash\n# mastodon-converge/);
    }
  });

  it("app hosts converge one after another (a change rolls through them); the others in parallel", () => {
    const c = (h: string) => cmd(prod, `prod-host-${h}-converge`);
    const steps = (r: RecordedResource) => r.dependencies.filter((d) => d.includes(COMMAND));
    // Each also reads its host's pinned key from the host's boot, and waits for its packages.
    const own = (h: string) => [cmd(prod, `prod-host-${h}-boot`).urn, cmd(prod, `prod-host-${h}-install`).urn, cmd(prod, `prod-host-${h}-packages`).urn];
    assert.deepEqual(steps(c("web-1")), own("web-1").sort());
    assert.deepEqual(steps(c("web-2")), [...own("web-2"), c("web-1").urn].sort());
    assert.deepEqual(steps(c("worker-1")), [...own("worker-1"), c("web-2").urn].sort());
    assert.deepEqual(steps(c("edge-2")), own("edge-2").sort());
  });

  it("the trigger is the bundle's hash: the same stack gives the same hashes; one changed file changes only its host's", async () => {
    const again = await runStack("prod");
    assert.deepEqual(again.bundleHashes, prod.bundleHashes);
    const plan: Plan = structuredClone(prod.plan);
    const web2 = plan.hosts.find((h) => h.name === "web-2")!;
    const env = web2.files.find((f) => f.path === "/etc/mastodon/env.production")!;
    env.content += "# one more line\n";
    const changed = await runProgram(prod.spec, plan);
    for (const h of prod.plan.hosts) {
      if (h.name === "web-2") assert.notEqual(changed.bundleHashes[h.name], prod.bundleHashes[h.name]);
      else assert.equal(changed.bundleHashes[h.name], prod.bundleHashes[h.name], h.name);
    }
  });

  it("certificates: issued on each proxy after its converge, once the balancer reaches it, nowhere else", () => {
    const certs = ofType(prod, COMMAND).filter((c) => c.name.endsWith("-certificate"));
    assert.deepEqual(certs.map((c) => c.name).sort(), ["prod-host-edge-1-certificate", "prod-host-edge-2-certificate"]);
    const lb = ofType(prod, "digitalocean:index/loadBalancer:LoadBalancer")[0]!;
    const lbIp = String(mockState("digitalocean:index/loadBalancer:LoadBalancer", lb.name, {}).ip);
    for (const c of certs) {
      assert.ok(dependsOn(c, cmd(prod, c.name.replace(/-certificate$/, "-converge"))));
      const create = String(input(c, "create"));
      const probe = create.indexOf(`http://${lbIp}/.well-known/acme-challenge/`);
      assert.ok(probe > 0 && probe < create.indexOf("'certbot' 'certonly'"), create);
      assert.match(create, /'--webroot' '--webroot-path' '\/var\/www\/acme'/);
      assert.doesNotMatch(create, /--dns-/);
    }
  });
});

describe("release rollout", () => {
  it("builds everywhere, migrates once before any switch, switches one host at a time, then post-migrates", () => {
    const rollout = rolloutOf(prod.plan);
    assert.equal(rollout.migrationHost, "worker-1");
    assert.deepEqual(rollout.hosts.map((h) => h.name), ["web-1", "web-2", "worker-1", "worker-2"]);
    const builds = rollout.hosts.map((h) => cmd(prod, `prod-release-${h.name}-build`));
    const pre = cmd(prod, "prod-release-worker-1-migrate-pre");
    const post = cmd(prod, "prod-release-worker-1-migrate-post");
    for (const b of builds) {
      assert.ok(dependsOn(pre, b), `migrations before ${b.name} finished`);
      const install = cmd(prod, b.name.replace(/-build$/, "-install"));
      // A build needs the host's packages (and its pinned key), not its configuration: it runs beside the converge.
      const host = b.name.replace(/^prod-release-(.*)-build$/, "$1");
      const boot = cmd(prod, `prod-host-${host}-boot`).urn;
      assert.deepEqual(b.dependencies.filter((d) => d.includes(COMMAND)), [boot, install.urn, cmd(prod, `prod-host-${host}-packages`).urn].sort());
      assert.deepEqual(install.dependencies.filter((d) => d.includes(COMMAND)), [boot]);
    }
    assert.ok(dependsOn(pre, cmd(prod, "prod-host-worker-1-converge")));
    // The database is ready first: the grants, the pool, and the firewalls trusting the droplets.
    const setup = cmd(prod, "prod-database-sql");
    assert.ok(dependsOn(pre, setup));
    for (const r of prod.resources.filter((x) => /DatabaseConnectionPool|DatabaseFirewall/.test(x.type))) assert.ok(dependsOn(pre, r), `migrations do not wait for ${r.name}`);
    assert.ok(setup.secretInputs.includes("stdin"), "the admin password travels on stdin, as a secret");
    assert.match(String(input(setup, "create")), /user=doadmin sslmode=verify-full/);
    const switches = rollout.hosts.map((h) => cmd(prod, `prod-release-${h.name}-switch`));
    // Command dependencies only (a switch also reads its host's private address for the checks).
    const steps = (c: RecordedResource) => c.dependencies.filter((d) => d.includes(COMMAND) && !d.endsWith("-boot"));
    const converge = (i: number) => cmd(prod, `prod-host-${rollout.hosts[i]!.name}-converge`).urn;
    assert.deepEqual(steps(switches[0]!), [converge(0), pre.urn].sort());
    for (let i = 1; i < switches.length; i++) assert.deepEqual(steps(switches[i]!), [converge(i), switches[i - 1]!.urn].sort(), `${switches[i]!.name} waits for the switch before it and its host's converge`);
    for (const s of switches) assert.ok(dependsOn(post, s));
    assert.match(String(input(pre, "create")), /migrate' 'pre'|migrate pre/);
    assert.match(String(input(post, "create")), /migrate' 'post'|migrate post/);
    // No build waits for another host's build: they run in parallel.
    for (const b of builds) for (const other of builds) if (b !== other) assert.ok(!dependsOn(b, other));
  });

  it("rollout.hostsAtOnce: 2 restarts hosts in pairs, each pair after the one before", async () => {
    const pairs = await runProgram(parseStack(edited("prod", (d) => (d.rollout = { hostsAtOnce: 2 })), "prod.yaml"));
    // Order between commands; every command also reads its host's pinned key from the host's boot.
    const steps = (r: RecordedResource) => r.dependencies.filter((d) => d.includes(COMMAND) && !d.endsWith("-boot"));
    const sw = (h: string) => cmd(pairs, `prod-release-${h}-switch`);
    const conv = (h: string) => cmd(pairs, `prod-host-${h}-converge`);
    const pre = cmd(pairs, "prod-release-worker-1-migrate-pre");
    assert.deepEqual(steps(sw("web-1")), [conv("web-1").urn, pre.urn].sort());
    assert.deepEqual(steps(sw("web-2")), [conv("web-2").urn, pre.urn].sort());
    assert.deepEqual(steps(sw("worker-1")), [conv("worker-1").urn, sw("web-1").urn, sw("web-2").urn].sort());
    const own = (h: string) => [cmd(pairs, `prod-host-${h}-install`).urn, cmd(pairs, `prod-host-${h}-packages`).urn];
    assert.deepEqual(steps(conv("web-2")), own("web-2").sort());
    assert.ok(conv("web-2").dependencies.includes(cmd(pairs, "prod-host-web-2-boot").urn));
    assert.deepEqual(steps(conv("worker-2")), [...own("worker-2"), conv("web-1").urn, conv("web-2").urn].sort());
  });

  it("a switch restarts its host's units and checks their health endpoints", () => {
    const web1 = String(input(cmd(prod, "prod-release-web-1-switch"), "create"));
    assert.match(web1, /mastodon-web\.service/);
    assert.match(web1, /mastodon-streaming@4000\.service/);
    assert.match(web1, /http:\/\/10\.10\.0\.\d+:3000\/health/);
    assert.match(web1, /http:\/\/10\.10\.0\.\d+:4000\/api\/v1\/streaming\/health/);
    const worker2 = String(input(cmd(prod, "prod-release-worker-2-switch"), "create"));
    assert.match(worker2, /mastodon-sidekiq-/);
    assert.doesNotMatch(worker2, /scheduler/);
  });

  it("the admin account is created once, after the migrations, its output secret", () => {
    const admin = cmd(prod, "prod-release-worker-1-admin");
    assert.deepEqual(input(admin, "triggers"), []);
    assert.ok(dependsOn(admin, cmd(prod, "prod-release-worker-1-migrate-post")));
    assert.match(String(input(admin, "create")), /tootctl 'accounts' 'create' 'admin' '--email' 'admin@example.social' '--confirmed' '--approve' '--role' 'Owner'/);
  });

  it("the registrations mode is applied after the migrations, and again only when the stack changes it", async () => {
    const reg = cmd(prod, "prod-release-worker-1-registrations");
    assert.ok(dependsOn(reg, cmd(prod, "prod-release-worker-1-migrate-post")));
    assert.equal(prod.spec.mastodon.registrations, "approval");
    assert.deepEqual(input(reg, "triggers"), ["approval"]);
    assert.match(String(input(reg, "create")), /tootctl 'settings' 'registrations' 'approved'$/);
    const closed = await runProgram(parseStack(edited("prod", (d) => (d.mastodon.registrations = "closed")), "prod.yaml"));
    assert.match(String(input(cmd(closed, "prod-release-worker-1-registrations"), "create")), /tootctl 'settings' 'registrations' 'close'$/);
  });

  it("a version bump changes the release triggers and no converge trigger", async () => {
    const bumped = await runProgram(parseStack(edited("prod", (d) => (d.mastodon.version = "v4.5.3")), "prod.yaml"));
    assert.deepEqual(bumped.bundleHashes, prod.bundleHashes);
    const trig = (r: ProgramRun, n: string) => JSON.stringify(input(cmd(r, n), "triggers"));
    assert.notEqual(trig(bumped, "prod-release-web-1-build"), trig(prod, "prod-release-web-1-build"));
    assert.notEqual(trig(bumped, "prod-release-web-2-switch"), trig(prod, "prod-release-web-2-switch"));
    assert.equal(trig(bumped, "prod-host-web-1-converge"), trig(prod, "prod-host-web-1-converge"));
  });
});

describe("SSH routes", () => {
  it("an IPv6-only host is reached through the gateway when the admins have only IPv4", async () => {
    const gw = { name: "web", id: pulumi.output("1"), privateAddress: pulumi.output("10.10.1.12"), publicIpv4: pulumi.output("198.51.100.7"), publicIpv6: pulumi.output("2001:db8::1") };
    const data = { name: "data", id: pulumi.output("2"), privateAddress: pulumi.output("10.10.1.10"), publicIpv6: pulumi.output("2001:db8::2") };
    const jumpKey = mockHostKey("gw");
    const dataKey = mockHostKey("data");
    const viaJump = await valueOf(hostConnection(data, "KEY", { adminHasIpv6: false, jump: gw, jumpHostKey: jumpKey }, dataKey));
    assert.equal(viaJump.host, "10.10.1.10");
    assert.equal(viaJump.hostKey, dataKey);
    const proxy = viaJump.proxy as { host: string; user: string; hostKey: string };
    assert.deepEqual({ host: proxy.host, user: proxy.user, hostKey: proxy.hostKey }, { host: "198.51.100.7", user: "root", hostKey: jumpKey });
    // The first contact pins nothing on the host itself, but the jump host is already known.
    const first = await valueOf(hostConnection(data, "KEY", { adminHasIpv6: false, jump: gw, jumpHostKey: jumpKey }));
    assert.equal(first.hostKey, undefined);
    assert.equal((first.proxy as { hostKey: string }).hostKey, jumpKey);
    assert.throws(() => hostConnection(data, "KEY", { adminHasIpv6: false, jump: gw }), /reached through web, whose host key is not known/);
    const direct = await valueOf(hostConnection(data, "KEY", { adminHasIpv6: true, jump: gw }));
    assert.equal(direct.host, "2001:db8::2");
    assert.equal(direct.proxy, undefined);
    assert.ok(await pulumi.isSecret(hostConnection(gw, "KEY", { adminHasIpv6: false })));
    assert.throws(() => hostConnection(data, "KEY", { adminHasIpv6: false }), /add an IPv6 range to network.adminCidrs/);
  });
});
