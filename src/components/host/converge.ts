// One host's configuration, applied over SSH on every `pulumi up`: wait for first boot (and pin
// the host key it reports), bring its apt sources and packages to what its roles and release
// need (the packages step), install the converge script, then send the host's bundle (its
// rendered files with secrets filled) to it. Each step's trigger is a hash of what it applies, so
// an unchanged stack runs nothing remote at all; a changed file re-runs the converge, which
// touches only that file and its actions; a role or release that needs another package re-runs
// the packages step, which installs only what is missing.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { HostFile, PackageStep } from "../../plan/types";
import type { HostHandle } from "../contract";
import { bundleText, sha256 } from "./bundle";
import { convergeCommand, convergeScript, CONVERGE_PATH, installScriptCommand, packagesCommand, packagesScript, PACKAGES_PATH, WAIT_FOR_BOOT } from "./commands";
import { hostConnection, type ConnectionRoute } from "./connection";
import { parseHostKey } from "./host-key";

export interface HostConvergeArgs {
  host: HostHandle;
  files: pulumi.Output<HostFile[]>;
  /** The host's apt sources and packages, as the plan rendered them (no secret in them). */
  packages: Pick<PackageStep, "input" | "sha256">;
  privateKey: pulumi.Input<string>;
  route: ConnectionRoute;
  /** Converge only after these (the previous app host's converge: changes roll host by host). */
  after?: pulumi.Resource[];
  /** certbot's issue command on a proxy host (see plan/render/acme.ts); runs after the first converge. */
  certificate?: pulumi.Input<string>;
}

export class HostConverge extends pulumi.ComponentResource {
  /** Done when the host has booted and its files and services match the bundle. */
  public readonly converged: command.remote.Command;
  /** Done when the host has finished its first boot (cloud-init: packages, users). */
  public readonly booted: command.remote.Command;
  /** Done when the host has every package its roles and release need (after the first boot). */
  public readonly packages: command.remote.Command;
  /** Every command after the first: pinned to the host key the first boot reported. */
  public readonly connection: pulumi.Output<command.types.input.remote.ConnectionArgs>;
  /** The host's SSH key as its first boot reported it ("ssh-ed25519 AAAA…"). */
  public readonly hostKey: pulumi.Output<string>;
  public readonly bundleHash: pulumi.Output<string>;

  constructor(name: string, args: HostConvergeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:host:Converge", name, {}, opts);
    // A new server (new id) is waited for again, and its key pinned again; an existing one never
    // is. To accept a rebuilt server's new key: `pulumi up --replace <this command's URN>`.
    const firstContact = hostConnection(args.host, args.privateKey, args.route);
    const booted = new command.remote.Command(`${name}-boot`, { connection: firstContact, create: WAIT_FOR_BOOT, triggers: [args.host.id] }, { parent: this });
    this.hostKey = booted.stdout.apply((out) => parseHostKey(out, args.host.name));
    const connection = hostConnection(args.host, args.privateKey, args.route, this.hostKey);
    const script = convergeScript();
    const install = new command.remote.Command(
      `${name}-install`,
      { connection, create: installScriptCommand(CONVERGE_PATH), stdin: script, triggers: [args.host.id, sha256(script)] },
      { parent: this, dependsOn: [booted] },
    );
    // The converge's files name users and directories packages create (postgres, redis, the
    // cluster's /etc/postgresql/<major>/main), and a release builds with the Node it installs.
    const packagesInstall = new command.remote.Command(
      `${name}-packages-install`,
      { connection, create: installScriptCommand(PACKAGES_PATH), stdin: packagesScript(), triggers: [args.host.id, sha256(packagesScript())] },
      { parent: this, dependsOn: [booted] },
    );
    this.packages = new command.remote.Command(
      `${name}-packages`,
      { connection, create: packagesCommand(), update: packagesCommand(), stdin: args.packages.input, triggers: [args.host.id, args.packages.sha256] },
      { parent: this, dependsOn: [packagesInstall] },
    );
    const bundle = pulumi.secret(args.files.apply(bundleText));
    this.bundleHash = pulumi.secret(bundle.apply(sha256));
    this.converged = new command.remote.Command(
      `${name}-converge`,
      { connection, create: convergeCommand(), update: convergeCommand(), stdin: bundle, triggers: [args.host.id, this.bundleHash] },
      // No data flows from the install step (or the previous host) to this one: order only.
      { parent: this, dependsOn: [install, this.packages, ...(args.after ?? [])] },
    );
    if (args.certificate) {
      // Run again when the command (its names) changes or the host is new; renewals are certbot.timer's.
      new command.remote.Command(
        `${name}-certificate`,
        { connection, create: args.certificate, triggers: [args.host.id] },
        { parent: this, dependsOn: [this.converged] },
      );
    }
    this.connection = connection;
    this.booted = booted;
    this.registerOutputs({ bundleHash: this.bundleHash });
  }
}
