// The DigitalOcean components under mocks, asserted on the inputs the provider would receive: the
// prod stack (load balancer with TLS passthrough, managed Postgres/Valkey/OpenSearch, Spaces + CDN),
// the same behind a TLS-terminating balancer, and the same with no balancer and self-hosted search
// on a droplet with a data volume.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DATA_PORTS } from "../../src/components/firewall-rules";
import { POOL_NAME } from "../../src/plan/endpoints";
import { PATHS } from "../../src/plan/render/context";
import { mockState } from "../../src/program/mock-state/index";
import { parseStack } from "../../src/spec/load";
import { covers, inboundRules, WORLD } from "../helpers/firewall";
import { inputs, one, ofType, runProgram, runStack, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const T = {
  vpc: "digitalocean:index/vpc:Vpc",
  tag: "digitalocean:index/tag:Tag",
  droplet: "digitalocean:index/droplet:Droplet",
  volume: "digitalocean:index/volume:Volume",
  attachment: "digitalocean:index/volumeAttachment:VolumeAttachment",
  firewall: "digitalocean:index/firewall:Firewall",
  lb: "digitalocean:index/loadBalancer:LoadBalancer",
  certificate: "digitalocean:index/certificate:Certificate",
  cluster: "digitalocean:index/databaseCluster:DatabaseCluster",
  db: "digitalocean:index/databaseDb:DatabaseDb",
  user: "digitalocean:index/databaseUser:DatabaseUser",
  pool: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool",
  dbFirewall: "digitalocean:index/databaseFirewall:DatabaseFirewall",
  bucket: "digitalocean:index/spacesBucket:SpacesBucket",
  cors: "digitalocean:index/spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
  cdn: "digitalocean:index/cdn:Cdn",
  key: "digitalocean:index/spacesKey:SpacesKey",
  dns: "digitalocean:index/dnsRecord:DnsRecord",
} as const;

/** Our components that may parent a DigitalOcean resource. */
const COMPONENTS = [
  "mastodon:network:DigitalOceanNetwork",
  "mastodon:hosts:DigitalOceanHosts",
  "mastodon:firewall:DigitalOceanFirewalls",
  "mastodon:loadbalancer:DigitalOceanLoadBalancer",
  "mastodon:database:DigitalOceanPostgres",
  "mastodon:cache:DigitalOceanValkey",
  "mastodon:search:DigitalOceanOpenSearch",
  "mastodon:storage:SpacesStorage",
  "mastodon:dns:DigitalOceanDns",
];

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const sorted = (v: unknown[]) => [...v].map(String).sort();

let prod: ProgramRun;
let terminate: ProgramRun;
let direct: ProgramRun;

before(async () => {
  prod = await runStack("prod");
  terminate = await runProgram(parseStack(edited("prod", (d) => {
    d.loadBalancer = { enabled: true, tls: "terminate" };
    d.webDomain = "social.example.social";
    d.alternateDomains = ["www.example.social"];
  }), "prod.yaml"));
  direct = await runProgram(
    parseStack(
      edited("prod", (d) => {
        d.loadBalancer = { enabled: false };
        d.postgres = { selfHosted: { host: "db" } };
        d.hosts.push({ name: "db", size: "s-2vcpu-4gb", roles: ["postgres", "pgbouncer"], volume: { sizeGb: 50 } });
      }),
      "prod.yaml",
    ),
  );
});

const droplet = (r: ProgramRun, host: string) => one(r, T.droplet, `${r.spec.name}-hosts-${host}`);
const firewall = (r: ProgramRun, group: string) => one(r, T.firewall, `${r.spec.name}-firewalls-${group}`);
const computed = (type: string, name: string, i: Obj = {}) => mockState(type, name, i);
const envOf = (r: ProgramRun, host: string) => r.hostFiles[host]!.find((f) => f.path.endsWith("env.production"))!.content;
const envValue = (env: string, key: string) => env.split("\n").find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);

/**
 * Droplet id per host, read from the base firewall (every host, in plan order). Checked against
 * the other places ids appear, so a wrong mapping cannot pass unnoticed.
 */
function dropletIds(r: ProgramRun): Record<string, number> {
  const ids = inputs(firewall(r, "base")).dropletIds as number[];
  assert.equal(ids.length, r.plan.hosts.length);
  assert.equal(new Set(ids).size, ids.length, "droplet ids are not distinct");
  for (const id of ids) assert.ok(Number.isInteger(id) && id > 0, `droplet id ${id} is not a positive integer`);
  return Object.fromEntries(r.plan.hosts.map((h, i) => [h.name, ids[i]!]));
}

