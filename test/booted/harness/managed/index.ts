// A stand-in for DigitalOcean's managed services on the test network: one extra machine in the
// stack's VPC running PostgreSQL with its connection pool (PgBouncer on 25061), Valkey over TLS,
// an OpenSearch REST stand-in and the load balancer (HAProxy with PROXY protocol), each on the
// address its hostname resolves to, behind a database firewall built from the program's trusted
// sources. The program sees the provider's answers through `computed`: the hostnames, random
// passwords and the database CA (getDatabaseCa) this stand-in serves. The environment, not the
// program: hosts resolve the private hostnames as the VPC's DNS would, and trust the stand-in
// public CA as they trust Let's Encrypt.
import { randomBytes } from "node:crypto";
import ipaddr from "ipaddr.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mockId, type RecordedResource } from "../../../../src/program/mocks";
import type { Computed, State } from "../../../../src/program/mock-state/octet";
import type { Spec } from "../../../../src/spec/schema/stack";
import { shellQuote } from "../../../../src/plan/render/shell";
import type { Machine } from "../machine";
import { issue, makeAuthority, type Authority } from "../pki";
import type { ProgramRun } from "../program-commands";
import { firewallNft, haproxyCfg, pgbouncerIni, pgbouncerUsers, postgresConf, postgresHba, postgresRoles, valkeyConf, type Balancer, type Cluster, type StandInConfig } from "./config";

const DROPLET = "digitalocean:index/droplet:Droplet";
export const PUBLIC_CA_PATH = "/usr/local/share/ca-certificates/harness-public-ca.crt";
/** Public addresses of droplets are 198.51.100.20–219 in the mocks: the balancer takes one above. */
const BALANCER_ADDRESS = "198.51.100.250";
const ENGINES = ["pg", "valkey", "opensearch"] as const;
type Engine = (typeof ENGINES)[number];

/** The last usable addresses of the CIDR, one per engine (droplets sit at the bottom of it). */
function serviceAddresses(cidr: string): Record<Engine, string> {
  const last = ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toByteArray().reduce((n, o) => n * 256 + o, 0) - 1;
  const addr = (v: number) => ipaddr.fromByteArray([24, 16, 8, 0].map((b) => Math.floor(v / 2 ** b) % 256)).toString();
  return { pg: addr(last), valkey: addr(last - 1), opensearch: addr(last - 2) };
}

/** Whether this stack needs the stand-in: a provider's managed data services or its load balancer. */
export function needsManagedStandIn(spec: Spec): boolean {
  return spec.provider.cloud === "digitalocean" && Boolean(spec.postgres.managed || spec.redis.managed || spec.search.managed || spec.loadBalancer.enabled);
}

export class ManagedServices {
  readonly databaseCa: Authority = makeAuthority("DigitalOcean database CA (harness)");
  readonly publicCa: Authority = makeAuthority("Public CA (harness)");
  readonly addresses: Record<Engine, string>;
  readonly balancerAddress = BALANCER_ADDRESS;
  private readonly passwords = new Map<string, string>();
  private readonly hostnames = new Map<Engine, { name: string; host: string }>();
  private config: StandInConfig = {};
  private domain = "";

  constructor(private readonly spec: Spec) {
    this.addresses = serviceAddresses(spec.network.privateCidr);
  }

  private password(key: string): string {
    let p = this.passwords.get(key);
    if (!p) this.passwords.set(key, (p = randomBytes(18).toString("base64url")));
    return p;
  }

  /** The provider's answers the program reads: same on every run (a replan sees the same services). */
  get computed(): Computed {
    return {
      "digitalocean:index/databaseCluster:DatabaseCluster": (n, i) => {
        const engine = String(i.engine) as Engine;
        const host = `private-${n}.db.ondigitalocean.example`;
        this.hostnames.set(engine, { name: n, host });
        return { host: host.replace(/^private-/, ""), privateHost: host, port: engine === "valkey" ? 25061 : 25060, user: "doadmin", password: this.password(`cluster:${n}`) };
      },
      "digitalocean:index/databaseUser:DatabaseUser": (n) => ({ password: this.password(`user:${n}`) }),
      "digitalocean:index/getDatabaseCa:getDatabaseCa": () => ({ certificate: this.databaseCa.certPem }),
      "digitalocean:index/loadBalancer:LoadBalancer": () => ({ ip: BALANCER_ADDRESS }),
    };
  }

