// single on a booted host: one box with every role (nginx, Puma, the real streaming server,
// Sidekiq, PostgreSQL on its own data volume, PgBouncer, Redis), booted from its rendered
// user-data and configured by the program's commands. The volume is a loop device exposed
// where the provider attaches it; cloud-init must format and mount it before PostgreSQL's
// package creates its cluster.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { loadStack } from "../../src/spec/load";
import { assertConvergeUnchanged, assertFilesReadable, assertPackagesSettled, assertHostsWhole, assertProxyServes, assertStreamingRelays, assertSurvivesReboot } from "./harness/assertions";
import { checkBootable } from "./harness/host-tools";
import { addNeighbour } from "./harness/network";
import { bootedStackHooks } from "./harness/suite";
import type { BootedStack } from "./harness/stack";

const blocker = checkBootable();

describe("single on a booted host", { skip: blocker, timeout: 45 * 60_000 }, () => {
  let stack: BootedStack;

  const booted = bootedStackHooks("single", () => loadStack(join(__dirname, "../../stacks/single.yaml")), [{ tag: "v4.5.2", streaming: "v4.5.2" }]);
  before(() => void (stack = booted()));

  it("the data volume holds PostgreSQL's cluster", async () => {
    const r = await stack.machines.box!.ssh("findmnt -n -o SOURCE,FSTYPE --target /var/lib/postgresql/17/main; grep -c ' /var/lib/postgresql ext4 ' /etc/fstab");
    assert.match(r.stdout, /^\S+ ext4\n1\n$/, r.stdout + r.stderr);
  });

  it("the box is running with no failed unit and every rendered unit active", () => assertHostsWhole(stack));

  it("every rendered file is readable by the user that reads it", () => assertFilesReadable(stack));

  it("the proxy serves the instance over TLS with HSTS; /health and streaming health answer through it", () => assertProxyServes(stack));

  it("the real streaming server relays a Redis message to an authenticated WebSocket client", async () => {
    await assertStreamingRelays(stack, randomBytes(24).toString("hex"));
  });

  it("a network neighbour reaches SSH and the web on the box and nothing else: the data tier and the app listen on loopback, the input policy resets the rest", async () => {
    const box = stack.program.offline.hostAddresses.box!.privateAddress;
    const neighbour = addNeighbour(stack.bridge, "mstk-single", box.replace(/\.\d+$/, ".200"));
    try {
      for (const port of [22, 443]) assert.equal(neighbour.dial(box, port), "open", `port ${port}`);
      for (const port of [3000, 4000, 5432, 6379, 6380, 6432]) assert.equal(neighbour.dial(box, port), "refused", `port ${port}`);
      // Not only the policy: apart from SSH and the web, nothing listens beyond loopback at all.
      const listening = await stack.machines.box!.ssh("ss -Htln | awk '{print $4}'");
      const exposed = listening.stdout.trim().split("\n").filter((a) => !/^(127\.|\[::1\]|::1)/.test(a) && !/:(22|80|443)$/.test(a));
      assert.deepEqual(exposed, [], listening.stdout);
    } finally {
      neighbour.remove();
    }
  });

  it("the packages step found nothing missing after the first boot (cloud-init installs the same list), nor when run again", () => assertPackagesSettled(stack));

  it("an unchanged converge changes nothing and restarts nothing", () => assertConvergeUnchanged(stack));

  it("after a reboot everything comes back by itself, the volume mounted again", async () => {
    await assertSurvivesReboot(stack);
    const r = await stack.machines.box!.ssh("mountpoint -q /var/lib/postgresql && echo mounted");
    assert.equal(r.stdout.trim(), "mounted");
  });
});
