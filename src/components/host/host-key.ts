// SSH trust on first use. A host's first command (the wait for its first boot) is the only one
// that connects without knowing the host's key; it reports the ed25519 key cloud-init generated,
// and every later connection to the host (and through it, as a jump host) is pinned to that key.
// The provider then refuses any other key (ssh.FixedHostKey, host key algorithm restricted to
// ed25519), so a changed key stops `pulumi up` instead of talking to whatever answers.
// Pure: no Pulumi.
import { createHash } from "node:crypto";

/** The key cloud-init generates on a new server (its ssh module's default key types include ed25519). */
export const HOST_KEY_FILE = "/etc/ssh/ssh_host_ed25519_key.pub";

const KEY_TYPE = "ssh-ed25519";

/** The wire encoding of an ed25519 public key: string "ssh-ed25519", then the 32-byte key. */
function isEd25519Blob(blob: Buffer): boolean {
  if (blob.length !== 4 + KEY_TYPE.length + 4 + 32) return false;
  return blob.readUInt32BE(0) === KEY_TYPE.length && blob.subarray(4, 4 + KEY_TYPE.length).toString("latin1") === KEY_TYPE && blob.readUInt32BE(4 + KEY_TYPE.length) === 32;
}

/**
 * The pinned key from the boot command's output: its last line, in authorized_keys form without
 * the comment ("ssh-ed25519 AAAA…"). Anything else fails the host's commands with what came back.
 */
export function parseHostKey(stdout: string, host: string): string {
  const lines = stdout.trim().split("\n");
  const [type, data] = (lines[lines.length - 1] ?? "").trim().split(/\s+/);
  if (type === KEY_TYPE && data && /^[A-Za-z0-9+/]+={0,2}$/.test(data) && isEd25519Blob(Buffer.from(data, "base64"))) return `${type} ${data}`;
  const got = stdout.trim().slice(0, 200) || "nothing";
  throw new Error(`host ${host}: its first boot did not report an ed25519 SSH host key (${HOST_KEY_FILE}); got ${JSON.stringify(got)}. The host key pins every later connection, so nothing else runs on this host.`);
}

/** OpenSSH's fingerprint of a key ("SHA256:…", as `ssh-keygen -lf` and the server console print it). */
export function hostKeyFingerprint(key: string): string {
  const data = key.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${createHash("sha256").update(Buffer.from(data, "base64")).digest("base64").replace(/=+$/, "")}`;
}

/** A well-formed ed25519 key derived from a name, for mocked runs (offline plan, tests). */
export function mockHostKey(name: string): string {
  const type = Buffer.from(KEY_TYPE, "latin1");
  const blob = Buffer.alloc(4 + type.length + 4 + 32);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(32, 4 + type.length);
  createHash("sha256").update(`mock host key:${name}`).digest().copy(blob, 8 + type.length);
  return `${KEY_TYPE} ${blob.toString("base64")}`;
}

/** known_hosts lines for the hosts' addresses, for admins' own SSH (`ssh -o UserKnownHostsFile=…`). */
export function knownHostsLines(entries: readonly { addresses: readonly string[]; key: string }[]): string {
  return entries.flatMap((e) => (e.addresses.length > 0 ? [`${e.addresses.join(",")} ${e.key}`] : [])).join("\n") + "\n";
}