  /** Reads what the program asked of the provider; call after every program run. */
  configure(program: ProgramRun): void {
    const rs = program.offline.resources;
    this.domain = program.plan.stack.webDomain;
    const inputs = (r: RecordedResource) => (r.rawInputs ?? {}) as State;
    const dropletAddress = new Map<string, string>();
    for (const r of rs.filter((x) => x.type === DROPLET)) {
      const host = String(inputs(r).name).replace(`${program.spec.name}-`, "");
      const a = program.offline.hostAddresses[host];
      if (a) dropletAddress.set(mockId(DROPLET, r.name), a.privateAddress);
    }
    const toAddresses = (ids: unknown[]) => ids.map((id) => {
      const a = dropletAddress.get(String(id));
      if (!a) throw new Error(`the program names droplet ${String(id)}, which is none of the stack's hosts`);
      return a;
    });
    const clusters = new Map<Engine, Cluster>();
    for (const engine of ENGINES) {
      const h = this.hostnames.get(engine);
      if (!h) continue;
      const fw = rs.find((r) => r.type === "digitalocean:index/databaseFirewall:DatabaseFirewall" && inputs(r).clusterId === `${h.name}-id`);
      const rules = ((fw ? inputs(fw).rules : undefined) ?? []) as { type: string; value: string }[];
      const other = rules.find((r) => r.type !== "droplet");
      if (other) throw new Error(`the stand-in's database firewall knows droplet rules only, not ${other.type}`);
      const trusted = rules.length > 0 ? toAddresses(rules.map((r) => r.value)).map((a) => `${a}/32`) : [this.spec.network.privateCidr];
      clusters.set(engine, { engine, host: h.host, address: this.addresses[engine], port: engine === "valkey" ? 25061 : 25060, password: this.password(`cluster:${h.name}`), trusted });
    }
    const pg = clusters.get("pg");
    const pgName = this.hostnames.get("pg")?.name;
    const ofCluster = (type: string) => rs.filter((r) => r.type === type && inputs(r).clusterId === `${pgName}-id`);
    const users = Object.fromEntries(ofCluster("digitalocean:index/databaseUser:DatabaseUser").map((r) => [String(inputs(r).name), this.password(`user:${r.name}`)]));
    const pool = ofCluster("digitalocean:index/databaseConnectionPool:DatabaseConnectionPool").map((r) => inputs(r))[0];
    const lb = rs.find((r) => r.type === "digitalocean:index/loadBalancer:LoadBalancer");
    this.config = {
      ...(pg
        ? {
            postgres: {
              ...pg,
              users,
              databases: ofCluster("digitalocean:index/databaseDb:DatabaseDb").map((r) => String(inputs(r).name)),
              ...(pool ? { pool: { name: String(pool.name), dbName: String(pool.dbName), user: String(pool.user), mode: String(pool.mode), size: Number(pool.size) } } : {}),
            },
          }
        : {}),
      ...(clusters.get("valkey") ? { valkey: clusters.get("valkey")! } : {}),
      ...(clusters.get("opensearch") ? { opensearch: clusters.get("opensearch")! } : {}),
      ...(lb ? { balancer: balancerOf(inputs(lb), toAddresses) } : {}),
    };
  }

  get balancer(): Balancer | undefined {
    return this.config.balancer;
  }

  /** Every cluster's private hostname → the stand-in address it answers on. */
  hostsEntries(): string {
    return ENGINES.flatMap((e) => (this.hostnames.get(e) ? [`${this.addresses[e]} ${this.hostnames.get(e)!.host}`] : [])).join("\n") + "\n";
  }

  /** Environment files for every machine of the stack: VPC DNS for the clusters' names, the public CA trusted. */
  environmentFiles(rootDir: string): { path: string; content: string }[] {
    const hostsTemplate = "etc/cloud/templates/hosts.debian.tmpl";
    const bundle = "etc/ssl/certs/ca-certificates.crt";
    return [
      // cloud-init renders /etc/hosts from this template on every boot (manage_etc_hosts).
      { path: `/${hostsTemplate}`, content: `${readFileSync(join(rootDir, hostsTemplate), "utf8")}\n# The VPC's private DNS (booted-host harness)\n${this.hostsEntries()}` },
      { path: PUBLIC_CA_PATH, content: this.publicCa.certPem },
      // What update-ca-certificates would write; a later run of it keeps the CA (it is in /usr/local/share).
      { path: `/${bundle}`, content: readFileSync(join(rootDir, bundle), "utf8") + this.publicCa.certPem },
    ];
  }

