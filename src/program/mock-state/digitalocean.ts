// What the mocked provider answers for DigitalOcean resources: computed outputs only (inputs are
// echoed). Shaped like the real provider where the program reads them, deterministic from the name.
import { createHash } from "node:crypto";
import { octet, type Computed } from "./octet";

/** What the provider's autonaming appends to a resource name: 7 hex characters (here from a hash, not random). */
const autoname = (n: string) => `${n}-${createHash("sha256").update(n).digest("hex").slice(0, 7)}`;
const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);

/** A kubeconfig shaped like DOKS's (token authentication); the token exists only in mocks. */
function mockKubeconfig(cluster: string) {
  const host = `https://${cluster}.k8s.ondigitalocean.example`;
  const token = `mock-k8s-token-${createHash("sha256").update(cluster).digest("hex").slice(0, 16)}`;
  const rawConfig = [
    "apiVersion: v1",
    "kind: Config",
    `clusters: [{ name: do-${cluster}, cluster: { server: "${host}", certificate-authority-data: TU9DSyBDQQ== } }]`,
    `users: [{ name: do-${cluster}-admin, user: { token: ${token} } }]`,
    `contexts: [{ name: do-${cluster}, context: { cluster: do-${cluster}, user: do-${cluster}-admin } }]`,
    `current-context: do-${cluster}`,
    "",
  ].join("\n");
  return { host, token, rawConfig, clusterCaCertificate: "TU9DSyBDQQ==", expiresAt: "2026-12-07T00:00:00Z" };
}

export const DIGITALOCEAN: Computed = {
  "digitalocean:index/vpc:Vpc": (n, i) => ({ name: str(i.name, autoname(n)), urn: `do:vpc:${n}` }),
  "digitalocean:index/droplet:Droplet": (n, i) => ({
    name: str(i.name, autoname(n)),
    ipv4Address: `198.51.100.${octet(n, "v4")}`,
    ipv4AddressPrivate: `10.10.0.${octet(n, "priv")}`,
    ipv6Address: `2001:db8:100::${octet(n, "v6")}`,
    status: "active",
    urn: `do:droplet:${n}`,
  }),
  "digitalocean:index/volume:Volume": (n, i) => ({ name: str(i.name, autoname(n)), filesystemType: str(i.initialFilesystemType, "ext4"), urn: `do:volume:${n}` }),
  "digitalocean:index/firewall:Firewall": (n, i) => ({ name: str(i.name, autoname(n)), status: "succeeded" }),
  "digitalocean:index/certificate:Certificate": (n, i) => ({
    name: str(i.name, autoname(n)),
    uuid: `${n}-uuid`,
    state: "verified",
    sha1Fingerprint: createHash("sha1").update(n).digest("hex"),
  }),
  "digitalocean:index/loadBalancer:LoadBalancer": (n, i) => ({
    name: str(i.name, autoname(n)),
    ip: `198.51.100.${octet(n, "lb")}`,
    ipv6: `2001:db8:200::${octet(n, "lb")}`,
    status: "active",
    urn: `do:loadbalancer:${n}`,
  }),
  "digitalocean:index/databaseCluster:DatabaseCluster": (n, i) => ({
    name: str(i.name, autoname(n)),
    host: `${n}.db.ondigitalocean.example`,
    privateHost: `private-${n}.db.ondigitalocean.example`,
    port: i.engine === "pg" || i.engine === "opensearch" ? 25060 : 25061,
    user: "doadmin",
    password: "mock-cluster-password",
    uri: `mock://${n}`,
    privateUri: `mock://private-${n}`,
    database: "defaultdb",
    urn: `do:dbaas:${n}`,
  }),
  "digitalocean:index/databaseUser:DatabaseUser": () => ({ password: "mock-user-password", role: "normal" }),
  "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": (n) => ({
    host: `${n}.pool.ondigitalocean.example`,
    privateHost: `private-${n}.pool.ondigitalocean.example`,
    port: 25061,
    uri: `mock://${n}`,
    password: "mock-pool-password",
  }),
  "digitalocean:index/spacesBucket:SpacesBucket": (n, i) => ({
    name: str(i.name, autoname(n)),
    bucketDomainName: `${str(i.name, n)}.${str(i.region, "nyc3")}.digitaloceanspaces.com`,
    endpoint: `${str(i.region, "nyc3")}.digitaloceanspaces.com`,
    urn: `do:space:${str(i.name, n)}`,
  }),
  // Spaces' CDN endpoint is the origin's name with "cdn." before digitaloceanspaces.com.
  "digitalocean:index/cdn:Cdn": (n, i) => ({
    endpoint: str(i.origin, `${n}.nyc3.digitaloceanspaces.com`).replace(/\.digitaloceanspaces\.com$/, ".cdn.digitaloceanspaces.com"),
    createdAt: "2026-01-01T00:00:00Z",
  }),
  "digitalocean:index/spacesKey:SpacesKey": (n, i) => ({
    name: str(i.name, autoname(n)),
    accessKey: `MOCK${createHash("sha256").update(n).digest("hex").slice(0, 16).toUpperCase()}`,
    secretKey: "mock-secret-key",
    createdAt: "2026-01-01T00:00:00Z",
  }),
  // Version slugs as DOKS writes them ("1.34.1-do.0"); the newest patch is latestVersion.
  "digitalocean:index/getKubernetesVersions:getKubernetesVersions": (_n, i) => {
    const prefix = str(i.versionPrefix, "1.34.");
    const validVersions = [`${prefix}2-do.0`, `${prefix}1-do.1`];
    return { id: "versions", latestVersion: validVersions[0], validVersions, versionPrefix: prefix };
  },
  "digitalocean:index/kubernetesCluster:KubernetesCluster": (n, i) => ({
    name: str(i.name, autoname(n)),
    endpoint: `https://${n}-id.k8s.ondigitalocean.example`,
    clusterUrn: `do:kubernetes:${n}-id`,
    ipv4Address: "",
    status: "running",
    kubeConfigs: [mockKubeconfig(str(i.name, n))],
    nodePool: { ...(i.nodePool as object), id: `${n}-pool-id`, actualNodeCount: (i.nodePool as { minNodes?: number } | undefined)?.minNodes ?? 1, nodes: [] },
    urn: `do:kubernetes:${n}-id`,
  }),
  "digitalocean:index/kubernetesNodePool:KubernetesNodePool": (_n, i) => ({ actualNodeCount: i.minNodes ?? 1, nodes: [] }),
  // The cluster looked up by name, with credentials fetched on the spot.
  "digitalocean:index/getKubernetesCluster:getKubernetesCluster": (_n, i) => ({
    id: `${str(i.name, "cluster")}-id`,
    name: i.name,
    endpoint: `https://${str(i.name, "cluster")}.k8s.ondigitalocean.example`,
    kubeConfigs: [mockKubeconfig(str(i.name, "cluster"))],
    status: "running",
  }),
  "digitalocean:index/getDatabaseCa:getDatabaseCa": (_n, i) => ({
    clusterId: i.clusterId,
    id: str(i.clusterId, "cluster"),
    certificate: `-----BEGIN CERTIFICATE-----\nMOCK DO CA ${str(i.clusterId, "cluster")}\n-----END CERTIFICATE-----\n`,
  }),
};