describe("digitalocean: prod", () => {
  it("creates one droplet per planned host with the plan's size, image, region, VPC, user data and tags", () => {
    const drops = ofType(prod, T.droplet);
    assert.equal(drops.length, 6);
    assert.equal(drops.length, prod.plan.hosts.length);
    const vpcId = `${one(prod, T.vpc, "prod-vpc").name}-id`;
    for (const h of prod.plan.hosts) {
      const d = droplet(prod, h.name);
      const i = inputs(d);
      assert.equal(i.size, h.size, h.name);
      assert.deepEqual(
        [i.name, i.image, i.region, i.vpcUuid, i.ipv6, i.monitoring, i.userData, i.sshKeys],
        [`prod-${h.name}`, "debian-13-x64", "tor1", vpcId, true, true, h.userData, ["offline-ssh-key"]],
        h.name,
      );
      const want = ["mastodon-prod", ...h.roles.map((role) => `prod-${role}`)];
      assert.deepEqual(sorted(i.tags as unknown[]), sorted(want), h.name);
    }
    // Tags are names the Droplet API creates on first use, not resources to wait for.
    assert.equal(ofType(prod, T.tag).length, 0);
  });

  it("waits for nothing but the VPC before creating a droplet", () => {
    const vpc = one(prod, T.vpc, "prod-vpc").urn;
    for (const d of ofType(prod, T.droplet)) assert.deepEqual(d.dependencies, [vpc], d.name);
  });

  it("puts the VPC on the stack's private range, named per stack and region", () => {
    const i = inputs(one(prod, T.vpc, "prod-vpc"));
    assert.deepEqual([i.ipRange, i.name, i.region], ["10.10.0.0/16", "prod-tor1", "tor1"]);
  });

  it("exposes every host's VPC address for the plan's address markers", () => {
    const upstreams = prod.hostFiles["edge-1"]!.map((f) => f.content).join("\n");
    assert.ok(!upstreams.includes("{{"), "a marker is left on edge-1");
    for (const h of ["web-1", "web-2"]) assert.ok(upstreams.includes(String(computed(T.droplet, `prod-hosts-${h}`).ipv4AddressPrivate)), `edge-1 files lack ${h}'s address`);
  });

  it("creates the Postgres cluster, database, user and a transaction pool wired to both", () => {
    const cluster = inputs(one(prod, T.cluster, "prod-postgres"));
    assert.deepEqual(
      [cluster.engine, cluster.version, cluster.size, cluster.region, cluster.nodeCount, cluster.privateNetworkUuid],
      ["pg", "16", "db-s-2vcpu-4gb", "tor1", 2, "prod-vpc-id"],
    );
    const db = one(prod, T.db, "prod-postgres-db");
    const user = one(prod, T.user, "prod-postgres-user");
    assert.equal(inputs(db).name, "mastodon_production");
    assert.equal(inputs(user).name, "mastodon");
    const pool = one(prod, T.pool, "prod-postgres-pool");
    const p = inputs(pool);
    assert.deepEqual([p.name, p.mode, p.size, p.dbName, p.user, p.clusterId], [POOL_NAME, "transaction", prod.plan.services.pool.size, "mastodon_production", "mastodon", "prod-postgres-id"]);
    assert.equal(prod.plan.services.pool.mode, "transaction");
    // From the resources, so the pool is created after the database and the user exist.
    assert.ok(pool.dependencies.includes(db.urn) && pool.dependencies.includes(user.urn));
  });

  it("creates Valkey with noeviction and OpenSearch 2, one node each, in the VPC", () => {
    const v = inputs(one(prod, T.cluster, "prod-valkey"));
    assert.deepEqual([v.engine, v.version, v.size, v.nodeCount, v.privateNetworkUuid, v.evictionPolicy], ["valkey", "8", "db-s-1vcpu-2gb", 1, "prod-vpc-id", "noeviction"]);
    const s = inputs(one(prod, T.cluster, "prod-opensearch"));
    assert.deepEqual([s.engine, s.version, s.size, s.nodeCount, s.privateNetworkUuid], ["opensearch", "2", "db-s-2vcpu-4gb", 1, "prod-vpc-id"]);
  });

  it("trusts exactly the application hosts' droplets on every managed cluster, not the edges", () => {
    const ids = dropletIds(prod);
    const want = ["web-1", "web-2", "worker-1", "worker-2"].map((h) => String(ids[h]));
    const fws = ofType(prod, T.dbFirewall);
    assert.deepEqual(fws.map((f) => f.name).sort(), ["prod-opensearch-firewall", "prod-postgres-firewall", "prod-valkey-firewall"]);
    for (const f of fws) {
      const rules = list(inputs(f).rules);
      assert.ok(rules.every((r) => r.type === "droplet"), f.name);
      assert.deepEqual(sorted(rules.map((r) => r.value)), sorted(want), f.name);
      for (const edge of ["edge-1", "edge-2"]) assert.ok(!rules.some((r) => r.value === String(ids[edge])), `${f.name} trusts ${edge}`);
    }
  });

  it("admits 80 and 443 on the proxies only from the load balancer", () => {
    const ids = dropletIds(prod);
    const fw = inputs(firewall(prod, "proxy"));
    assert.deepEqual(sorted(fw.dropletIds as unknown[]), sorted([ids["edge-1"], ids["edge-2"]]));
    const rules = list(fw.inboundRules);
    assert.deepEqual(sorted(rules.map((r) => r.portRange)), ["443", "80", "8042"]);
    for (const r of rules.filter((x) => x.portRange !== "8042")) {
      assert.deepEqual(r.sourceLoadBalancerUids, ["prod-lb-id"]);
      assert.equal(r.sourceAddresses, undefined, "an address list beside the load balancer");
    }
    // The proxies' ACME challenge lookups: from the VPC only, never the world.
    assert.deepEqual(rules.filter((x) => x.portRange === "8042").map((r) => r.sourceAddresses), [[prod.spec.network.privateCidr]]);
    // Nothing else anywhere opens 80 or 443.
    for (const rule of inboundRules(prod)) if (covers(rule, 80) || covers(rule, 443)) assert.equal(rule.firewall, "prod-firewalls-proxy");
  });

  it("opens SSH only to the admin CIDRs, and no data port to the world", () => {
    const rules = inboundRules(prod);
    const ssh = rules.filter((r) => covers(r, 22));
    assert.ok(ssh.length > 0);
    for (const r of ssh) assert.deepEqual(r.sources, prod.spec.network.adminCidrs, r.firewall);
    for (const r of rules) for (const port of DATA_PORTS) if (covers(r, port)) assert.ok(!r.sources.some((s) => WORLD.includes(s)), `${r.firewall} opens ${port} to the world`);
  });

  it("opens internal ports to the VPC range only, and lets every host out through the base firewall", () => {
    for (const group of ["web", "streaming"]) {
      for (const r of list(inputs(firewall(prod, group)).inboundRules)) assert.deepEqual(r.sourceAddresses, ["10.10.0.0/16"], group);
    }
    const base = inputs(firewall(prod, "base"));
    const out = list(base.outboundRules);
    assert.deepEqual(out.map((r) => [r.protocol, r.portRange]), [["tcp", "1-65535"], ["udp", "1-65535"], ["icmp", undefined]]);
    for (const r of out) assert.deepEqual(r.destinationAddresses, WORLD);
    const icmp = list(base.inboundRules).find((r) => r.protocol === "icmp")!;
    assert.equal(icmp.portRange, undefined);
    for (const f of ofType(prod, T.firewall)) if (f.name !== "prod-firewalls-base") assert.equal(inputs(f).outboundRules, undefined, f.name);
    assert.deepEqual(ofType(prod, T.firewall).map((f) => inputs(f).name).sort(), ["prod-base", "prod-proxy", "prod-streaming", "prod-web"]);
  });

  it("passes TLS through the load balancer with PROXY protocol and checks /health on port 80", () => {
    const ids = dropletIds(prod);
    const lb = inputs(one(prod, T.lb, "prod-lb"));
    assert.deepEqual([lb.region, lb.vpcUuid, lb.enableProxyProtocol], ["tor1", "prod-vpc-id", true]);
    assert.deepEqual(sorted(lb.dropletIds as unknown[]), sorted([ids["edge-1"], ids["edge-2"]]));
    assert.deepEqual(lb.healthcheck, { path: "/health", port: 80, protocol: "http" });
    // Slow uploads: the balancer outlasts nginx's 120 s wait for Puma, and nginx's keepalive outlasts the balancer.
    assert.equal(lb.httpIdleTimeoutSeconds, 130);
    const edge = prod.plan.hosts.find((h) => h.name === "edge-1")!;
    const conf = edge.files.find((f) => f.path === "/etc/nginx/nginx.conf")!.content;
    const site = edge.files.map((f) => f.content).join("\n");
    assert.equal(Number(/keepalive_timeout (\d+)s;/.exec(conf)![1]), 135);
    assert.equal(Number(/proxy_read_timeout (\d+)s;/.exec(site)![1]), 120);
    assert.deepEqual(list(lb.forwardingRules), [
      { entryPort: 443, entryProtocol: "https", targetPort: 443, targetProtocol: "https", tlsPassthrough: true },
      { entryPort: 80, entryProtocol: "http", targetPort: 80, targetProtocol: "http" },
    ]);
    assert.equal(ofType(prod, T.certificate).length, 0);
  });

  it("points the DNS names at the load balancer only", () => {
    const ip = String(computed(T.lb, "prod-lb").ip);
    const records = ofType(prod, T.dns).map(inputs);
    const a = records.filter((r) => r.type === "A");
    assert.ok(a.length > 0);
    for (const r of a) assert.equal(r.value, ip);
    assert.equal(records.filter((r) => r.type === "AAAA").length, 0);
    assert.equal(prod.exports.loadBalancerAddress, ip);
  });

  it("stores media in a private Spaces bucket behind a CDN, with CORS for the web domain and a key for that bucket only", () => {
    const b = inputs(one(prod, T.bucket, "prod-media"));
    assert.deepEqual([b.name, b.region, b.acl], ["prod-media", "nyc3", "private"]);
    const cors = inputs(one(prod, T.cors, "prod-media-cors"));
    assert.deepEqual([cors.bucket, cors.region], ["prod-media", "nyc3"]);
    assert.deepEqual(list(cors.corsRules), [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: ["https://example.social"] }]);
    const cdn = inputs(one(prod, T.cdn, "prod-media-cdn"));
    assert.deepEqual([cdn.origin, cdn.ttl], ["prod-media.nyc3.digitaloceanspaces.com", 3600]);
    assert.deepEqual(inputs(one(prod, T.key, "prod-media-key")).grants, [{ bucket: "prod-media", permission: "readwrite" }]);
    assert.equal(prod.exports.mediaHost, "prod-media.nyc3.cdn.digitaloceanspaces.com");
  });

  it("fills web-1's env with the managed hosts and passwords, as a secret", () => {
    const env = envOf(prod, "web-1");
    assert.ok(!env.includes("{{"), "a marker is left");
    const pgHost = String(computed(T.cluster, "prod-postgres", { engine: "pg" }).privateHost);
    assert.equal(envValue(env, "DB_HOST"), pgHost);
    assert.equal(prod.exports.databaseHost, pgHost);
    assert.equal(envValue(env, "DB_PASS"), "mock-user-password");
    assert.match(envValue(env, "REDIS_URL") ?? "", /^rediss:\/\/default:mock-cluster-password@private-prod-valkey\.db\.ondigitalocean\.example:25061$/);
    assert.equal(envValue(env, "ES_HOST"), "https://private-prod-opensearch.db.ondigitalocean.example");
    assert.equal(envValue(env, "ES_PORT"), "25060");
    assert.equal(envValue(env, "ES_PASS"), "mock-cluster-password");
    assert.equal(envValue(env, "S3_ALIAS_HOST"), "prod-media.nyc3.cdn.digitaloceanspaces.com");
    assert.equal(envValue(env, "AWS_SECRET_ACCESS_KEY"), "mock-secret-key");
    assert.equal(envValue(env, "AWS_ACCESS_KEY_ID"), String(computed(T.key, "prod-media-key").accessKey));
    const ca = prod.hostFiles["web-1"]!.find((f) => f.path === PATHS.postgresCa)!;
    assert.equal(ca.content.trim(), String(computed("digitalocean:index/getDatabaseCa:getDatabaseCa", "call", { clusterId: "prod-postgres-id" }).certificate).trim());
    for (const h of prod.plan.hosts) if (h.files.some((f) => f.secrets.some((s) => ["DB_PASS", "REDIS_PASSWORD", "ES_PASS", "S3_SECRET_ACCESS_KEY"].includes(s)))) assert.equal(prod.hostFilesSecret[h.name], true, h.name);
    assert.equal(prod.hostFilesSecret["web-1"], true);
    // The values reached the files, and no provider input holds them in clear text.
    const recorded = JSON.stringify(prod.resources);
    for (const s of ["mock-user-password", "mock-cluster-password", "mock-secret-key"]) assert.ok(!recorded.includes(s), `a recorded input holds ${s}`);
  });

  it("parents every DigitalOcean resource on one of our components, each under the instance", () => {
    const byUrn = new Map(prod.resources.map((x) => [x.urn, x]));
    const doResources = prod.resources.filter((x) => x.type.startsWith("digitalocean:"));
    assert.ok(doResources.length > 0);
    for (const x of doResources) assert.ok(COMPONENTS.includes(byUrn.get(x.parent)?.type ?? "none"), `${x.type} ${x.name} under ${byUrn.get(x.parent)?.type}`);
    const components = prod.resources.filter((x) => COMPONENTS.includes(x.type));
    assert.deepEqual(components.map((c) => c.name).sort(), ["prod-dns", "prod-firewalls", "prod-hosts", "prod-lb", "prod-media", "prod-opensearch", "prod-postgres", "prod-valkey", "prod-vpc"]);
    for (const c of components) assert.equal(byUrn.get(c.parent)?.type, "mastodon:instance:Instance", c.name);
  });
});

