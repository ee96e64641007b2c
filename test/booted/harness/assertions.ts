// The proofs every booted stack owes, shared by the stack tests: each throws with every problem
// it found, so a failing host says all that is wrong with it at once.
import assert from "node:assert/strict";
import { convergeSummary, filesReadable, instancesActive, packagesSummary, servicePids, systemState, unitsActive } from "./checks";
import { appHosts, createStreamingUser, filesOf, plannedInstances, proxyEndpoint, publish } from "./instance";
import type { BootedStack } from "./stack";
import { get, openStream } from "./traffic";

export async function allPids(stack: BootedStack): Promise<Record<string, Record<string, number>>> {
  return Object.fromEntries(await Promise.all(Object.entries(stack.machines).map(async ([n, m]) => [n, await servicePids(m)] as const)));
}

/** `running`, no failed unit, every rendered unit and planned instance active, on every host. */
export async function assertHostsWhole(stack: BootedStack): Promise<void> {
  const problems: string[] = [];
  for (const [name, m] of Object.entries(stack.machines)) {
    problems.push(...(await systemState(m)), ...(await unitsActive(m, filesOf(stack, name))), ...(await instancesActive(m, plannedInstances(stack, name))));
  }
  assert.deepEqual(problems, []);
}

/** Every rendered file readable by its owner (and group user), the release's env link by mastodon. */
export async function assertFilesReadable(stack: BootedStack): Promise<void> {
  const problems: string[] = [];
  for (const [name, m] of Object.entries(stack.machines)) {
    const also = appHosts(stack).includes(name) ? [{ user: "mastodon", path: "/home/mastodon/live/.env.production" }] : [];
    problems.push(...(await filesReadable(m, filesOf(stack, name), also)));
  }
  assert.deepEqual(problems, []);
}

/** TLS and HSTS on every answer of the proxy; web and streaming health through it. */
export async function assertProxyServes(stack: BootedStack): Promise<void> {
  const ep = proxyEndpoint(stack);
  for (const path of ["/health", "/api/v1/streaming/health", "/api/v1/instance", "/nonexistent"]) {
    const a = await get(ep, path);
    assert.match(String(a.headers["strict-transport-security"]), /max-age=\d+/, `${path}: no HSTS on a ${a.status}`);
    if (path !== "/nonexistent") assert.equal(a.status, 200, `${path}: ${a.status} ${a.body.slice(0, 300)}`);
  }
}

/** A message published to the user's Redis channel reaches the client; returns how many subscribers Redis saw. */
export async function assertRelayed(stack: BootedStack, accountId: number, client: { next(ms?: number): Promise<string> }, payload: string): Promise<void> {
  let receivers = 0;
  for (let i = 0; i < 40 && receivers === 0; i++) {
    receivers = await publish(stack, `timeline:${accountId}`, JSON.stringify({ event: "delete", payload }));
    if (receivers === 0) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(receivers > 0, "the streaming server never subscribed to the user's channel");
  assert.deepEqual(JSON.parse(await client.next()), { stream: ["user"], event: "delete", payload });
}

/** Creates a user with a token; an unknown token is refused, the real one relays a Redis message. */
export async function assertStreamingRelays(stack: BootedStack, token: string): Promise<number> {
  const accountId = await createStreamingUser(stack, token);
  const ep = proxyEndpoint(stack);
  await assert.rejects(openStream(ep, "not-a-token"), /401/);
  const client = await openStream(ep, token);
  try {
    await assertRelayed(stack, accountId, client, "109");
  } finally {
    client.close();
  }
  return accountId;
}

/**
 * The packages step on hosts cloud-init has just installed from the same list: its first run
 * found nothing missing and wrote no source, and so does a second one.
 */
export async function assertPackagesSettled(stack: BootedStack): Promise<void> {
  const steps = stack.program.commands.filter((c) => c.name.endsWith("-packages")).map((c) => c.name);
  assert.equal(steps.length, Object.keys(stack.machines).length, `one packages step per host: ${steps.join(", ")}`);
  for (const n of steps) assert.deepEqual(packagesSummary(stack.outputs[n] ?? ""), { installed: 0, sources: 0 }, `${n} after the first boot:\n${stack.outputs[n]}`);
  const again = await stack.apply((c) => c.name.endsWith("-packages"));
  assert.equal(again.results.length, steps.length);
  for (const r of again.results) assert.deepEqual(packagesSummary(r.stdout), { installed: 0, sources: 0 }, `${r.name} again:\n${r.stdout}`);
}

/** The program's converge commands again: nothing changed, nothing ran, no process restarted. */
export async function assertConvergeUnchanged(stack: BootedStack): Promise<void> {
  const before = await allPids(stack);
  const report = await stack.apply((c) => c.name.endsWith("-converge"));
  assert.equal(report.results.length, Object.keys(stack.machines).length);
  for (const r of report.results) assert.deepEqual(convergeSummary(r.stdout), { changed: 0, fixed: 0, removed: 0, actions: 0 }, `${r.name}:\n${r.stdout}`);
  assert.deepEqual(await allPids(stack), before);
}

/** Clean poweroff of every host, boot again: everything comes back by itself. */
export async function assertSurvivesReboot(stack: BootedStack): Promise<void> {
  await Promise.all(Object.values(stack.machines).map((m) => m.stop()));
  await Promise.all(Object.values(stack.machines).map((m) => m.boot()));
  for (const m of Object.values(stack.machines)) {
    for (const u of await m.respawnUnspawned()) stack.log.push(`${new Date().toISOString()} ${m.name}: ${u} could not be spawned after the reboot (container runtime): started it again`);
  }
  await assertHostsWhole(stack);
  // "Active" is not "listening": Puma and Node bind a moment after systemd starts them, and nginx
  // counts the refusals against the upstream. Back within a minute is back by itself.
  const ep = proxyEndpoint(stack);
  for (const path of ["/health", "/api/v1/streaming/health"]) {
    let status = 0;
    for (let i = 0; i < 60 && status !== 200; i++) {
      status = (await get(ep, path).catch(() => ({ status: -1 }))).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(status, 200, `${path} after the reboot`);
  }
}
