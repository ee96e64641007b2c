// A root-owned scratch tree for the converge tests: a root prefix the script writes under, a bin
// directory for stand-in tools and the log they write to.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sandbox {
  base: string;
  root: string;
  stub: string;
  log: string;
}

export function makeSandbox(prefix: string): Sandbox {
  const base = mkdtempSync(join(tmpdir(), prefix));
  // Traversable by the system users the files go to.
  chmodSync(base, 0o755);
  const sandbox = { base, root: join(base, "root"), stub: join(base, "bin"), log: join(base, "calls.log") };
  mkdirSync(sandbox.stub, { recursive: true });
  writeFileSync(sandbox.log, "");
  return sandbox;
}
