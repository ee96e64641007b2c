// The shell commands the program runs on each host, as plain strings: the end-to-end tests send
// exactly these over a real sshd, so what is tested is what `pulumi up` runs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TEMPLATE_ROOT } from "../../plan/render/engine";
import { shellQuote } from "../../plan/render/shell";
import { HOST_KEY_FILE } from "./host-key";

export const CONVERGE_PATH = "/usr/local/sbin/mastodon-converge";
export const PACKAGES_PATH = "/usr/local/sbin/mastodon-packages";

const scripts = new Map<string, string>();
/** A script's text, read once per process (every host installs the same one). */
function script(name: string): string {
  let text = scripts.get(name);
  if (text === undefined) scripts.set(name, (text = readFileSync(join(TEMPLATE_ROOT, "scripts", name), "utf8")));
  return text;
}

export function convergeScript(): string {
  return script("converge.sh");
}

export function packagesScript(): string {
  return script("packages.sh");
}

/** Installs the script read from stdin, atomically (a converge running from the old one is unaffected). */
export function installScriptCommand(path: string): string {
  const p = shellQuote(path);
  return `set -e; d=$(dirname ${p}); mkdir -p "$d"; t=$(mktemp "$d/.install.XXXXXX"); cat > "$t"; chmod 0755 "$t"; mv -f "$t" ${p}`;
}

/**
 * Waits until the host accepts commands and its first boot (cloud-init) has finished, then
 * reports the host's SSH key, which pins every later connection (see host-key.ts). cloud-init
 * exits 2 for a boot that finished with recoverable errors: those are the converge's to fix.
 */
export const WAIT_FOR_BOOT = `cloud-init status --wait >/dev/null || { rc=$?; [ $rc -eq 2 ] || exit $rc; }; cat ${HOST_KEY_FILE}`;

/** Converges the host to the bundle on stdin. With a root prefix (tests) the script lives under it too. */
export function convergeCommand(root?: string): string {
  return root ? `${shellQuote(`${root}${CONVERGE_PATH}`)} --root ${shellQuote(root)}` : CONVERGE_PATH;
}

/** Brings the host's apt sources and packages to the desired state on stdin (plan/render/packages-step.ts). */
export function packagesCommand(root?: string): string {
  return root ? `${shellQuote(`${root}${PACKAGES_PATH}`)} --root ${shellQuote(root)}` : PACKAGES_PATH;
}
