// Provider answers for the booted-host run where the mocks' placeholders would not do on a real
// host: the tls provider's keys and certificates become real ones made by openssl from the
// inputs the program's InternalTls component sends (so hosts verify each other with the
// program's own CA),.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Computed, State } from "../../../src/program/mock-state/octet";

function withFiles<T>(files: Record<string, string>, fn: (path: (name: string) => string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "harness-tls-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
    return fn((name) => join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const openssl = (args: string[]) => execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function subject(inputs: State): string {
  const s = (inputs.subject ?? {}) as { commonName?: string; organization?: string };
  return `/${s.organization ? `O=${s.organization}/` : ""}CN=${s.commonName ?? "harness"}`;
}

const days = (inputs: State) => String(Math.max(1, Math.ceil(Number(inputs.validityPeriodHours ?? 24) / 24)));

/**
 * As Pulumi's state does, a resource keeps its answer while its inputs stay the same: the program
 * is re-run for every change a test makes (and after the boots), and fresh keys on each run would
 * re-key the data hosts behind the backs of hosts that are not converged in that step.
 */
/** JSON with every object's keys sorted, at every depth. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

function stable(make: (name: string, inputs: State) => State): (name: string, inputs: State) => State {
  const cache = new Map<string, State>();
  return (name, inputs) => {
    const key = `${name}\0${canonical(inputs)}`;
    let answer = cache.get(key);
    if (!answer) cache.set(key, (answer = make(name, inputs)));
    return answer;
  };
}

export const REAL_VALUES: Computed = Object.fromEntries(Object.entries(fresh()).map(([type, make]) => [type, stable(make)]));

function fresh(): Computed {
  return {
    "tls:index/privateKey:PrivateKey": () => {
      const pem = openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]);
      return { privateKeyPem: pem, privateKeyPemPkcs8: pem, publicKeyPem: withFiles({ key: pem }, (p) => openssl(["pkey", "-in", p("key"), "-pubout"])) };
    },
    "tls:index/selfSignedCert:SelfSignedCert": (_n, i) => ({
      certPem: withFiles({ key: String(i.privateKeyPem) }, (p) =>
        openssl(["req", "-x509", "-new", "-key", p("key"), "-subj", subject(i), "-days", days(i), "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
      ),
    }),
    "tls:index/certRequest:CertRequest": (_n, i) => {
      const sans = [...((i.ipAddresses as string[] | undefined) ?? []).map((a) => `IP:${a}`), ...((i.dnsNames as string[] | undefined) ?? []).map((d) => `DNS:${d}`)];
      return {
        certRequestPem: withFiles({ key: String(i.privateKeyPem) }, (p) => openssl(["req", "-new", "-key", p("key"), "-subj", subject(i), ...(sans.length ? ["-addext", `subjectAltName=${sans.join(",")}`] : [])])),
      };
    },
    "tls:index/locallySignedCert:LocallySignedCert": (_n, i) => ({
      certPem: withFiles(
        { csr: String(i.certRequestPem), ca: String(i.caCertPem), key: String(i.caPrivateKeyPem), ext: "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" },
        (p) => openssl(["x509", "-req", "-in", p("csr"), "-CA", p("ca"), "-CAkey", p("key"), "-CAcreateserial", "-days", days(i), "-copy_extensions", "copyall", "-extfile", p("ext")]),
      ),
    }),
  };
}
