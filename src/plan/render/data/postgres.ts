// Self-hosted Postgres: a conf.d drop-in over Debian's postgresql.conf, split by what a change
// costs (restart vs reload), and a pg_hba.conf that admits Mastodon and nothing else.
import { POSTGRES_SUPERUSER_RESERVED } from "../../capacity/model";
import type { SizedHost } from "../../capacity/hosts";
import { POSTGRES_PORT } from "../../endpoints";
import type { HostFile } from "../../types";
import type { RenderContext } from "../context";
import { renderTemplate } from "../engine";
import { hostFile } from "../host-file";
import { clientsOf, dialledFromElsewhere } from "../inbound";
import { INTERNAL_TLS, POSTGRES } from "./paths";
import { volumeMountPoint } from "../cloud-init/volume";

/** Applies to every cluster of Debian's postgresql@ template: the stack runs one. */
export const POSTGRES_VOLUME_DROP_IN = "/etc/systemd/system/postgresql@.service.d/mastodon-volume.conf";

export function runsPostgres(ctx: RenderContext, host: SizedHost): boolean {
  const pg = ctx.services.postgres;
  return pg.kind === "selfHosted" && pg.host === host.name;
}

export function renderPostgres(ctx: RenderContext, host: SizedHost): HostFile[] {
  const pg = ctx.services.postgres;
  const settings = ctx.postgres;
  if (pg.kind !== "selfHosted" || !settings) throw new Error(`host ${host.name} runs postgres but the plan has no self-hosted Postgres settings`);
  const dir = POSTGRES.confDir(pg.version);
  const unit = POSTGRES.unit(pg.version);
  const tls = ctx.spec.network.encryptInternal;
  const own = { owner: POSTGRES.owner, group: POSTGRES.owner };
  const budget = ctx.budget;
  const budgetNote = budget.pooled
    ? `PgBouncer's ${budget.poolSize} server connections + ${budget.reserve} for migrations and consoles, which bypass the pool.`
    : `${budget.clientTotal} application connections + ${budget.reserve} for migrations and consoles.`;

  const restart = renderTemplate("postgres/mastodon.conf.liquid", {
    host: host.name,
    unit,
    // The private address only when another host dials Postgres (see inbound.ts).
    listen: dialledFromElsewhere(ctx, host, "postgres") ? `localhost,${host.privateAddress}` : "localhost",
    port: POSTGRES_PORT,
    budget_note: budgetNote,
    max_connections: settings.maxConnections,
    superuser_reserved: POSTGRES_SUPERUSER_RESERVED,
    shared_buffers_mb: settings.sharedBuffersMb,
    wal_buffers_mb: settings.walBuffersMb,
    max_worker_processes: settings.maxWorkerProcesses,
  });
  const reload = renderTemplate("postgres/mastodon-tuning.conf.liquid", {
    host: host.name,
    effective_cache_size_mb: settings.effectiveCacheSizeMb,
    work_mem_mb: settings.workMemMb,
    maintenance_work_mem_mb: settings.maintenanceWorkMemMb,
    random_page_cost: settings.randomPageCost,
    max_parallel_workers_per_gather: settings.maxParallelWorkersPerGather,
    max_parallel_workers: settings.maxWorkerProcesses,
    tls,
    tls_cert: INTERNAL_TLS.cert,
    tls_key: INTERNAL_TLS.keys.postgres,
  });
  const hba = renderTemplate("postgres/pg_hba.conf.liquid", {
    host: host.name,
    tls,
    network_type: tls ? "hostssl" : "host",
    database: ctx.spec.postgres.database,
    user: ctx.spec.postgres.user,
    clients: clientsOf(ctx, host, "postgres"),
  });

  // The cluster lives on the data volume: a start before the volume (or its bind mount) is mounted
  // fails for good ("not accessible"), so a reboot left PostgreSQL down. systemd waits for it instead.
  const mount = host.volumeGb !== undefined ? volumeMountPoint(ctx.spec, host) : undefined;
  const dropIn = mount
    ? [hostFile(POSTGRES_VOLUME_DROP_IN, `# Rendered by mastodon-stack: the cluster's data is on the volume mounted here.\n[Unit]\nRequiresMountsFor=${mount}\n`, { mode: "0644", after: [{ kind: "daemon-reload" }] })]
    : [];
  return [
    ...dropIn,
    hostFile(`${dir}/conf.d/mastodon.conf`, restart, { mode: "0644", ...own, after: [{ kind: "restart", unit }] }),
    hostFile(`${dir}/conf.d/mastodon-tuning.conf`, reload, { mode: "0644", ...own, after: [{ kind: "reload", unit }] }),
    hostFile(`${dir}/pg_hba.conf`, hba, { mode: "0640", ...own, after: [{ kind: "reload", unit }] }),
  ];
}
