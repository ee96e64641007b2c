// A throwaway directory tree in which a proxy host's rendered nginx files run unchanged apart
// from where they live: every host path (/etc, /var, /run, /home) is moved under the tree's
// root, so `nginx -t` and a real nginx need no root and leave the machine's own nginx alone.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { NGINX_PATHS } from "../../src/plan/render/nginx";
import { fillPlaceholders } from "../../src/plan/render/placeholders";
import type { HostFile } from "../../src/plan/types";

const HOST_PATH = /(?<=\s)\/(?:etc|var|run|home)\/[^\s;]*/g;

export interface NginxTree {
  root: string;
  conf: string;
  errorLog: string;
  /** Where a file of the host ends up in the tree. */
  at(hostPath: string): string;
  remove(): void;
}

export interface TreeOptions {
  /** Names the throwaway certificate is issued for. */
  names: string[];
  /** Applied to each file's final text (e.g. to move listeners to free ports). */
  edit?: (hostPath: string, content: string) => string;
}

/** {{output:address.web-1}} markers become distinct loopback addresses, in sorted order. */
export function loopbacks(files: readonly HostFile[]): Map<string, string> {
  const names = [...new Set(files.flatMap((f) => f.outputs))].sort();
  return new Map(names.map((n, i) => [n, `127.0.0.${i + 2}`]));
}

export function buildTree(files: readonly HostFile[], opts: TreeOptions): NginxTree {
  const root = mkdtempSync(join(tmpdir(), "nginx-tree-"));
  // nginx workers run as www-data when the test runs as root: they must reach the public root.
  chmodSync(root, 0o755);
  const at = (p: string) => join(root, p);
  const addr = loopbacks(files);
  for (const dir of ["etc/nginx/conf.d", "etc/nginx/modules-enabled", "var/log/nginx", "var/cache", "run", "tmp"]) mkdirSync(at(dir), { recursive: true });
  copyFileSync(NGINX_PATHS.mimeTypes, at(NGINX_PATHS.mimeTypes));

  for (const f of files) {
    let text = fillPlaceholders(f.content, (kind, name) => (kind === "output" ? addr.get(name)! : `test-${name}`));
    text = text.replace(HOST_PATH, (p) => `${root}${p}`);
    if (f.path === NGINX_PATHS.conf) {
      // Debian compiles temp paths under /var/lib/nginx; keep them in the tree too.
      const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((k) => `  ${k}_temp_path ${root}/tmp/${k};`).join("\n");
      text = text.replace(/^http \{$/m, `http {\n${temp}`);
    }
    if (opts.edit) text = opts.edit(f.path, text);
    mkdirSync(dirname(at(f.path)), { recursive: true });
    writeFileSync(at(f.path), text);
  }

  if (files.some((f) => f.content.includes(NGINX_PATHS.certificate))) {
    mkdirSync(dirname(at(NGINX_PATHS.certificate)), { recursive: true });
    const san = opts.names.map((n) => `DNS:${n}`).join(",");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", `/CN=${opts.names[0]}`,
      "-addext", `subjectAltName=${san}`, "-keyout", at(NGINX_PATHS.certificateKey), "-out", at(NGINX_PATHS.certificate)], { stdio: "pipe" });
  }
  return {
    root,
    conf: at(NGINX_PATHS.conf),
    errorLog: at(`${NGINX_PATHS.logDir}/error.log`),
    at,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Arguments that point nginx at the tree instead of the compiled-in /etc/nginx and /var/log. */
export function nginxArgs(tree: NginxTree): string[] {
  return ["-p", `${tree.root}/`, "-c", tree.conf, "-e", tree.errorLog];
}

export function nginxTest(tree: NginxTree): { ok: boolean; output: string } {
  const r = spawnSync("nginx", ["-t", "-q", ...nginxArgs(tree)], { encoding: "utf8", timeout: 15_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
