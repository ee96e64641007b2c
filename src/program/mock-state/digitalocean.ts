// What the mocked provider answers for DigitalOcean resources: computed outputs only (inputs are echoed).
import { octet, type Computed } from "./octet";

export const DIGITALOCEAN: Computed = {
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
};
