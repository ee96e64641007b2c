// Managed PostgreSQL: the cluster in the stack's VPC, Mastodon's database and user, the
// transaction pool the application connects through, and the trusted sources.
//
// Trusted sources are what holds database connections (./trusted-sources.ts): the application
// droplets by id on the VM tier — never the proxies, which need no database — or the Kubernetes
// cluster on the Kubernetes tier.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import { dataProtection } from "../protection";
import type { TrustedSource } from "./trusted-sources";

export interface DigitalOceanPostgresArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  size: string;
  nodes: number;
  version: string;
  database: string;
  user: string;
  /** The plan's managed pool, when it has one. */
  pool?: { name: string; mode: "transaction" | "session"; size: number };
  /** What connects: the application hosts' droplets, or the Kubernetes cluster. */
  trusted: TrustedSource[];
  protectData: boolean;
}

export class DigitalOceanPostgres extends pulumi.ComponentResource {
  /** The cluster's hostname inside the VPC. */
  public readonly host: pulumi.Output<string>;
  /** The cluster's CA, for sslmode=verify-full. */
  public readonly caCertificate: pulumi.Output<string>;
  /** The application user's password (secret). */
  public readonly userPassword: pulumi.Output<string>;
  /** doadmin's password (secret): a later step makes the application user own its database. */
  public readonly adminPassword: pulumi.Output<string>;
  public readonly privateHost: pulumi.Output<string>;
  /** What must exist before an application host connects: database, user, pool, trusted sources. */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: DigitalOceanPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:database:DigitalOceanPostgres", name, {}, opts);
    const child = { parent: this };

    const cluster = new digitalocean.DatabaseCluster(
      name,
      {
        name: `${args.stack}-postgres`,
        engine: "pg",
        version: args.version,
        size: args.size,
        region: args.region,
        nodeCount: args.nodes,
        privateNetworkUuid: args.vpcId,
      },
      { ...child, ...dataProtection(args.protectData) },
    );
    const db = new digitalocean.DatabaseDb(`${name}-db`, { clusterId: cluster.id, name: args.database }, child);
    const user = new digitalocean.DatabaseUser(`${name}-user`, { clusterId: cluster.id, name: args.user }, child);
    this.ready = [db, user];
    if (args.pool) {
      // dbName and user from the resources, not the spec: the pool needs both to exist first.
      const pool = new digitalocean.DatabaseConnectionPool(
        `${name}-pool`,
        { clusterId: cluster.id, name: args.pool.name, mode: args.pool.mode, size: args.pool.size, dbName: db.name, user: user.name },
        child,
      );
      this.ready.push(pool);
    }
    this.ready.push(new digitalocean.DatabaseFirewall(`${name}-firewall`, { clusterId: cluster.id, rules: args.trusted }, child));
    this.privateHost = cluster.privateHost;

    this.host = cluster.privateHost;
    this.caCertificate = digitalocean.getDatabaseCaOutput({ clusterId: cluster.id }, child).certificate;
    this.userPassword = pulumi.secret(user.password);
    this.adminPassword = pulumi.secret(cluster.password);
    this.registerOutputs({ host: this.host, caCertificate: this.caCertificate });
  }
}
