import type { Spec } from "../../spec/schema/stack";
import type { SizedHost } from "../capacity/hosts";
import type { PostgresSettings } from "../capacity/data-tuning";
import type { ConnectionBudget, ServicePlan } from "../types";

export interface DbEndpoint {
  host: string;
  port: number;
  name: string;
  user: string;
  /** libpq sslmode: require/verify-full with TLS, disable on loopback. */
  sslmode: "disable" | "require" | "verify-full";
  /** CA that signs the server's certificate, when verified. */
  caFile?: string;
}

export interface Endpoints {
  /** What Puma, Sidekiq and streaming use: the pool when there is one. */
  db: DbEndpoint;
  /** Straight to Postgres: migrations and maintenance bypass PgBouncer. */
  dbDirect: DbEndpoint;
  redis: { url: string; tls: boolean; caFile?: string; at: Address };
  search?: { url: string; user?: string; passwordSecret?: string; caFile?: string; at: Address };
}

/** Where a host dials a service: an address (or a provider's hostname marker) and a port. */
export interface Address {
  host: string;
  port: number;
}

/** Everything a renderer may read. Hosts carry their sized processes; endpoints are per host. */
export interface RenderContext {
  spec: Spec;
  hosts: readonly SizedHost[];
  services: ServicePlan;
  budget: ConnectionBudget;
  postgres?: PostgresSettings;
  redisMaxmemoryMb?: number;
  searchHeapMb?: number;
  endpointsFor(host: SizedHost): Endpoints;
}

/** Paths on every host, in one place so units, env and converge agree. */
export const PATHS = {
  home: "/home/mastodon",
  live: "/home/mastodon/live",
  releases: "/home/mastodon/releases",
  env: "/etc/mastodon/env.production",
  /** Mastodon reads .env.production from its root; the live release links it to PATHS.env. */
  liveEnv: "/home/mastodon/live/.env.production",
  tlsDir: "/etc/mastodon/tls",
  postgresCa: "/etc/mastodon/tls/postgres-ca.crt",
  redisCa: "/etc/mastodon/tls/redis-ca.crt",
  searchCa: "/etc/mastodon/tls/search-ca.crt",
  /** In the system store so Ruby's TLS (Redis over rediss://) trusts it after update-ca-certificates. */
  internalCa: "/usr/local/share/ca-certificates/mastodon-internal-ca.crt",
  /** Node takes one extra CA file: the Postgres provider's CA and the internal CA together. */
  caBundle: "/etc/mastodon/tls/ca-bundle.crt",
} as const;
