// cloud-init user-data (#cloud-config) every server boots with: its name, the mastodon user,
// the packages its roles need, SSH hardening, kernel settings and IPv4 egress. Everything else
// (configs with secrets, releases) arrives later over SSH: user-data is readable by anything
// that can reach the provider's metadata service, so it must never hold a secret.
//
// SSH keys are not written here: DigitalOcean and Hetzner inject the keys registered with the
// server into root and the image's default user themselves, and the converge step logs in with
// them. `disable_root: false` keeps root's keys usable (Debian's cloud images would otherwise
// prefix them with "login as debian"), and the drop-in only allows key logins.
import { Document } from "yaml";
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import { acmeMode, placeholderCertificateCommand } from "./acme";
import { NODESOURCE_SOURCE, nodesourceLine, type HostPackages } from "./cloud-init/packages";
import { NODESOURCE } from "../../catalog/mastodon-releases";
import { mediaOwnershipCommands, volumeMountScript } from "./cloud-init/volume";
import { EGRESS_RULESET, EGRESS_UNIT, egressFor, egressRouteCommand, egressRuleset, egressUnit, sysctlLines } from "./cloud-init/network";
import { PATHS, type RenderContext } from "./context";
import { placeholdersIn } from "./placeholders";

const SSHD_DROP_IN = "/etc/ssh/sshd_config.d/10-mastodon-stack.conf";
const SYSCTL_FILE = "/etc/sysctl.d/60-mastodon-stack.conf";
// apt reads apt.conf.d in lexical order and the last value wins, so this overrides whatever
// 20auto-upgrades the unattended-upgrades package writes (or does not).
const APT_PERIODIC = "/etc/apt/apt.conf.d/52mastodon-stack-periodic";
// systemd-resolved answers LLMNR on every address (port 5355) by default: a server has no use for
// link-local name resolution, and a neighbour could poison or probe it.
const RESOLVED_DROP_IN = "/etc/systemd/resolved.conf.d/60-mastodon-stack.conf";
const RESOLVED = ["# Written by mastodon-stack at first boot: no link-local name resolution on a server.", "[Resolve]", "LLMNR=no", "MulticastDNS=no", ""].join("\n");

/** sshd keeps the first value it reads; this sorts before cloud-init's own 50-cloud-init.conf. */
const SSHD_HARDENING = [
  "# Written by mastodon-stack at first boot: key logins only.",
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "PermitEmptyPasswords no",
  "PermitRootLogin prohibit-password",
  "X11Forwarding no",
  "MaxAuthTries 3",
  "",
].join("\n");

const UNATTENDED = ["// Written by mastodon-stack: refresh package lists and apply security updates daily.", 'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ""].join("\n");

interface WriteFile {
  path: string;
  content: string;
  owner: string;
  permissions: string;
}

type Command = string[];

function file(path: string, content: string, permissions = "0644"): WriteFile {
  return { path, content, owner: "root:root", permissions };
}

/** Hosts that run Mastodon, or that get files owned by it, need the mastodon user before the converge step. */
function needsMastodonUser(host: SizedHost, files: readonly HostFile[]): boolean {
  return host.processes.length > 0 || files.some((f) => f.owner === "mastodon" || f.group === "mastodon");
}

/** `wanted` is hostPackages' answer for this host, the one the packages step installs from too. */
export function renderCloudInit(ctx: RenderContext, host: SizedHost, files: readonly HostFile[], wanted: HostPackages): string {
  const egress = egressFor(ctx, host);
  const { packages, pgdgPostgres, nodesource } = wanted;
  const sysctl = sysctlLines(ctx, host, egress);

  const writeFiles: WriteFile[] = [file(SSHD_DROP_IN, SSHD_HARDENING), file(APT_PERIODIC, UNATTENDED), file(RESOLVED_DROP_IN, RESOLVED)];
  const runcmd: Command[] = [["systemctl", "try-reload-or-restart", "ssh.service"], ["systemctl", "try-restart", "systemd-resolved.service"]];
  if (sysctl.length > 0) {
    writeFiles.push(file(SYSCTL_FILE, ["# Written by mastodon-stack for this host's roles.", ...sysctl, ""].join("\n")));
    // Applied as at every boot: systemd-sysctl skips itself where /proc/sys is read-only (a
    // container), while a bare `sysctl --system` fails there and fails the whole first boot.
    runcmd.push(["systemctl", "restart", "systemd-sysctl.service"]);
  }
  if (egress.kind === "gateway") {
    writeFiles.push(file(EGRESS_RULESET, egressRuleset(egress.cidr)), file(`/etc/systemd/system/${EGRESS_UNIT}`, egressUnit()));
    runcmd.push(["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", EGRESS_UNIT]);
  }
  if (pgdgPostgres) {
    // Debian's postgresql-common ships the PGDG key and this script; it writes the source and runs apt-get update.
    runcmd.push(
      ["/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh", "-y"],
      ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", `postgresql-${pgdgPostgres}`],
    );
  }

  if (host.roles.includes("proxy") && acmeMode(ctx.spec).kind !== "none") {
    runcmd.push(placeholderCertificateCommand(ctx.spec));
  }
  if (host.volumeGb !== undefined) runcmd.push(...mediaOwnershipCommands(ctx.spec, host));
  if (ctx.spec.media.local && host.roles.includes("proxy") && needsMastodonUser(host, files)) {
    // nginx serves /system straight from the media directory, which Mastodon writes group-readable (UMask=0027).
    runcmd.push(["usermod", "--append", "--groups", "mastodon", "www-data"]);
  }
  const users: (string | Record<string, unknown>)[] = ["default"];
  if (needsMastodonUser(host, files)) {
    // A login shell for `sudo -iu mastodon` (upstream's adduser --disabled-login gives one too); no password, no keys.
    users.push({ name: "mastodon", gecos: "Mastodon", homedir: PATHS.home, shell: "/bin/bash", lock_passwd: true });
  }

  const bootcmd: (string | Command)[] = [];
  if (egress.kind === "client") bootcmd.push(egressRouteCommand(egress.via));
  if (host.volumeGb !== undefined) bootcmd.push(["sh", "-c", volumeMountScript(ctx.spec, host)]);

  const config: Record<string, unknown> = {
    hostname: host.name,
    // .internal is reserved for private use (ICANN, 2024): the host claims no public name.
    fqdn: `${host.name}.${ctx.spec.name}.internal`,
    manage_etc_hosts: true,
    timezone: "Etc/UTC",
    disable_root: false,
    ssh_pwauth: false,
    users,
    // The key is fetched by its full fingerprint, so only NodeSource's own key is accepted.
    ...(nodesource
      ? { apt: { sources: { [NODESOURCE_SOURCE]: { source: nodesourceLine(nodesource.major, "$KEY_FILE"), keyid: NODESOURCE.fingerprint, keyserver: "keyserver.ubuntu.com" } } } }
      : {}),
    package_update: true,
    package_upgrade: true,
    packages,
    ...(bootcmd.length > 0 ? { bootcmd } : {}),
    write_files: writeFiles.sort((a, b) => (a.path < b.path ? -1 : 1)),
    runcmd,
  };
  // PyYAML reads YAML 1.1: emitting as 1.1 quotes yes/no/on/off and octal-looking strings.
  const text = `#cloud-config\n${new Document(config, { version: "1.1" }).toString({ lineWidth: 0 })}`;
  const { secrets } = placeholdersIn(text);
  if (secrets.length > 0) throw new Error(`user-data for ${host.name} would contain secrets (${secrets.join(", ")}): the metadata service serves it to anything on the host`);
  return text;
}
