// System users the rendered files are owned by (mastodon, postgres, redis), created when a test
// or bench running as root needs to chown to them on a machine that lacks them.
import { execFileSync } from "node:child_process";

export function ensureSystemUsers(names: readonly string[]): void {
  for (const u of names) {
    try {
      execFileSync("id", ["-u", u], { stdio: "ignore" });
    } catch {
      execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", u]);
    }
  }
}
