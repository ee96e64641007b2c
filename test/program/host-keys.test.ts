// SSH trust on first use under mocks: each host's first command (the boot wait) is the only
// connection without a pinned key, and it reports the key; every later command to that host,
// and every jump through it, carries exactly that key.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { HOST_KEY_FILE, mockHostKey } from "../../src/components/host/host-key";
import { buildPlan } from "../../src/plan";
import { runOffline } from "../../src/program/offline";
import { loadStack } from "../../src/spec/load";
import { STACKS } from "../helpers/program";

const COMMAND = "command:remote:Command";

interface Conn {
  host: string;
  hostKey?: string;
  proxy?: { host: string; hostKey?: string };
}

async function commands(stack: string) {
  const spec = loadStack(path.join(STACKS, `${stack}.yaml`));
  const run = await runOffline(spec, buildPlan(spec), { revealSecrets: true });
  const cmds = run.resources
    .filter((r) => r.type === COMMAND)
    .map((r) => ({ urn: r.urn, name: r.name, deps: r.dependencies, ...(r.rawInputs as { connection: Conn; create: string }) }));
  return { spec, run, cmds };
}

for (const stack of ["hobby", "single", "prod"]) {
  describe(`host keys: ${stack}`, () => {
    it("only each host's boot connects unpinned; every other command and every jump carries that host's reported key", async () => {
      const { spec, run, cmds } = await commands(stack);
      const boots = cmds.filter((c) => c.name.endsWith("-boot"));
      assert.equal(boots.length, Object.keys(run.hostAddresses).length, "one boot per host");
      // The key each address answers with, as its boot reported it (the mocks' stdout).
      const keyAt = new Map<string, { key: string; boot: string }>();
      for (const b of boots) {
        assert.ok(b.create.includes(`cat ${HOST_KEY_FILE}`), `${b.name} reports the host key`);
        assert.equal(b.connection.hostKey, undefined, `${b.name} is the first contact`);
        keyAt.set(b.connection.host, { key: mockHostKey(b.name), boot: b.urn });
      }
      const jumps = new Set<string>();
      for (const c of cmds) {
        if (c.connection.proxy) {
          const jump = keyAt.get(c.connection.proxy.host);
          assert.ok(jump, `${c.name} jumps through ${c.connection.proxy.host}, which has no boot`);
          assert.equal(c.connection.proxy.hostKey, jump.key, `${c.name}: the jump host is pinned`);
          jumps.add(c.connection.proxy.host);
        }
        if (c.name.endsWith("-boot")) continue;
        const own = keyAt.get(c.connection.host);
        assert.ok(own, `${c.name} connects to ${c.connection.host}, which has no boot`);
        assert.equal(c.connection.hostKey, own.key, `${c.name} is pinned to its host's key`);
        assert.ok(c.deps.includes(own.boot), `${c.name} waits for the boot that reports the key`);
      }
      // hobby has IPv6-only hosts reached through the gateway; the others are reached directly.
      assert.equal(jumps.size > 0, spec.hosts.some((h) => "ipv6Only" in h && h.ipv6Only === true));
    });

    it("the sshKnownHosts output lists each host's public addresses with its key", async () => {
      const { run, cmds } = await commands(stack);
      const lines = run.sshKnownHosts.trimEnd().split("\n");
      for (const [host, a] of Object.entries(run.hostAddresses)) {
        const boot = cmds.find((c) => c.name.endsWith(`-host-${host}-boot`))!;
        const addresses = [a.publicIpv4, a.publicIpv6].filter((x) => x !== undefined);
        if (addresses.length === 0) continue;
        assert.ok(lines.includes(`${addresses.join(",")} ${mockHostKey(boot.name)}`), `${host} in ${run.sshKnownHosts}`);
      }
    });
  });
}
