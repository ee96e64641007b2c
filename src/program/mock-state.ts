// What the mocked providers answer: the inputs echoed back plus the outputs a real provider
// computes (addresses, hostnames, ports, generated values), deterministic from the name so two
// offline plans are byte-identical.
import { createHash } from "node:crypto";

type State = Record<string, unknown>;

/** A fixed P-256 key that exists only in mocks, so code that parses keys (VAPID) runs for real offline. */
const MOCK_EC_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgrjgOrBxpgIeGREGJ
rsL99sMd2PPP2wkSlwnb7JbhZXmhRANCAAQL0LMhkruFkpU7XCLrgYvGhTa6IWpF
67hPGoJkYnXD0AqCjT4Zqo/CF2e67/qKwWM4HlvHbcj7R/kuyCJfPkVi
-----END PRIVATE KEY-----
`;

function octet(name: string, salt: string): number {
  return (createHash("sha256").update(`${salt}:${name}`).digest()[0]! % 200) + 20;
}

/** Outputs keyed by resource type token (or invoke token), computed from the resource name. */
const COMPUTED: Record<string, (name: string, inputs: State) => State> = {
  "digitalocean:index/droplet:Droplet": (n) => ({
    ipv4Address: `198.51.100.${octet(n, "v4")}`,
    ipv4AddressPrivate: `10.10.0.${octet(n, "priv")}`,
    ipv6Address: `2001:db8:100::${octet(n, "v6")}`,
    urn: `do:droplet:${n}`,
  }),
  "digitalocean:index/vpc:Vpc": (n) => ({ urn: `do:vpc:${n}` }),
  "digitalocean:index/loadBalancer:LoadBalancer": (n) => ({ ip: `198.51.100.${octet(n, "lb")}`, urn: `do:loadbalancer:${n}` }),
  "digitalocean:index/databaseCluster:DatabaseCluster": (n, i) => ({
    host: `${n}.db.ondigitalocean.example`,
    privateHost: `private-${n}.db.ondigitalocean.example`,
    port: i.engine === "pg" ? 25060 : 25061,
    user: "doadmin",
    password: "mock-cluster-password",
    uri: `mock://${n}`,
    privateUri: `mock://private-${n}`,
    database: "defaultdb",
    urn: `do:dbaas:${n}`,
  }),
  "digitalocean:index/databaseUser:DatabaseUser": () => ({ password: "mock-user-password" }),
  "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": (n) => ({
    host: `${n}.pool.ondigitalocean.example`,
    privateHost: `private-${n}.pool.ondigitalocean.example`,
    port: 25061,
    uri: `mock://${n}`,
    password: "mock-pool-password",
  }),
  "digitalocean:index/spacesBucket:SpacesBucket": (n, i) => ({
    bucketDomainName: `${String(i.name ?? n)}.${String(i.region ?? "nyc3")}.digitaloceanspaces.com`,
    endpoint: `${String(i.region ?? "nyc3")}.digitaloceanspaces.com`,
    urn: `do:space:${String(i.name ?? n)}`,
  }),
  "digitalocean:index/cdn:Cdn": (n) => ({ endpoint: `${n}.cdn.digitaloceanspaces.example` }),
  "digitalocean:index/spacesKey:SpacesKey": () => ({ accessKey: "MOCKACCESSKEY", secretKey: "mock-secret-key" }),
  "digitalocean:index/getDatabaseCa:getDatabaseCa": () => ({ certificate: "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n" }),
  "hcloud:index/server:Server": (n) => ({ ipv4Address: `198.51.100.${octet(n, "v4")}`, ipv6Address: `2001:db8:200::${octet(n, "v6")}` }),
  "hcloud:index/loadBalancer:LoadBalancer": (n) => ({ ipv4: `198.51.100.${octet(n, "lb")}`, ipv6: `2001:db8:300::${octet(n, "lb")}` }),
  "hcloud:index/primaryIp:PrimaryIp": (n, i) => ({ ipAddress: i.type === "ipv6" ? `2001:db8:400::${octet(n, "pip")}` : `198.51.100.${octet(n, "pip")}` }),
  "cloudflare:index/r2Bucket:R2Bucket": (n, i) => ({ name: i.name ?? n }),
  "cloudflare:index/r2ManagedDomain:R2ManagedDomain": (n) => ({ domain: `pub-${createHash("sha256").update(n).digest("hex").slice(0, 32)}.r2.dev` }),
  "random:index/randomPassword:RandomPassword": (n, i) => ({ result: `mock-${n}`.padEnd(Number(i.length ?? 32), "x").slice(0, Number(i.length ?? 32)) }),
  "random:index/randomBytes:RandomBytes": (n) => ({ hex: createHash("sha256").update(n).digest("hex"), base64: createHash("sha256").update(n).digest("base64") }),
  "tls:index/privateKey:PrivateKey": (n) => ({ privateKeyPem: MOCK_EC_KEY, privateKeyPemPkcs8: MOCK_EC_KEY, publicKeyPem: `MOCK PUBLIC ${n}` }),
  "tls:index/selfSignedCert:SelfSignedCert": (n) => ({ certPem: `-----BEGIN CERTIFICATE-----\nMOCK CA ${n}\n-----END CERTIFICATE-----\n` }),
  "tls:index/locallySignedCert:LocallySignedCert": (n) => ({ certPem: `-----BEGIN CERTIFICATE-----\nMOCK ${n}\n-----END CERTIFICATE-----\n` }),
  "tls:index/certRequest:CertRequest": (n) => ({ certRequestPem: `MOCK CSR ${n}` }),
};

export function mockState(type: string, name: string, inputs: State): State {
  return { ...inputs, ...(COMPUTED[type]?.(name, inputs) ?? {}) };
}
