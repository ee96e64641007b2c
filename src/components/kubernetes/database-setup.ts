// The step the VM tier runs over SSH on its migration host (../host/database-setup.ts), as a Job
// on the cluster: doadmin grants the application user its database and, since PostgreSQL 15, the
// `public` schema, which DigitalOcean's API leaves to doadmin. The same idempotent SQL; psql from
// the official image of the server's major; doadmin's password reaches it from a Secret as
// PGPASSWORD, never on a command line; TLS verified against the cluster's CA.
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import { managedSql } from "../host/database-setup";

export interface DatabaseSetupJobArgs {
  namespace: pulumi.Input<string>;
  provider: kubernetes.Provider;
  /** The managed cluster's private host and its direct port (not the pool: GRANT and \connect need a session). */
  host: pulumi.Input<string>;
  port: number;
  /** doadmin's password (secret). */
  adminPassword: pulumi.Output<string>;
  /** The Secret holding the cluster's CA certificate, and its key. */
  caSecret: { name: string; key: string };
  /** The server's major: psql of the same major. */
  postgresVersion: string;
  user: string;
  database: string;
  labels: Record<string, string>;
  /** The database, user and trusted sources: a pod on the cluster may connect only once they exist. */
  after: pulumi.Input<pulumi.Resource>[];
}

/** The Secret with doadmin's password, readable by what runs in the namespace. */
export const ADMIN_SECRET = { name: "mastodon-postgres-admin", key: "password" } as const;
const CA_DIR = "/etc/postgres-ca";
/** The postgres image's own unprivileged user (uid 70 in the Alpine variant). */
const POSTGRES_UID = 70;

/** psql's arguments: one -c per statement or meta-command (psql runs several -c in order, stopping at the first error). */
export function psqlArgs(user: string, database: string): string[] {
  return managedSql(user, database).split("\n").filter((l) => l.trim() !== "").flatMap((l) => ["-c", l]);
}

export class DatabaseSetupJob extends pulumi.ComponentResource {
  public readonly job: kubernetes.batch.v1.Job;

  constructor(name: string, args: DatabaseSetupJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:DatabaseSetup", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const secret = new kubernetes.core.v1.Secret(
      `${name}-admin`,
      { metadata: { name: ADMIN_SECRET.name, namespace: args.namespace, labels: args.labels }, type: "Opaque", stringData: { [ADMIN_SECRET.key]: pulumi.secret(args.adminPassword) } },
      child,
    );
    const conninfo = pulumi.concat("host=", args.host, ` port=${args.port} dbname=defaultdb user=doadmin sslmode=verify-full sslrootcert=${CA_DIR}/ca.crt`);
    this.job = new kubernetes.batch.v1.Job(
      name,
      {
        metadata: { name: "mastodon-database-setup", namespace: args.namespace, labels: args.labels },
        spec: {
          backoffLimit: 4,
          template: {
            metadata: { labels: args.labels },
            spec: {
              restartPolicy: "Never",
              securityContext: { runAsNonRoot: true, runAsUser: POSTGRES_UID, runAsGroup: POSTGRES_UID, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "psql",
                  image: `docker.io/library/postgres:${args.postgresVersion}-alpine`,
                  command: ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo, ...psqlArgs(args.user, args.database)],
                  env: [{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: ADMIN_SECRET.name, key: ADMIN_SECRET.key } } }],
                  volumeMounts: [{ name: "postgres-ca", mountPath: CA_DIR, readOnly: true }],
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                  resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                },
              ],
              volumes: [{ name: "postgres-ca", secret: { secretName: args.caSecret.name, items: [{ key: args.caSecret.key, path: "ca.crt" }] } }],
            },
          },
        },
      },
      // Pulumi waits for the Job to succeed; a change to its pod (another host, user or database) replaces it, which runs it again.
      { ...child, dependsOn: [secret, ...args.after], customTimeouts: { create: "10m", update: "10m" } },
    );
    this.registerOutputs({});
  }
}
