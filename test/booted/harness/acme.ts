// Let's Encrypt for the test network: Pebble (Debian's ACME test server) on the bridge's router
// address, and pebble-challtestsrv answering DNS for the instance's names with the proxy's
// address, so the program's own certbot command (HTTP-01 through nginx, then the deploy hook)
// runs unchanged. Hosts find it through certbot's cli.ini and trust its TLS certificate through
// REQUESTS_CA_BUNDLE, both written before first boot.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const PORT = 14000;
const DNS_PORT = 8053;
const CA_IN_HOST = "/etc/harness/acme-server.pem";

export interface AcmeServer {
  /** Files every host gets before first boot. */
  hostFiles: { path: string; content: string }[];
  stop(): void;
}

async function waitFor(url: string, ca: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (spawnSync("curl", ["-s", "-o", "/dev/null", "--cacert", ca, url]).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pebble did not answer at ${url}`);
}

/** Starts Pebble for names that all resolve to `address` (the proxy the balancer or DNS points at). */
export async function startAcme(dir: string, gateway: string, address: string): Promise<AcmeServer> {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, "server.pem");
  const key = join(dir, "server.key");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=harness ACME", "-addext", `subjectAltName=IP:${gateway}`, "-addext", "basicConstraints=critical,CA:TRUE", "-keyout", key, "-out", cert], { stdio: "ignore" });
  const config = join(dir, "pebble.json");
  // Validation goes to the real ports (80/443), not Pebble's test defaults.
  writeFileSync(config, JSON.stringify({ pebble: { listenAddress: `${gateway}:${PORT}`, managementListenAddress: `${gateway}:15000`, certificate: cert, privateKey: key, httpPort: 80, tlsPort: 443, ocspResponderURL: "", externalAccountBindingRequired: false } }));
  // No sleeps before validation, no rejected nonces: a deterministic ACME server for tests.
  const opts = { stdio: "ignore" as const, cwd: dir, env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0" } };
  const dns: ChildProcess = spawn("pebble-challtestsrv", ["-dns01", `${gateway}:${DNS_PORT}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", `${gateway}:8055`, "-defaultIPv4", address, "-defaultIPv6", ""], opts);
  const pebble: ChildProcess = spawn("pebble", ["-config", config, "-dnsserver", `${gateway}:${DNS_PORT}`], opts);
  await waitFor(`https://${gateway}:${PORT}/dir`, cert);
  const pem = readFileSync(cert, "utf8");
  return {
    hostFiles: [
      { path: CA_IN_HOST, content: pem },
      { path: "/etc/letsencrypt/cli.ini", content: `# The booted-host harness's ACME server (Pebble) stands in for Let's Encrypt.\nserver = https://${gateway}:${PORT}/dir\n` },
    ],
    stop() {
      pebble.kill();
      dns.kill();
    },
  };
}

/** The environment line that makes certbot (python-requests) trust the ACME server. */
export const ACME_ENVIRONMENT = `REQUESTS_CA_BUNDLE=${CA_IN_HOST}`;
