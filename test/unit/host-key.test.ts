// The pinned host key as OpenSSH writes and reads it: parsed from the boot command's output,
// fingerprinted as `ssh-keygen -lf` does, and usable by a real ssh client as known_hosts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hostKeyFingerprint, knownHostsLines, mockHostKey, parseHostKey } from "../../src/components/host/host-key";

const dir = mkdtempSync(join(tmpdir(), "host-key-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function realKey(type: string): string {
  const f = join(dir, `k-${type}-${Math.random().toString(36).slice(2)}`);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "root@host", "-f", f]);
  return readFileSync(`${f}.pub`, "utf8");
}

describe("host key", () => {
  it("takes a real ed25519 key from the boot output, without its comment, with OpenSSH's fingerprint", () => {
    const pub = realKey("ed25519");
    const key = parseHostKey(`Reading package lists...\n${pub}`, "web");
    assert.equal(key, pub.split(" ").slice(0, 2).join(" "));
    const f = join(dir, "parsed.pub");
    writeFileSync(f, `${key}\n`);
    const lf = execFileSync("ssh-keygen", ["-lf", f], { encoding: "utf8" });
    assert.equal(lf.split(" ")[1], hostKeyFingerprint(key));
  });

  it("refuses anything but a well-formed ed25519 key, naming the host and what came back", () => {
    const rsa = realKey("rsa");
    const bad = ["", "ready", rsa, "ssh-ed25519 not-base64!", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", `ssh-ed25519 ${Buffer.alloc(51).toString("base64")}`];
    for (const out of bad) assert.throws(() => parseHostKey(out, "data"), /^Error: host data: its first boot did not report an ed25519 SSH host key \(\/etc\/ssh\/ssh_host_ed25519_key.pub\); got /);
  });

  it("mock keys are well-formed for ssh-keygen too, and differ per name", () => {
    const a = mockHostKey("a");
    assert.notEqual(a, mockHostKey("b"));
    assert.equal(parseHostKey(a, "a"), a);
    const f = join(dir, "mock.pub");
    writeFileSync(f, `${a}\n`);
    assert.match(execFileSync("ssh-keygen", ["-lf", f], { encoding: "utf8" }), /^256 SHA256:\S+ .*\(ED25519\)/);
  });

  it("known_hosts lines are what ssh-keygen -F finds for each address", () => {
    const key = parseHostKey(realKey("ed25519"), "web");
    const f = join(dir, "known_hosts");
    writeFileSync(f, knownHostsLines([{ addresses: ["198.51.100.7", "2001:db8::7"], key }, { addresses: [], key: mockHostKey("private") }]));
    for (const host of ["198.51.100.7", "2001:db8::7"]) assert.match(execFileSync("ssh-keygen", ["-F", host, "-f", f], { encoding: "utf8" }), /ssh-ed25519/);
    assert.equal(readFileSync(f, "utf8").trimEnd().split("\n").length, 1, "a host without public addresses has no line");
  });
});
