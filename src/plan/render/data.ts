// The self-hosted data tier: Postgres, PgBouncer and Redis configs, each only on the hosts
// that run it. Managed services get nothing here (their endpoints are in env).
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";
import { renderPgbouncer, runsPgbouncer } from "./data/pgbouncer";
import { renderPostgres, runsPostgres } from "./data/postgres";
import { renderRedis, runsRedis } from "./data/redis";

export function renderData(ctx: RenderContext, host: SizedHost): HostFile[] {
  return [
    ...(runsPostgres(ctx, host) ? renderPostgres(ctx, host) : []),
    ...(runsPgbouncer(ctx, host) ? renderPgbouncer(ctx, host) : []),
    ...(runsRedis(ctx, host) ? renderRedis(ctx, host) : []),
  ];
}
