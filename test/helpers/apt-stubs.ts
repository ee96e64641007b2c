// A fake apt for the packages script: a temporary root for its files and stand-ins for apt-get,
// dpkg-query, curl and mountpoint that record every call and keep a package database in a text
// file (gpg is the real one: the fingerprint check is what matters). Run as root, the script is
// started as nobody, so that nothing it does can reach a path outside the sandbox.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeSandbox } from "./sandbox";

const NOBODY = 65534;

const STUBS: Record<string, string> = {
  "dpkg-query": `#!/bin/bash
echo "dpkg-query $*" >> "$STUB_LOG"
rc=0
for a in "$@"; do
  case "$a" in -*) continue ;; esac
  v="$(awk -F'\\t' -v p="$a" '$1 == p { print $2 }' "$STUB/dpkg")"
  if [ -n "$v" ]; then printf '%s\\tinstalled\\t%s\\n' "$a" "$v"; else echo "dpkg-query: no packages found matching $a" >&2; rc=1; fi
done
exit $rc
`,
  "apt-get": `#!/bin/bash
echo "apt-get DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-} $*" >> "$STUB_LOG"
sub=""; pkgs=(); skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in
    -o) skip=1 ;;
    -*) ;;
    *) if [ -z "$sub" ]; then sub="$a"; else pkgs+=("$a"); fi ;;
  esac
done
if [ -s "$STUB/fail-$sub" ] && [ "$(cat "$STUB/fail-$sub")" -gt 0 ]; then
  echo $(( $(cat "$STUB/fail-$sub") - 1 )) > "$STUB/fail-$sub"
  echo "E: stub $sub fails" >&2; exit 100
fi
if [ "$sub" = install ]; then
  for p in "\${pkgs[@]}"; do
    awk -F'\\t' -v p="\${p%-}" '$1 != p' "$STUB/dpkg" > "$STUB/dpkg.new"; mv "$STUB/dpkg.new" "$STUB/dpkg"
    case "$p" in
      *-) ;;
      nodejs) printf 'nodejs\\t%s\\n' "$(cat "$STUB/nodejs-candidate")" >> "$STUB/dpkg" ;;
      *) printf '%s\\t1.0-1\\n' "$p" >> "$STUB/dpkg" ;;
    esac
  done
fi
`,
  curl: `#!/bin/bash
echo "curl $*" >> "$STUB_LOG"
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in -o) out="$2"; shift 2 ;; --proto | --max-time | --retry) shift 2 ;; -*) shift ;; *) url="$1"; shift ;; esac
done
[ -f "$STUB/keys/\${url##*/}" ] || { echo "curl: (22) The requested URL returned error: 404" >&2; exit 22; }
cp "$STUB/keys/\${url##*/}" "$out"
`,
  mountpoint: `#!/bin/bash
echo "mountpoint $*" >> "$STUB_LOG"
for a in "$@"; do p="$a"; done
grep -qxF "$p" "$STUB/mounts"
`,
};

export interface AptSandbox {
  dir: string;
  /** What the script sees as / (--root). */
  root: string;
  /** Packages installed, name → version. */
  installed(): Record<string, string>;
  setInstalled(pkgs: Record<string, string>): void;
  /** The version apt installs for nodejs (what the sources offer). */
  nodejsCandidate(version: string): void;
  /** apt-get's next `n` runs of `sub` (install or update) fail. */
  fail(sub: "install" | "update", n: number): void;
  /** The key file curl serves for a URL ending in `name`. */
  serveKey(name: string, content: string | Buffer): void;
  mounted(path: string): void;
  /** Calls of the stand-ins, in order, since the last clear. */
  calls(): string[];
  clearCalls(): void;
  run(input: string, env?: Record<string, string>): { status: number | null; stdout: string; stderr: string };
  /** Makes a path of the sandbox the script's user's (after the test built it as root). */
  own(path: string): void;
  remove(): void;
}

export function aptSandbox(script: string): AptSandbox {
  // makeSandbox's bin holds the stand-ins and its log their calls; stub/ keeps their package database and files.
  const { base: dir, root, stub: bin, log } = makeSandbox("packages-script-");
  const stub = join(dir, "stub");
  for (const d of [join(stub, "keys"), join(root, "etc/apt/sources.list.d"), join(root, "var/lib")]) mkdirSync(d, { recursive: true, mode: 0o755 });
  for (const [name, text] of Object.entries(STUBS)) writeFileSync(join(bin, name), text, { mode: 0o755 });
  writeFileSync(join(stub, "dpkg"), "");
  writeFileSync(join(stub, "mounts"), "");
  writeFileSync(join(stub, "nodejs-candidate"), "24.11.1-1nodesource1\n");
  copyFileSync(script, join(dir, "packages.sh"));
  chmodSync(join(dir, "packages.sh"), 0o755);
  const asRoot = process.getuid?.() === 0;
  const own = (path: string) => {
    if (asRoot) execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, path]);
  };
  own(dir);
  const write = (file: string, content: string | Buffer) => {
    writeFileSync(join(stub, file), content);
    own(join(stub, file));
  };
  const writeLog = (content: string) => {
    writeFileSync(log, content);
    own(log);
  };
  return {
    dir,
    root,
    installed: () => Object.fromEntries(readFileSync(join(stub, "dpkg"), "utf8").split("\n").filter(Boolean).map((l) => l.split("\t") as [string, string])),
    setInstalled: (pkgs) => write("dpkg", Object.entries(pkgs).map(([p, v]) => `${p}\t${v}\n`).join("")),
    nodejsCandidate: (v) => write("nodejs-candidate", `${v}\n`),
    fail: (sub, n) => write(`fail-${sub}`, `${n}\n`),
    serveKey: (name, content) => write(join("keys", name), content),
    mounted: (path) => write("mounts", `${join(root, path)}\n`),
    calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
    clearCalls: () => writeLog(""),
    run(input, env = {}) {
      const cmd = ["bash", join(dir, "packages.sh"), "--root", root];
      const argv = asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...cmd] : cmd;
      const r = spawnSync(argv[0]!, argv.slice(1), {
        input,
        encoding: "utf8",
        timeout: 60_000,
        env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, STUB: stub, STUB_LOG: log, HOME: dir, LANG: "C.UTF-8", MASTODON_CONVERGE_LOCK_WAIT: "2", ...env },
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    own,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
