// hobby on booted hosts: its three planned hosts (data: Postgres + PgBouncer + Redis; workers:
// Sidekiq + the real streaming server, IPv6-only, reached through web; web: nginx + Puma) boot
// Debian 13 under systemd from their rendered user-data (every package installed by cloud-init),
// and the program's own commands configure them, build the stand-in release, migrate and switch.
// Then: every unit active, every file readable by its user, the instance served through the
// proxy, a Redis message relayed to an authenticated WebSocket client, an unchanged converge
// that changes nothing, an upgrade under load that loses no request, a reboot.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { loadStack } from "../../src/spec/load";
import { convergeActions } from "../../src/plan/converge-actions";
import { allPids as allPidsOf, assertConvergeUnchanged, assertPackagesSettled, assertFilesReadable, assertHostsWhole, assertProxyServes, assertRelayed, assertStreamingRelays, assertSurvivesReboot } from "./harness/assertions";
import { filesReadable, systemState, unitsActive } from "./harness/checks";
import { checkBootable } from "./harness/host-tools";
import { filesOf, proxyEndpoint } from "./harness/instance";
import { addNeighbour } from "./harness/network";
import type { BootedStack } from "./harness/stack";
import { certificateIssuer, get, openStream, startLoad } from "./harness/traffic";
import { bootedStackHooks } from "./harness/suite";

const TAGS = [
  { tag: "v4.5.2", streaming: "v4.5.2" },
  { tag: "v4.5.3", streaming: "v4.5.2" },
  { tag: "v4.5.4", streaming: "v4.5.2", broken: true },
] as const;

const blocker = checkBootable();
const STACK = join(__dirname, "../../stacks/hobby.yaml");


