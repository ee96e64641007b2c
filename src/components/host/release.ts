// Installs and upgrades Mastodon across the hosts, as an order of command resources that Pulumi
// runs in parallel wherever it may:
//   build on every app host once it has its packages (in parallel with its converge, beside the
//   running release: the build needs packages — the release's Node among them —, not configuration)
//   → pre-deployment migrations on the migration host (directly against Postgres)
//   → switch host 1 → switch host 2 → … (each healthy before the next; a failed check rolls
//     that host back and stops the rollout, since everything after depends on it)
//   → post-deployment migrations → prune old releases; the first admin account once.
// Every step's trigger is the version (and the host), so an unchanged stack runs none of them.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { sha256 } from "./bundle";
import { installScriptCommand } from "./commands";
import { buildCommand, migrateCommand, pruneCommand, releaseScript, RELEASE_PATH, switchCommand } from "./release-commands";
import type { Rollout } from "./rollout";
import { fillPlaceholders } from "../../plan/render/placeholders";
import { adminCommand, registrationsCommand } from "./admin";

export interface ReleaseHost {
  id: pulumi.Input<string>;
  privateAddress: pulumi.Input<string>;
  connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  /** First boot done: enough to install the release script. */
  booted: pulumi.Resource;
  /** The host's packages step: building needs the toolchain and the Node the release asks for. */
  packaged: pulumi.Resource;
  /** The host's converge step: migrating and switching need its env files and units in place. */
  converged: pulumi.Resource;
}

export interface MastodonReleaseArgs {
  version: string;
  rollout: Rollout;
  hosts: Record<string, ReleaseHost>;
  admin?: { username: string; email: string };
  /** mastodon.registrations, set after the migrations and again whenever the stack changes it. */
  registrations?: "open" | "approval" | "closed";
  keepReleases?: number;
  /** Must be done before the first migration: database role and grants, managed clusters, data hosts. */
  dataReady: pulumi.Resource[];
}

const KEEP_RELEASES = 3;

export class MastodonRelease extends pulumi.ComponentResource {
  public readonly builds: Record<string, command.remote.Command> = {};
  public readonly switches: Record<string, command.remote.Command> = {};
  public readonly migratePre: command.remote.Command;
  public readonly migratePost: command.remote.Command;
  /** tootctl's output for the first admin account (its generated password): secret. */
  public readonly adminOutput?: pulumi.Output<string>;

  constructor(name: string, args: MastodonReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:host:Release", name, {}, opts);
    const { version, rollout } = args;
    const host = (n: string) => {
      const h = args.hosts[n];
      if (!h) throw new Error(`the rollout names host ${n}, which has no connection`);
      return h;
    };
    // Command steps have no data flowing between them: dependsOn is the order itself.
    const run = (id: string, h: ReleaseHost, cmd: { create: pulumi.Input<string>; stdin?: string }, triggers: pulumi.Input<unknown>[], dependsOn: pulumi.Resource[], extra: pulumi.CustomResourceOptions = {}) =>
      new command.remote.Command(`${name}-${id}`, { connection: h.connection, ...cmd, triggers }, { parent: this, dependsOn, ...extra });

    const script = releaseScript();
    for (const r of rollout.hosts) {
      const h = host(r.name);
      const install = run(`${r.name}-install`, h, { create: installScriptCommand(RELEASE_PATH), stdin: script }, [h.id, sha256(script)], [h.booted]);
      this.builds[r.name] = run(`${r.name}-build`, h, { create: buildCommand(version) }, [h.id, version], [install, h.packaged]);
    }

    const migrator = host(rollout.migrationHost);
    this.migratePre = run(`${rollout.migrationHost}-migrate-pre`, migrator, { create: migrateCommand("pre", version) }, [version], [...Object.values(this.builds), migrator.converged, ...args.dataReady]);

    const byName = new Map(rollout.hosts.map((r) => [r.name, r]));
    let previous: pulumi.Resource[] = [this.migratePre];
    for (const batch of rollout.batches) {
      const switched = batch.map((n) => {
        const r = byName.get(n)!;
        const h = host(n);
        // The plan writes DigitalOcean addresses as markers: the switch needs the real one.
        const own = (kind: string, key: string, address: string) => {
          if (kind !== "output" || key !== `address.${n}`) throw new Error(`health URL of ${n} names ${kind}:${key}`);
          return address;
        };
        const create = pulumi.output(h.privateAddress).apply((address) =>
          switchCommand(version, { units: r.units, checks: r.checks.map((c) => fillPlaceholders(c.url, (kind, key) => own(kind, key, address))) }),
        );
        // A batch at a time (one host by default): each switch waits for the batch before it (and
        // so for the migrations) and for its own host's configuration.
        return (this.switches[n] = run(`${n}-switch`, h, { create }, [h.id, version], [...previous, h.converged]));
      });
      previous = switched;
    }

    this.migratePost = run(`${rollout.migrationHost}-migrate-post`, migrator, { create: migrateCommand("post", version) }, [version], Object.values(this.switches));
    for (const r of rollout.hosts) run(`${r.name}-prune`, host(r.name), { create: pruneCommand(args.keepReleases ?? KEEP_RELEASES) }, [version], [this.migratePost]);

    if (args.registrations) {
      // Triggered by the mode only: a change made in the admin UI stands until the stack file changes it.
      run(`${rollout.migrationHost}-registrations`, migrator, { create: registrationsCommand(args.registrations) }, [args.registrations], [this.migratePost]);
    }
    if (args.admin) {
      // No trigger: created once for a new instance, never again (renaming the admin in the
      // stack file does not create a second owner).
      const admin = run(`${rollout.migrationHost}-admin`, migrator, { create: adminCommand(args.admin.username, args.admin.email) }, [], [this.migratePost], { additionalSecretOutputs: ["stdout"] });
      this.adminOutput = pulumi.secret(admin.stdout);
    }
    this.registerOutputs({});
  }
}
