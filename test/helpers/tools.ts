// Real-tool tests: in CI a missing tool fails the run; on a laptop the test skips loudly.
import { execFileSync } from "node:child_process";
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
