// Random stack layouts an admin might write, on either provider: shared by the planner's and
// the program's property tests.
import fc from "fast-check";
import { stringify } from "yaml";
import { knownServerSlugs } from "../../src/catalog";
import { digitalocean } from "../../src/catalog/digitalocean";

const APP_ROLES = ["proxy", "web", "streaming", "sidekiq"] as const;
type Role = (typeof APP_ROLES)[number] | "postgres" | "pgbouncer" | "redis" | "search" | "media";

const host = (cloud: "digitalocean" | "hetzner") =>
  fc.record({
    size: fc.constantFrom(...knownServerSlugs(cloud)),
    count: fc.integer({ min: 1, max: 3 }),
    roles: fc.subarray([...APP_ROLES], { minLength: 1 }),
    ipv6Only: cloud === "hetzner" ? fc.boolean() : fc.constant(false),
  });

export const stack = fc.constantFrom("digitalocean" as const, "hetzner" as const).chain((cloud) =>
  fc.record({
    cloud: fc.constant(cloud),
    hosts: fc.array(host(cloud), { minLength: 1, maxLength: 4 }),
    managedPg: fc.boolean(),
    managedRedis: fc.boolean(),
    // Self-hosted search is refused (nothing installs OpenSearch): release-rules.test.ts covers it.
    search: fc.constantFrom("off", "managed"),
    media: fc.constantFrom("r2", "local", "spaces"),
    pool: fc.boolean(),
    encrypt: fc.boolean(),
    lb: fc.boolean(),
    dbSize: fc.constantFrom(...Object.keys(digitalocean.managedPostgres)),
    /** Which host takes each data role (modulo the host count). */
    place: fc.record({ postgres: fc.nat(), redis: fc.nat(), search: fc.nat(), pgbouncer: fc.option(fc.nat()) }),
  }),
);

export type Layout = typeof stack extends fc.Arbitrary<infer T> ? T : never;

export function toYaml(s: Layout): string {
  const hosts = s.hosts.map((h, i) => ({ name: `h${i}`, ...h, roles: [...h.roles] as Role[] }));
  const n = hosts.length;
  // Every instance needs the four application roles somewhere.
  APP_ROLES.forEach((r, i) => {
    if (!hosts.some((h) => h.roles.includes(r))) hosts[i % n]!.roles.push(r);
  });
  const give = (role: Role, at: number) => {
    const h = hosts[at % n]!;
    if (!h.roles.includes(role)) h.roles.push(role);
    h.count = 1;
    return h.name;
  };
  const pgHost = s.managedPg ? undefined : give("postgres", s.place.postgres);
  const redisHost = s.managedRedis ? undefined : give("redis", s.place.redis);
  if (!s.managedPg && s.pool && s.place.pgbouncer !== null) give("pgbouncer", s.place.pgbouncer);
  if (s.media === "local") {
    const web = hosts.find((h) => h.roles.includes("web"))!;
    web.count = 1;
    if (!web.roles.includes("sidekiq")) web.roles.push("sidekiq");
    for (const h of hosts) if (h !== web) h.roles = h.roles.filter((r) => r !== "web");
  }
  hosts[0]!.ipv6Only = false;
  return stringify({
    name: "fuzz",
    domain: "fuzz.example.social",
    mastodon: { version: "v4.5.2" },
    provider: { cloud: s.cloud, region: s.cloud === "hetzner" ? "fsn1" : "fra1" },
    network: { adminCidrs: ["203.0.113.7/32"], encryptInternal: s.encrypt, ...(s.cloud === "hetzner" ? { ipv4Egress: { gateway: "h0" } } : {}) },
    hosts,
    loadBalancer: { enabled: s.lb },
    postgres: { ...(pgHost ? { selfHosted: { host: pgHost } } : { managed: { size: s.dbSize } }), pool: { enabled: s.pool } },
    redis: redisHost ? { selfHosted: { host: redisHost } } : { managed: { size: "db-s-1vcpu-1gb" } },
    search: s.search === "off" ? { off: true } : { managed: { size: "db-s-2vcpu-4gb" } },
    media: s.media === "r2" ? { r2: {} } : s.media === "local" ? { local: {} } : { spaces: { region: "fra1" } },
  });
}
