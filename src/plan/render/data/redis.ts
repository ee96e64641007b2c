// Self-hosted Redis: Mastodon's feeds, cache and Sidekiq's queues in one instance, so nothing
// may be evicted; TLS on its own port for the other hosts.
import type { SizedHost } from "../../capacity/hosts";
import { REDIS_OVERHEAD_MB } from "../../capacity/model";
import { REDIS_PORT, REDIS_TLS_PORT } from "../../endpoints";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";
import { secretRef } from "../placeholders";
import { dialledFromElsewhere } from "../inbound";
import { INTERNAL_TLS, LOOPBACK, REDIS } from "./paths";

export function runsRedis(ctx: RenderContext, host: SizedHost): boolean {
  const redis = ctx.services.redis;
  return redis.kind === "selfHosted" && redis.host === host.name;
}

export function renderRedis(ctx: RenderContext, host: SizedHost): HostFile[] {
  const maxmemoryMb = ctx.redisMaxmemoryMb;
  if (maxmemoryMb === undefined) throw new Error(`host ${host.name} runs redis but the plan has no maxmemory for it`);
  const tls = ctx.spec.network.encryptInternal;
  const conf = renderTemplate("redis/redis.conf.liquid", {
    host: host.name,
    // The private address only when another host dials Redis (see inbound.ts).
    bind: dialledFromElsewhere(ctx, host, "redis") ? `${LOOPBACK} ${host.privateAddress}` : LOOPBACK,
    port: REDIS_PORT,
    tls,
    tls_port: REDIS_TLS_PORT,
    tls_cert: INTERNAL_TLS.cert,
    tls_key: INTERNAL_TLS.keys.redis,
    tls_ca: INTERNAL_TLS.ca,
    password: secretRef("REDIS_PASSWORD"),
    pid_file: REDIS.pidFile,
    maxmemory_note: `The host's Redis allotment less ${REDIS_OVERHEAD_MB} MB for Redis itself, buffers and fragmentation.`,
    maxmemory_mb: maxmemoryMb,
    data_dir: REDIS.dataDir,
  });
  // The password makes it a secret file: readable by redis alone.
  return [hostFile(REDIS.conf, conf, { mode: "0600", owner: REDIS.owner, group: REDIS.owner, after: [{ kind: "restart", unit: REDIS.unit }] })];
}
