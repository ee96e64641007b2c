// Real-tool tests: in CI a missing tool fails the run; on a laptop the test skips loudly.
import { execFileSync, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";

export const IN_CI = process.env.CI === "true";

export function hasTool(bin: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Returns true when the tool is there; skips (locally) or throws (CI) when it is not. */
export function requireTool(t: TestContext, bin: string, debianPackage: string): boolean {
  if (hasTool(bin)) return true;
  const msg = `${bin} is not installed: run \`apt-get update && apt-get install -y ${debianPackage}\` (or .ci/run)`;
  if (IN_CI) throw new Error(`CI=true and ${msg}`);
  console.error(`\n*** SKIPPED: ${msg} ***\n`);
  t.skip(msg);
  return false;
}

export interface ShellcheckOptions {
  /** The shell to check for; without it shellcheck goes by the script's shebang. */
  shell?: string;
  /** The least severity reported; shellcheck's default is style (everything). */
  severity?: "error" | "warning" | "info" | "style";
}

/**
 * shellcheck as a function of a script's text giving its findings ("" when it has none), or null
 * when shellcheck is not installed (the test is skipped locally, CI=true fails):
 * `const check = shellcheck(t); if (!check) return; assert.equal(check(text, { shell: "bash" }), "");`
 */
export function shellcheck(t: TestContext): ((script: string, options?: ShellcheckOptions) => string) | null {
  if (!requireTool(t, "shellcheck", "shellcheck")) return null;
  return (script, options = {}) => {
    const args = ["--format=gcc"];
    if (options.shell) args.push(`--shell=${options.shell}`);
    if (options.severity) args.push(`--severity=${options.severity}`);
    const r = spawnSync("shellcheck", [...args, "-"], { input: script, encoding: "utf8" });
    if (r.error) throw r.error;
    return r.status === 0 ? "" : `${r.stdout}${r.stderr}` || `shellcheck exited ${r.status}`;
  };
}
