// The managed data services and media storage of a DigitalOcean stack, the same on both tiers:
// Postgres with its pool, Valkey, OpenSearch and Spaces, each in the stack's VPC and trusting
// only what runs Mastodon (the application droplets, or the Kubernetes cluster).
import type * as pulumi from "@pulumi/pulumi";
import { POOL_NAME } from "../../plan/endpoints";
import type { Plan } from "../../plan/types";
import type { Spec } from "../../spec/schema/stack";
import type { Contribution, ProviderContribution } from "../contract";
import { DigitalOceanValkey } from "./cache";
import { DigitalOceanPostgres, type DigitalOceanPostgresArgs } from "./database";
import { DigitalOceanOpenSearch } from "./search";
import { SpacesStorage } from "./spaces";
import type { TrustedSource } from "./trusted-sources";

type Values = Record<string, pulumi.Output<string>>;

export interface DataServicesArgs {
  spec: Spec;
  plan: Plan;
  vpcId: pulumi.Input<string>;
  trusted: TrustedSource[];
}

export type DataServices = Required<Pick<Contribution, "outputs" | "secrets" | "exports">> & Pick<ProviderContribution, "dataReady" | "managedPostgres">;

/** Creates the stack's managed services as children of `opts.parent`, named `<name>-postgres`, `<name>-valkey`, …. */
export function createDataServices(name: string, { spec, plan, vpcId, trusted }: DataServicesArgs, opts: pulumi.ComponentResourceOptions): DataServices {
  const stack = spec.name;
  const data = { stack, region: spec.provider.region, vpcId, trusted };
  const outputs: Values = {};
  const secrets: Values = {};
  const exports: Values = {};
  const dataReady: pulumi.Resource[] = [];
  let managedPostgres: DataServices["managedPostgres"];

  const pg = spec.postgres.managed;
  if (pg) {
    const pool = plan.services.pool;
    let managedPool: DigitalOceanPostgresArgs["pool"];
    if (pool.kind === "managed") {
      if (!pool.mode) throw new Error("the plan has a managed pool without a mode");
      managedPool = { name: POOL_NAME, mode: pool.mode, size: pool.size };
    }
    const postgres = new DigitalOceanPostgres(
      `${name}-postgres`,
      {
        ...data,
        size: pg.size,
        nodes: pg.nodes,
        version: pg.version,
        database: spec.postgres.database,
        user: spec.postgres.user,
        protectData: spec.protectData,
        ...(managedPool ? { pool: managedPool } : {}),
      },
      opts,
    );
    outputs["postgres.host"] = postgres.host;
    outputs["postgres.caCertificate"] = postgres.caCertificate;
    secrets.DB_PASS = postgres.userPassword;
    secrets.POSTGRES_ADMIN_PASSWORD = postgres.adminPassword;
    exports.databaseHost = postgres.host;
    dataReady.push(...postgres.ready);
    managedPostgres = { host: postgres.host, adminPassword: postgres.adminPassword, caCertificate: postgres.caCertificate };
  }

  if (spec.redis.managed) {
    const valkey = new DigitalOceanValkey(`${name}-valkey`, { ...data, size: spec.redis.managed.size }, opts);
    outputs["redis.host"] = valkey.host;
    secrets.REDIS_PASSWORD = valkey.password;
    dataReady.push(...valkey.ready);
  }

  if (spec.search.managed) {
    const search = new DigitalOceanOpenSearch(`${name}-opensearch`, { ...data, size: spec.search.managed.size }, opts);
    outputs["search.host"] = search.host;
    secrets.ES_PASS = search.password;
    dataReady.push(...search.ready);
  }

  const spaces = spec.media.spaces;
  if (spaces) {
    const media = new SpacesStorage(
      `${name}-media`,
      { stack, bucket: spaces.bucket ?? `${stack}-media`, region: spaces.region, cdn: spaces.cdn, webOrigin: `https://${plan.stack.webDomain}`, protectData: spec.protectData },
      opts,
    );
    if (media.cdnHost) outputs["media.cdnHost"] = media.cdnHost;
    secrets.S3_ACCESS_KEY_ID = media.accessKeyId;
    secrets.S3_SECRET_ACCESS_KEY = media.secretAccessKey;
    exports.mediaHost = media.publicHost;
  }

  return { outputs, secrets, exports, dataReady, ...(managedPostgres ? { managedPostgres } : {}) };
}
