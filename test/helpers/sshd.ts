// A real OpenSSH server on loopback for the end-to-end tests, with its own host key and one
// client key; commands reach it exactly as @pulumi/command's remote.Command sends them (a command
// string, optional stdin). Runs as root, like the hosts it stands in for.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export interface Sshd {
  port: number;
  /** Runs `command` on the server as root; stdin optional. Never throws on a non-zero exit. */
  exec(command: string, stdin?: string): { code: number; stdout: string; stderr: string };
  stop(): void;
}


export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), "sshd-"));
  const key = (name: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
  key("host_key");
  key("client_key");
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
  mkdirSync("/run/sshd", { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // Keys live under /tmp, which StrictModes rejects.
      "StrictModes no",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const args = ["-i", join(dir, "client_key"), "-p", String(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "root@127.0.0.1"];
  const exec = (command: string, stdin?: string) => {
    const r = spawnSync("ssh", [...args, command], { input: stdin ?? "", encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  for (let i = 0; i < 100; i++) {
    if (exec("true").code === 0) break;
    if (i === 99) throw new Error(`sshd did not accept a login on port ${port}:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    exec,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