describe("hobby on booted hosts", { skip: blocker, timeout: 60 * 60_000 }, () => {
  let stack: BootedStack;
  const user = { token: randomBytes(24).toString("hex"), accountId: 0 };
  const allPids = () => allPidsOf(stack);
  const releaseCommands = (c: { name: string }) => c.name.includes("-release-");

  const booted = bootedStackHooks("hobby", () => loadStack(STACK), TAGS);
  before(() => void (stack = booted()));

  it("every host is running with no failed unit and every rendered unit active", () => assertHostsWhole(stack));

  it("every rendered file is readable by the user that reads it, the release's env link too", () => assertFilesReadable(stack));

  it("the readability check fails when a directory on the way is 0700 again", async () => {
    const web = stack.machines.web!;
    await web.ssh("chmod 0700 /etc/mastodon");
    try {
      const problems = await filesReadable(web, filesOf(stack, "web"));
      assert.ok(problems.some((p) => p.includes("mastodon cannot read /etc/mastodon/env.production")), problems.join("\n"));
    } finally {
      await web.ssh("chmod 0755 /etc/mastodon");
    }
  });

  it("the host checks fail when a unit cannot start", async () => {
    const workers = stack.machines.workers!;
    // A unit whose program is missing fails at start, as a broken rendered unit would.
    await workers.ssh("mkdir -p /run/systemd/system/mastodon-sidekiq-push.service.d && printf '[Service]\\nExecStart=\\nExecStart=/nonexistent/sidekiq\\n' > /run/systemd/system/mastodon-sidekiq-push.service.d/broken.conf && systemctl daemon-reload && systemctl restart mastodon-sidekiq-push.service || true");
    try {
      // Restart=always keeps it cycling through activating (auto-restart), never "failed": the
      // per-unit check is what sees it.
      const problems = await unitsActive(workers, filesOf(stack, "workers"));
      assert.ok(problems.some((p) => /mastodon-sidekiq-push\.service is (failed|activating)/.test(p)), problems.join("\n"));
    } finally {
      await workers.ssh("rm -rf /run/systemd/system/mastodon-sidekiq-push.service.d && systemctl daemon-reload && systemctl reset-failed && systemctl restart mastodon-sidekiq-push.service");
    }
    assert.deepEqual(await systemState(workers), []);
  });

  it("the proxy serves the instance over TLS with HSTS; /health and streaming health answer through it", () => assertProxyServes(stack));

  it("certbot's HTTP-01 issuance through nginx replaced the first-boot certificate (Pebble standing in for Let's Encrypt)", async () => {
    assert.match(await certificateIssuer(proxyEndpoint(stack)), /^Pebble Intermediate CA/);
  });

  it("the real streaming server relays a Redis message to an authenticated WebSocket client through nginx", async () => {
    user.accountId = await assertStreamingRelays(stack, user.token);
  });

  it("the packages step found nothing missing after the first boot (cloud-init installs the same list), nor when run again", () => assertPackagesSettled(stack));

  it("an unchanged converge changes nothing and restarts nothing on any host", () => assertConvergeUnchanged(stack));

  it("a host answering with another SSH key is refused, directly and as a jump host; replacing its boot pins the new key", async () => {
    const web = stack.machines.web!;
    const converges = (c: { name: string }) => /-host-(web|data)-converge$/.test(c.name);
    const data = stack.program.commands.find((c) => c.name.endsWith("-host-data-converge"))!;
    assert.equal(data.connection.proxy?.host, stack.program.offline.hostAddresses.web!.publicIpv4, "data is reached through web");
    // Another machine at web's address, as far as SSH can tell.
    const rekey = await web.ssh("rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && systemctl restart ssh.service");
    assert.equal(rekey.code, 0, rekey.stderr);
    const refused = await stack.apply(converges, true);
    assert.deepEqual(refused.failed.map((f) => f.name).sort(), ["hobby-host-data-converge", "hobby-host-web-converge"]);
    for (const f of refused.failed) {
      assert.equal(f.code, 255, `${f.name}: refused by ssh before anything ran`);
      assert.match(f.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/, f.name);
    }
    await stack.repin(["web"]);
    const pinned = stack.program.commands.find((c) => c.name === "hobby-host-web-converge")!;
    assert.equal(pinned.connection.hostKey, (await web.ssh("cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub")).stdout.trim());
    // Accepting the key re-runs the program (as `pulumi up` does): nothing on the hosts changes.
    const again = await stack.apply(converges);
    for (const r of again.results) assert.match(r.stdout, /converge: changed=0 fixed=0 removed=0 actions=0/, r.name);
  });

  it("a network neighbour that uses nothing is refused at Postgres, PgBouncer and Redis; the hosts configured to use them get in", async () => {
    const data = stack.program.offline.hostAddresses.data!.privateAddress;
    const taken = new Set(Object.values(stack.program.offline.hostAddresses).map((a) => a.privateAddress));
    const address = data.replace(/\.\d+$/, ".200");
    assert.ok(!taken.has(address));
    const neighbour = addNeighbour(stack.bridge, "mstk-hobby", address);
    try {
      // The neighbour reaches the host at all (SSH is the cloud firewall's business, open here).
      assert.equal(neighbour.dial(data, 22), "open", "the neighbour cannot reach data at all: the check would prove nothing");
      for (const port of [5432, 6432, 6379, 6380]) assert.equal(neighbour.dial(data, port), "refused", `port ${port} from the neighbour`);
      const dial = (port: number) => `timeout 5 bash -c 'exec 3<>/dev/tcp/${data}/${port}' && echo open || echo refused`;
      for (const port of [5432, 6432, 6380]) assert.equal((await stack.machines.workers!.ssh(dial(port))).stdout.trim(), "open", `workers dials ${port}`);
      // With TLS on, plain Redis is dialled by nobody: refused to the hosts that use Redis too.
      assert.equal((await stack.machines.workers!.ssh(dial(6379))).stdout.trim(), "refused");
    } finally {
      neighbour.remove();
    }
  });

  it("a changed setting rolls through the app hosts under load: exactly its units restart and no request fails", async () => {
    const old = stack.program.offline.hostFiles;
    await stack.replan({ ...stack.spec, mastodon: { ...stack.spec.mastodon, authorizedFetch: !stack.spec.mastodon.authorizedFetch } });
    const before = await allPids();
    const load = startLoad(proxyEndpoint(stack));
    await stack.apply((c) => c.name.endsWith("-converge"));
    const result = await load.stop();
    assert.equal(result.failed, 0, result.failures.slice(0, 5).join("\n"));
    const after = await allPids();
    let restartedAnywhere = 0;
    for (const host of Object.keys(stack.machines)) {
      const restarted = Object.keys(before[host]!).filter((u) => before[host]![u] !== after[host]![u]).sort();
      // Every service the changed files name was running before (so its PID proves the restart).
      const expected = convergeActions(old[host] ?? [], stack.program.offline.hostFiles[host] ?? []).restarts.filter((u) => u.endsWith(".service"));
      const notRunning = expected.filter((u) => !(u in before[host]!));
      // What that unit went through, if it was not running: the assertion alone says too little.
      const why = notRunning.length ? (await stack.machines[host]!.ssh(`systemctl status --no-pager -n 40 ${notRunning.join(" ")} 2>&1; journalctl -b -q --no-pager -n 60 -u ${notRunning.join(" -u ")} 2>&1`)).stdout : "";
      assert.deepEqual(notRunning, [], `${host}: units to restart that were not running\n${why}`);
      assert.deepEqual(restarted, expected, `${host}: restarted units`);
      restartedAnywhere += restarted.length;
    }
    assert.ok(restartedAnywhere > 0, "the change restarted nothing anywhere");
    assert.ok(result.requests > 0);
  });

  it("an upgrade under load builds, migrates, switches host by host and prunes: no request fails, the WebSocket client reconnects", async () => {
    const ep = proxyEndpoint(stack);
    const client = await openStream(ep, user.token);
    await stack.replan({ ...stack.spec, mastodon: { ...stack.spec.mastodon, version: "v4.5.3" } });
    const load = startLoad(ep);
    await stack.apply(releaseCommands);
    const result = await load.stop();
    assert.equal(result.failed, 0, result.failures.slice(0, 5).join("\n"));
    assert.deepEqual(result.versions, ["v4.5.2", "v4.5.3"], "the proxy served the old release, then the new one");
    // The streaming restart closed the socket; a client reconnects and is served again.
    assert.ok(await Promise.race([client.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]), "the old streaming process kept its client");
    const again = await openStream(ep, user.token);
    try {
      await assertRelayed(stack, user.accountId, again, "110");
    } finally {
      again.close();
    }
    const migrations = await stack.machines.data!.ssh(`runuser -u postgres -- psql -X -t -A -d ${stack.spec.postgres.database} -c "SELECT version || ' ' || phase FROM standin_migrations ORDER BY at"`);
    assert.deepEqual(migrations.stdout.trim().split("\n"), ["v4.5.2 pre", "v4.5.2 post", "v4.5.3 pre", "v4.5.3 post"]);
  });

  it("a release whose health check fails rolls its host back and stops the rollout, still without a failed request", async () => {
    const ep = proxyEndpoint(stack);
    await stack.replan({ ...stack.spec, mastodon: { ...stack.spec.mastodon, version: "v4.5.4" } });
    const load = startLoad(ep);
    const report = await stack.apply(releaseCommands, true);
    const result = await load.stop();
    assert.equal(result.failed, 0, result.failures.slice(0, 5).join("\n"));
    assert.deepEqual(report.failed.map((f) => f.name), ["hobby-release-web-switch"]);
    assert.match(report.failed[0]!.stderr, /\/health failed after \d+ s on v4\.5\.4; rolled back to v4\.5\.3/);
    assert.ok(report.skipped.includes("hobby-release-workers-migrate-post") && report.skipped.includes("hobby-release-web-prune"), report.skipped.join(", "));
    assert.equal(JSON.parse((await get(ep, `/api/v1/instance?after-rollback=${Date.now()}`)).body).version, "v4.5.3");
    // Back to the good release for what follows.
    await stack.replan({ ...stack.spec, mastodon: { ...stack.spec.mastodon, version: "v4.5.3" } });
    await stack.apply(releaseCommands);
  });

  it("after every host reboots, everything comes back by itself", () => assertSurvivesReboot(stack));
});
