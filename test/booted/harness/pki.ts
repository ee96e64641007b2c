// Certificate authorities of the test network's providers, made with openssl: the one a managed
// database hands out through its API (DigitalOcean's getDatabaseCa) and the one standing in for
// a public CA (Let's Encrypt signs DigitalOcean's Valkey and OpenSearch certificates, and hosts
// trust it through their system store).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Authority {
  certPem: string;
  keyPem: string;
}

export interface Issued {
  certPem: string;
  keyPem: string;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "harness-pki-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function makeAuthority(commonName: string): Authority {
  return inTempDir((dir) => {
    const keyPem = openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], dir);
    writeFileSync(join(dir, "ca.key"), keyPem, { mode: 0o600 });
    const certPem = openssl(["req", "-x509", "-new", "-key", "ca.key", "-subj", `/O=booted-host harness/CN=${commonName}`, "-days", "30",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
    return { certPem, keyPem };
  });
}

/** A server certificate for these DNS names, signed by the authority. */
export function issue(ca: Authority, names: readonly string[]): Issued {
  return inTempDir((dir) => {
    const keyPem = openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], dir);
    writeFileSync(join(dir, "server.key"), keyPem, { mode: 0o600 });
    writeFileSync(join(dir, "ca.key"), ca.keyPem, { mode: 0o600 });
    writeFileSync(join(dir, "ca.crt"), ca.certPem);
    writeFileSync(join(dir, "ext"), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\n`);
    openssl(["req", "-new", "-key", "server.key", "-subj", `/CN=${names[0]}`, "-out", "server.csr"], dir);
    const certPem = openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "30", "-extfile", "ext"], dir);
    return { certPem, keyPem };
  });
}
