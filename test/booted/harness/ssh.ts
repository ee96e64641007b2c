// SSH as @pulumi/command's remote.Command does it: one session per command, the command string
// as sent, optional stdin, root with a key; through a jump host when the connection names one.
import { spawn } from "node:child_process";

export interface SshTarget {
  host: string;
  keyFile: string;
  /** A known_hosts file holding the pinned keys (the connection's hostKey and its proxy's): as the provider, accept nothing else. */
  knownHosts?: string;
  /** The host's own key is pinned (every command but the host's first). */
  pinned?: boolean;
  /** Jump host (the connection's proxy), reached with the same key and always pinned when knownHosts is given. */
  jump?: string;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

const BASE = ["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"];
/** The provider with a hostKey: ssh.FixedHostKey, and only that key's algorithm offered. */
const pinnedTo = (file: string) => ["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${file}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "HostKeyAlgorithms=ssh-ed25519"];
/** The provider without one: any key (the first contact, and the harness's own checks). */
const UNPINNED = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"];

export function sshArgs(target: SshTarget): string[] {
  const own = ["-i", target.keyFile, ...BASE, ...(target.pinned && target.knownHosts ? pinnedTo(target.knownHosts) : UNPINNED)];
  const jumpArgs = ["-i", target.keyFile, ...BASE, ...(target.knownHosts ? pinnedTo(target.knownHosts) : UNPINNED)];
  const jump = target.jump ? ["-o", `ProxyCommand=ssh ${jumpArgs.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")} -W %h:%p root@${target.jump}`] : [];
  return [...own, ...jump, `root@${target.host}`];
}

export function sshExec(target: SshTarget, command: string, stdin?: string, timeoutSeconds = 900): Promise<SshResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn("ssh", [...sshArgs(target), command], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[harness] killed after ${timeoutSeconds} s`;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin ?? "");
  });
}
