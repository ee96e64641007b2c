// single on a booted host: one box with every role (nginx, Puma, the real streaming server,
// Sidekiq, PostgreSQL on its own data volume, PgBouncer, Redis), booted from its rendered
// user-data and configured by the program's commands. The volume is a loop device exposed
// where the provider attaches it; cloud-init must format and mount it before PostgreSQL's
// package creates its cluster. Media is kept on the box (as without object storage), so the
// volume holds two kinds of data: it is mounted at /srv/mastodon-data and PostgreSQL's and the
// media's directories are bind mounts of its subdirectories.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { LOCAL_MEDIA_ROOT } from "../../src/plan/render/systemd/common";
import { loadStack } from "../../src/spec/load";
import type { Spec } from "../../src/spec/schema/stack";
import { assertConvergeUnchanged, assertFilesReadable, assertPackagesSettled, assertHostsWhole, assertProxyServes, assertStreamingRelays, assertSurvivesReboot } from "./harness/assertions";
import { checkBootable } from "./harness/host-tools";
import { addNeighbour } from "./harness/network";
import { proxyEndpoint } from "./harness/instance";
import { bootedStackHooks } from "./harness/suite";
import { get } from "./harness/traffic";
import type { BootedStack } from "./harness/stack";

const blocker = checkBootable();

describe("single on a booted host", { skip: blocker, timeout: 45 * 60_000 }, () => {
  let stack: BootedStack;

  const withLocalMedia = (): Spec => ({ ...loadStack(join(__dirname, "../../stacks/single.yaml")), media: { local: {} } });
  const booted = bootedStackHooks("single", withLocalMedia, [{ tag: "v4.5.2", streaming: "v4.5.2" }]);
  before(() => void (stack = booted()));

  it("the data volume holds PostgreSQL's cluster and the media, each a bind mount of its own directory on it", async () => {
    const box = stack.machines.box!;
    const r = await box.ssh(`findmnt -n -o SOURCE,FSTYPE --target /srv/mastodon-data; for d in /var/lib/postgresql ${LOCAL_MEDIA_ROOT}; do findmnt -n -o SOURCE,FSTYPE "$d"; done; stat -c '%U:%G %a' /srv/mastodon-data ${LOCAL_MEDIA_ROOT}`);
    assert.match(r.stdout, /^(\S+) ext4\n\1\[\/postgresql\] ext4\n\1\[\/media\] ext4\nroot:root 755\nmastodon:mastodon 750\n$/, r.stdout + r.stderr);
    const fstab = await box.ssh("grep -v '^#' /etc/fstab | awk '$2 ~ /mastodon-data|postgresql|public-system/ {print $2, $3, $4}'");
    assert.equal(fstab.stdout, `/srv/mastodon-data ext4 defaults,nofail,discard\n/var/lib/postgresql none bind,nofail,x-systemd.requires-mounts-for=/srv/mastodon-data\n${LOCAL_MEDIA_ROOT} none bind,nofail,x-systemd.requires-mounts-for=/srv/mastodon-data\n`);
  });

  it("an upload Mastodon writes lands on the volume and nginx serves it from there", async () => {
    const box = stack.machines.box!;
    const name = `${randomBytes(8).toString("hex")}.txt`;
    const body = randomBytes(16).toString("hex");
    const w = await box.ssh(`runuser -u mastodon -- sh -c 'mkdir -p ${LOCAL_MEDIA_ROOT}/media_attachments && printf %s ${body} > ${LOCAL_MEDIA_ROOT}/media_attachments/${name}' && cat /srv/mastodon-data/media/media_attachments/${name}`);
    assert.equal(w.stdout, body, w.stderr);
    const r = await get(proxyEndpoint(stack), `/system/media_attachments/${name}`);
    assert.deepEqual([r.status, r.body], [200, body]);
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

  it("after a reboot everything comes back by itself, the volume and both bind mounts mounted again", async () => {
    await assertSurvivesReboot(stack);
    const r = await stack.machines.box!.ssh(`for d in /srv/mastodon-data /var/lib/postgresql ${LOCAL_MEDIA_ROOT}; do mountpoint -q "$d" && echo "$d"; done`);
    assert.equal(r.stdout, `/srv/mastodon-data\n/var/lib/postgresql\n${LOCAL_MEDIA_ROOT}\n`);
  });
});