describe("digitalocean: load balancer terminating TLS", () => {
  it("holds a Let's Encrypt certificate for every name of the stack and forwards 443 to nginx's port 80", () => {
    const cert = one(terminate, T.certificate, "prod-lb-certificate");
    // Every name the instance answers for, the web domain first: a missing one would fail TLS for its visitors.
    assert.deepEqual([inputs(cert).type, inputs(cert).domains], ["lets_encrypt", ["social.example.social", "example.social", "www.example.social"]]);
    const lb = one(terminate, T.lb, "prod-lb");
    const i = inputs(lb);
    assert.deepEqual(list(i.forwardingRules), [
      { certificateName: String(computed(T.certificate, "prod-lb-certificate").name), entryPort: 443, entryProtocol: "https", targetPort: 80, targetProtocol: "http" },
      { entryPort: 80, entryProtocol: "http", targetPort: 80, targetProtocol: "http" },
    ]);
    assert.equal(i.enableProxyProtocol, false);
    assert.equal(i.disableLetsEncryptDnsRecords, true);
    assert.deepEqual(i.healthcheck, { path: "/health", port: 80, protocol: "http" });
    assert.ok(lb.dependencies.includes(cert.urn));
  });
});

describe("digitalocean: no load balancer, self-hosted Postgres on a volume", () => {
  it("opens 80 and 443 on the proxies to the world and points DNS at every proxy", () => {
    assert.equal(ofType(direct, T.lb).length, 0);
    const rules = list(inputs(firewall(direct, "proxy")).inboundRules);
    for (const r of rules.filter((x) => x.portRange !== "8042")) {
      assert.deepEqual(r.sourceAddresses, WORLD);
      assert.equal(r.sourceLoadBalancerUids, undefined);
    }
    assert.deepEqual(rules.filter((x) => x.portRange === "8042").map((r) => r.sourceAddresses), [[direct.spec.network.privateCidr]]);
    const edges = ["edge-1", "edge-2"].map((h) => computed(T.droplet, `prod-hosts-${h}`));
    const records = ofType(direct, T.dns).map(inputs);
    const values = (type: string, name: string) => sorted(records.filter((r) => r.type === type && r.name === name).map((r) => r.value));
    assert.deepEqual(values("A", "@"), sorted(edges.map((e) => e.ipv4Address)));
    assert.deepEqual(values("AAAA", "@"), sorted(edges.map((e) => e.ipv6Address)));
    assert.equal(direct.exports.loadBalancerAddress, undefined);
  });

  it("still opens SSH only to the admins and no data port to the world", () => {
    for (const r of inboundRules(direct)) {
      if (covers(r, 22)) assert.deepEqual(r.sources, direct.spec.network.adminCidrs, r.firewall);
      for (const port of DATA_PORTS) if (covers(r, port)) assert.ok(!r.sources.some((s) => WORLD.includes(s)), `${r.firewall} opens ${port} to the world`);
    }
  });

  it("creates an ext4 volume for the database host and attaches it to that host's droplet, and no Postgres cluster", () => {
    const ids = dropletIds(direct);
    assert.deepEqual(ofType(direct, T.volume).map((v) => v.name), ["prod-hosts-db-data"]);
    const i = inputs(one(direct, T.volume, "prod-hosts-db-data"));
    assert.deepEqual([i.name, i.region, i.size, i.initialFilesystemType], ["prod-db-data", "tor1", 50, "ext4"]);
    assert.match(String(i.description), /postgres/i);
    const a = inputs(one(direct, T.attachment, "prod-hosts-db-data"));
    assert.deepEqual([a.dropletId, a.volumeId], [ids.db, "prod-hosts-db-data-id"]);
    assert.equal(ofType(direct, T.cluster).filter((c) => inputs(c).engine === "pg").length, 0);
    // The database host holds no Mastodon process: the managed clusters left (Valkey, OpenSearch) do not trust it.
    for (const f of ofType(direct, T.dbFirewall)) assert.ok(!list(inputs(f).rules).some((r) => r.value === String(ids.db)), f.name);
  });
});
