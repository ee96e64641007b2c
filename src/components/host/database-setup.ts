// The application's database role and database, before the first migration. Self-hosted: the
// role (with the generated password) and the database it owns, created as the postgres superuser
// on the database host. Managed (DigitalOcean): the API creates both, owned by doadmin, and since
// PostgreSQL 15 nobody else may create tables in `public`: doadmin grants the schema to the
// application user. Idempotent either way; the password travels on stdin, never in a command line.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { sha256 } from "./bundle";

export type DatabaseSetupArgs = {
  connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  /** The host's converge (Postgres configured / the CA file in place). */
  after: pulumi.Resource[];
  hostId: pulumi.Input<string>;
  user: string;
  database: string;
} & (
  | { kind: "selfHosted"; password: pulumi.Output<string>; /** The data volume's mount point, checked first. */ volumeMount?: string }
  | { kind: "managed"; host: pulumi.Input<string>; port: number; adminPassword: pulumi.Output<string>; caFile: string }
);

const ident = (v: string) => `"${v.replace(/"/g, '""')}"`;
const literal = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * What psql reads on stdin for a self-hosted server: `\prompt` takes the password from the next
 * line of the same stream (psql reads prompts from stdin when its script does), so it is never in
 * an argument list (`ps` shows those to every user) nor in an environment.
 */
export function selfHostedInput(password: string, sql: string): string {
  return `\\prompt pw\n${password}\n${sql}`;
}

/** SQL for a self-hosted server, run by psql with the password in the variable :pw. */
export function selfHostedSql(user: string, database: string): string {
  return [
    `SELECT format('CREATE ROLE %I LOGIN', ${literal(user)}) WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(user)})\\gexec`,
    `ALTER ROLE ${ident(user)} WITH LOGIN PASSWORD :'pw';`,
    `SELECT format('CREATE DATABASE %I OWNER %I', ${literal(database)}, ${literal(user)}) WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = ${literal(database)})\\gexec`,
    "",
  ].join("\n");
}

export function managedSql(user: string, database: string): string {
  return [`GRANT ALL ON DATABASE ${ident(database)} TO ${ident(user)};`, `\\connect ${ident(database)}`, `GRANT ALL ON SCHEMA public TO ${ident(user)};`, ""].join("\n");
}

/** With a data volume, refuses to go on when Postgres's directory is not on it (first boot's mount failed). */
export function selfHostedCommand(volumeMount?: string): string {
  const check = volumeMount ? `mountpoint -q ${volumeMount} || { echo "mastodon-stack: ${volumeMount} is not on the data volume; see /var/log/cloud-init.log" >&2; exit 1; }; ` : "";
  return `set -e; ${check}runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres -f -`;
}

export function managedCommand(host: string, port: number, caFile: string): string {
  const conninfo = `host=${host} port=${port} dbname=defaultdb user=doadmin sslmode=verify-full sslrootcert=${caFile}`;
  return `set -e; IFS= read -r PGPASSWORD; export PGPASSWORD; psql -X -q -v ON_ERROR_STOP=1 '${conninfo}' -f -`;
}

export class DatabaseSetup extends pulumi.ComponentResource {
  public readonly done: command.remote.Command;

  constructor(name: string, args: DatabaseSetupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:database:Setup", name, {}, opts);
    const secret = args.kind === "selfHosted" ? args.password : args.adminPassword;
    const sql = args.kind === "selfHosted" ? selfHostedSql(args.user, args.database) : managedSql(args.user, args.database);
    const create = args.kind === "selfHosted" ? pulumi.output(selfHostedCommand(args.volumeMount)) : pulumi.output(args.host).apply((h) => managedCommand(h, args.port, args.caFile));
    this.done = new command.remote.Command(
      `${name}-sql`,
      {
        connection: args.connection,
        create,
        stdin: pulumi.secret(args.kind === "selfHosted" ? secret.apply((pw) => selfHostedInput(pw, sql)) : pulumi.interpolate`${secret}\n${sql}`),
        // Re-run when the host or the password changes (the role's password follows the secret).
        triggers: [args.hostId, pulumi.secret(secret.apply((s) => sha256(`${s}\n${sql}`)))],
      },
      { parent: this, dependsOn: args.after },
    );
    this.registerOutputs({});
  }
}