  /** The stand-in machine's own files (under /root/harness, put in place by setup.sh) and its user-data. */
  machineFiles(): { path: string; content: string }[] {
    const f = (name: string, content: string) => ({ path: `/root/harness/${name}`, content });
    const files = [f("setup.sh", readFileSync(join(__dirname, "setup.sh"), "utf8"))];
    const { postgres: pg, valkey, opensearch, balancer } = this.config;
    if (pg) {
      const cert = issue(this.databaseCa, [pg.host]);
      files.push(f("pg-server.crt", cert.certPem), f("pg-server.key", cert.keyPem), f("postgresql.conf", postgresConf(pg)), f("pg_hba.conf", postgresHba(pg)), f("roles.sql", postgresRoles(pg)), f("pg-port", String(pg.port)));
      if (pg.pool) files.push(f("pgbouncer.ini", pgbouncerIni(pg, pg.pool)), f("userlist.txt", pgbouncerUsers(pg.pool, pg.users[pg.pool.user] ?? "")));
    }
    if (valkey) {
      const cert = issue(this.publicCa, [valkey.host]);
      files.push(f("valkey.crt", cert.certPem), f("valkey.key", cert.keyPem), f("valkey.conf", valkeyConf(valkey)));
    }
    if (opensearch) {
      const cert = issue(this.publicCa, [opensearch.host]);
      const args = [opensearch.address, String(opensearch.port), "/root/harness/opensearch.crt", "/root/harness/opensearch.key", "doadmin", "/root/harness/opensearch.password"];
      files.push(
        f("opensearch.crt", cert.certPem), f("opensearch.key", cert.keyPem), f("opensearch.password", opensearch.password),
        f("opensearch.py", readFileSync(join(__dirname, "opensearch.py"), "utf8")),
        f("harness-opensearch.service", `[Unit]\nDescription=OpenSearch REST stand-in\n[Service]\nExecStart=/usr/bin/python3 /opt/harness/opensearch.py ${args.join(" ")}\nRestart=always\n[Install]\nWantedBy=multi-user.target\n`),
      );
    }
    if (balancer) files.push(f("haproxy.cfg", haproxyCfg(balancer, this.domain)));
    const clusters = [pg, valkey, opensearch].filter((c): c is Cluster => c !== undefined);
    if (clusters.length > 0) files.push(f("firewall.nft", firewallNft(clusters)));
    return files;
  }

  userData(): string {
    const { postgres, valkey, balancer } = this.config;
    const packages = [...(postgres ? ["postgresql", "pgbouncer"] : []), ...(valkey ? ["valkey-server"] : []), ...(balancer ? ["haproxy"] : []), "nftables"];
    return `#cloud-config\n# Root logs in with the key, as on the planned hosts (cloud-init refuses root by default).\ndisable_root: false\n# /etc/hosts from the template that carries the clusters' names (environmentFiles).\nmanage_etc_hosts: true\npackages: ${JSON.stringify(packages)}\nruncmd:\n  - [bash, /root/harness/setup.sh]\n`;
  }

  /** Addresses of the stand-in beyond its first (the other engines', the balancer's public one). */
  extraAddresses(prefix: number): string[] {
    return [`${this.addresses.valkey}/${prefix}`, `${this.addresses.opensearch}/${prefix}`, ...(this.config.balancer ? [`${BALANCER_ADDRESS}/24`] : [])];
  }

  /** SQL as the cluster's superuser on the stand-in (the tests' own rows). */
  async psql(machine: Machine, database: string, sql: string): Promise<string> {
    const port = this.config.postgres?.port ?? 25060;
    const r = await machine.ssh(`runuser -u postgres -- psql -X -q -t -A -v ON_ERROR_STOP=1 -p ${port} -d ${shellQuote(database)} -f -`, `${sql}\n`);
    if (r.code !== 0) throw new Error(`psql on the managed stand-in failed: ${r.stderr}`);
    return r.stdout;
  }

  /** PUBLISH on the managed Valkey over TLS, as a client of the cluster; returns the receivers. */
  async publish(machine: Machine, channel: string, message: string): Promise<number> {
    const v = this.config.valkey;
    if (!v) throw new Error("the stack has no managed Valkey");
    const r = await machine.ssh(
      `IFS= read -r REDISCLI_AUTH; export REDISCLI_AUTH VALKEYCLI_AUTH="$REDISCLI_AUTH"; valkey-cli --tls --cacert ${PUBLIC_CA_PATH} -h ${shellQuote(v.host)} -p ${v.port} PUBLISH ${shellQuote(channel)} ${shellQuote(message)}`,
      `${v.password}\n`,
    );
    if (r.code !== 0 || !/^\d+$/.test(r.stdout.trim())) throw new Error(`PUBLISH on the managed Valkey failed: ${r.stdout}${r.stderr}`);
    return Number(r.stdout.trim());
  }
}

function balancerOf(i: State, toAddresses: (ids: unknown[]) => string[]): Balancer {
  const rules = (i.forwardingRules ?? []) as { entryPort: number; targetPort: number; tlsPassthrough?: boolean; entryProtocol: string }[];
  const bad = rules.find((r) => r.entryProtocol === "https" && !r.tlsPassthrough);
  if (bad) throw new Error("the stand-in balancer passes TLS through; terminating it at the balancer is not stood in");
  const hc = (i.healthcheck ?? {}) as { port?: number; path?: string; protocol?: string };
  if (!Array.isArray(i.dropletIds)) throw new Error("the stand-in balancer takes droplet ids (no droplet tag)");
  return {
    address: BALANCER_ADDRESS,
    rules: rules.map((r) => ({ entryPort: r.entryPort, targetPort: r.targetPort })),
    health: { port: hc.port ?? 80, path: hc.path ?? "/", protocol: hc.protocol ?? "http" },
    proxyProtocol: i.enableProxyProtocol === true,
    idleTimeoutS: typeof i.httpIdleTimeoutSeconds === "number" ? i.httpIdleTimeoutSeconds : 60,
    targets: toAddresses(i.dropletIds),
  };
}
