// How Mastodon reaches its data services and mail relay, from the host's endpoints.
// Facts behind each choice: ../mastodon-env.notes.md.
import type { Spec } from "../../../spec/schema/stack";
import type { ConnectionBudget } from "../../types";
import { PATHS, type Endpoints } from "../context";
import { secretRef } from "../placeholders";

export function databaseVars(endpoints: Endpoints, budget: ConnectionBudget): Record<string, string> {
  const db = endpoints.db;
  return {
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_NAME: db.name,
    DB_USER: db.user,
    DB_PASS: secretRef("DB_PASS"),
    // Rails hands this to libpq; streaming turns anything but `disable` into verified TLS.
    DB_SSLMODE: db.sslmode,
    // A transaction pool hands each transaction any server connection, where a statement
    // prepared on another one does not exist (docs.joinmastodon.org/admin/scaling#pgbouncer).
    ...(budget.pooled && budget.poolMode === "transaction" ? { PREPARED_STATEMENTS: "false" } : {}),
  };
}

export function redisVars(endpoints: Endpoints): Record<string, string> {
  // hiredis, Mastodon's default driver, cannot speak TLS; streaming's ioredis ignores the driver.
  return { REDIS_URL: endpoints.redis.url, ...(endpoints.redis.url.startsWith("rediss://") ? { REDIS_DRIVER: "ruby" } : {}) };
}

/**
 * ES_PRESET by node count, as upstream's docs (docs.joinmastodon.org/admin/elasticsearch,
 * checked 2026-11-24) choose it: one node has no room for replicas, fewer than six get one
 * replica, six or more also get more shards.
 */
export function esPreset(nodes: number): string {
  if (nodes <= 1) return "single_node_cluster";
  return nodes < 6 ? "small_cluster" : "large_cluster";
}

export function searchVars(endpoints: Endpoints, nodes: number): Record<string, string> {
  const search = endpoints.search;
  if (!search) return {};
  // Chewy joins "#{ES_HOST}:#{ES_PORT}", so the scheme stays in ES_HOST and the port goes apart.
  const m = /^(https?:\/\/.+):(\d+)$/.exec(search.url);
  if (!m) throw new Error(`search endpoint ${search.url} is not scheme://host:port`);
  return {
    ES_ENABLED: "true",
    ES_HOST: m[1]!,
    ES_PORT: m[2]!,
    ES_PRESET: esPreset(nodes),
    ...(search.user ? { ES_USER: search.user } : {}),
    ...(search.passwordSecret ? { ES_PASS: secretRef(search.passwordSecret) } : {}),
    ...(search.caFile ? { ES_CA_FILE: search.caFile } : {}),
  };
}

export function mailVars(spec: Spec): Record<string, string> {
  const smtp = spec.mail?.smtp;
  if (!smtp) return {};
  return {
    SMTP_SERVER: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_LOGIN: smtp.user,
    SMTP_PASSWORD: secretRef("SMTP_PASSWORD"),
    SMTP_FROM_ADDRESS: smtp.from,
    // `always` refuses to send in the clear when a relay stops offering STARTTLS (`auto`, the
    // default, would fall back); implicit TLS (port 465) is SMTP_TLS, which also turns STARTTLS off.
    ...(smtp.tls === "tls" ? { SMTP_TLS: "true" } : { SMTP_ENABLE_STARTTLS: "always" }),
  };
}

/**
 * CA files for the process environment. Mastodon has no CA variable for Postgres: libpq reads
 * PGSSLROOTCERT, and Node reads NODE_EXTRA_CA_CERTS (one file, at start-up) for streaming's
 * Postgres and Redis TLS. systemd puts this file's variables into each unit's environment, so
 * both take effect from here.
 */
export function caVars(endpoints: Endpoints): Record<string, string> {
  const vars: Record<string, string> = {};
  if (endpoints.db.caFile) vars.PGSSLROOTCERT = endpoints.db.caFile;
  const nodeCas = nodeCaFiles(endpoints);
  // Two CAs (a provider's for Postgres, ours for Redis) reach Node as one bundle (render/tls.ts).
  if (nodeCas.length === 1) vars.NODE_EXTRA_CA_CERTS = nodeCas[0]!;
  else if (nodeCas.length > 1) vars.NODE_EXTRA_CA_CERTS = PATHS.caBundle;
  return vars;
}

/** The distinct CA files streaming must trust, in a stable order. */
export function nodeCaFiles(endpoints: Endpoints): string[] {
  return [...new Set([endpoints.db.caFile, endpoints.redis.caFile].filter((f): f is string => f !== undefined))];
}
