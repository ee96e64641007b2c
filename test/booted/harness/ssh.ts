// SSH as @pulumi/command's remote.Command does it: one session per command, the command string
// as sent, optional stdin, root with a key; through a jump host when the connection names one.
import { spawn } from "node:child_process";

export interface SshTarget {
  host: string;
  keyFile: string;
  /** Jump host (the connection's proxy), reached with the same key. */
  jump?: string;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export function sshArgs(target: SshTarget): string[] {
  const common = ["-i", target.keyFile, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5"];
  const jump = target.jump
    ? ["-o", `ProxyCommand=ssh ${common.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")} -W %h:%p root@${target.jump}`]
    : [];
  return [...common, ...jump, `root@${target.host}`];
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
