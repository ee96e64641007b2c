// Internal TLS material on each host: the certificate and keys a host serves Postgres,
// PgBouncer and Redis with, the internal CA its clients verify against, and the CA bundle
// streaming needs when Postgres and Redis are signed by different CAs. The values are resource
// outputs (certificates) and secrets (keys) the component layer fills in.
import type { SizedHost } from "../capacity/hosts";
import type { Action, HostFile } from "../types";
import { PATHS, type RenderContext } from "./context";
import { INTERNAL_TLS, PGBOUNCER, POSTGRES, REDIS } from "./data/paths";
import { nodeCaFiles } from "./env/services";
import { hostFile } from "./host-file";
import { outputRef, secretRef } from "./placeholders";

/** Which daemons on this host serve TLS on the private network, by the user they run as. */
function servers(ctx: RenderContext, host: SizedHost): { postgres: Action[]; redis: Action[] } {
  const out = { postgres: [] as Action[], redis: [] as Action[] };
  if (!ctx.spec.network.encryptInternal) return out;
  const pg = ctx.services.postgres;
  // Postgres and PgBouncer re-read their certificates on reload; Redis only on restart.
  if (pg.kind === "selfHosted" && pg.host === host.name) out.postgres.push({ kind: "reload", unit: POSTGRES.unit(pg.version) });
  if (ctx.services.pool.kind === "pgbouncer" && ctx.services.pool.hosts.includes(host.name)) out.postgres.push({ kind: "restart", unit: PGBOUNCER.unit });
  if (ctx.services.redis.kind === "selfHosted" && ctx.services.redis.host === host.name) out.redis.push({ kind: "restart", unit: REDIS.unit });
  return out;
}

export function renderTls(ctx: RenderContext, host: SizedHost): HostFile[] {
  const files: HostFile[] = [];
  const serve = servers(ctx, host);
  const serving = [...serve.postgres, ...serve.redis];
  if (serving.length > 0) {
    files.push(hostFile(INTERNAL_TLS.cert, outputRef(`tls.${host.name}.certificate`), { mode: "0644", after: serving }));
    if (serve.postgres.length > 0) files.push(hostFile(INTERNAL_TLS.keys.postgres, secretRef(`tls.${host.name}.key`), { mode: "0600", owner: POSTGRES.owner, after: serve.postgres }));
    if (serve.redis.length > 0) files.push(hostFile(INTERNAL_TLS.keys.redis, secretRef(`tls.${host.name}.key`), { mode: "0600", owner: REDIS.owner, after: serve.redis }));
  }
  const restartApp: Action[] = [...new Set(host.processes.map((p) => p.unit))].map((unit) => ({ kind: "restart", unit }));
  const cas = host.processes.length > 0 ? nodeCaFiles(ctx.endpointsFor(host)) : [];
  // PgBouncer on a host without Postgres verifies its server connections with the CA too.
  const pgbouncerClient = ctx.services.pool.kind === "pgbouncer" && ctx.services.pool.hosts.includes(host.name) && ctx.services.postgres.kind === "selfHosted" && ctx.services.postgres.host !== host.name;
  if (serving.length > 0 || cas.includes(PATHS.internalCa) || (ctx.spec.network.encryptInternal && pgbouncerClient)) {
    files.push(hostFile(PATHS.internalCa, outputRef("tls.internalCa"), { mode: "0644", after: [{ kind: "update-ca-certificates" }, ...serving, ...restartApp] }));
  }
  if (cas.length > 1) {
    const bundle = cas.map((f) => outputRef(f === PATHS.internalCa ? "tls.internalCa" : "postgres.caCertificate")).join("\n");
    files.push(hostFile(PATHS.caBundle, bundle, { mode: "0644", after: restartApp }));
  }
  return files;
}
