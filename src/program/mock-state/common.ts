// What the mocked providers answer for Cloudflare, random, tls and command resources.
import { createHash } from "node:crypto";
import { HOST_KEY_FILE, mockHostKey } from "../../components/host/host-key";
import type { Computed } from "./octet";

/** A fixed P-256 key that exists only in mocks, so code that parses keys (VAPID) runs for real offline. */
const MOCK_EC_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgrjgOrBxpgIeGREGJ
rsL99sMd2PPP2wkSlwnb7JbhZXmhRANCAAQL0LMhkruFkpU7XCLrgYvGhTa6IWpF
67hPGoJkYnXD0AqCjT4Zqo/CF2e67/qKwWM4HlvHbcj7R/kuyCJfPkVi
-----END PRIVATE KEY-----
`;

export const COMMON: Computed = {
  // The first boot's report of the host key, which pins the host's later connections.
  "command:remote:Command": (n, i) => (typeof i.create === "string" && i.create.includes(HOST_KEY_FILE) ? { stdout: `${mockHostKey(n)} root@mock\n` } : {}),
  "cloudflare:index/r2Bucket:R2Bucket": (n, i) => ({ name: i.name ?? n }),
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": (n) => ({ domain: `pub-${createHash("sha256").update(n).digest("hex").slice(0, 32)}.r2.dev` }),
  "random:index/randomPassword:RandomPassword": (n, i) => ({ result: `mock-${n}`.padEnd(Number(i.length ?? 32), "x").slice(0, Number(i.length ?? 32)) }),
  "random:index/randomBytes:RandomBytes": (n) => ({ hex: createHash("sha256").update(n).digest("hex"), base64: createHash("sha256").update(n).digest("base64") }),
  "tls:index/privateKey:PrivateKey": (n) => ({ privateKeyPem: MOCK_EC_KEY, privateKeyPemPkcs8: MOCK_EC_KEY, publicKeyPem: `MOCK PUBLIC ${n}` }),
  "tls:index/selfSignedCert:SelfSignedCert": (n) => ({ certPem: `-----BEGIN CERTIFICATE-----\nMOCK CA ${n}\n-----END CERTIFICATE-----\n` }),
  "tls:index/locallySignedCert:LocallySignedCert": (n) => ({ certPem: `-----BEGIN CERTIFICATE-----\nMOCK ${n}\n-----END CERTIFICATE-----\n` }),
  "tls:index/certRequest:CertRequest": (n) => ({ certRequestPem: `MOCK CSR ${n}` }),
};
