// A host's data volume, mounted at first boot before any package creates data on the root disk
// (PostgreSQL's package initialises its cluster when it is installed). The volume is the only one
// attached, so its stable by-id path is found by the provider's prefix; the provider may attach
// it a little after the server starts, so the script waits. Runs as a bootcmd on every boot and
// does nothing once fstab mounts it.
//
// One kind of data (Postgres, local media or OpenSearch): the volume is mounted at its directory.
// Several on one host (a single box with Postgres and local media): the volume is mounted at
// DATA_ROOT and each directory is a bind mount of its own subdirectory there, so local media no
// longer fills the root disk beside a Postgres volume. Both layouts leave every data directory a
// mount point at the path the services already use (PAPERCLIP_ROOT_PATH and nginx's /system
// alias are LOCAL_MEDIA_ROOT either way).
import type { Spec } from "../../../spec/schema/stack";
import type { SizedHost } from "../../capacity/hosts";
import { LOCAL_MEDIA_ROOT } from "../systemd/common";

/** Volumes appear under /dev/disk/by-id with these prefixes (provider docs, checked 2026-11-24). */
const BY_ID_PREFIX = { hetzner: "scsi-0HC_Volume_", digitalocean: "scsi-0DO_Volume_" } as const;
const WAIT_SECONDS = 300;
/** Where a volume holding several kinds of data is mounted: root-owned, 0755, one subdirectory per kind. */
export const DATA_ROOT = "/srv/mastodon-data";

export interface DataDir {
  /** Its subdirectory under DATA_ROOT when the volume is shared. */
  name: string;
  /** Where the services read and write it. */
  path: string;
}

type VolumeHost = Pick<SizedHost, "roles" | "name">;

/** Local media lives on the one web host (spec rules), which is the media role's host too. */
function keepsLocalMedia(spec: Pick<Spec, "media">, host: Pick<SizedHost, "roles">): boolean {
  return Boolean(spec.media.local) && (host.roles.includes("media") || host.roles.includes("web"));
}

/**
 * The data the volume holds, Postgres first. OpenSearch gets it only on a host with neither (as
 * before): the stack does not install OpenSearch (warnings.ts), so a box with Postgres and the
 * search role keeps its proven single mount.
 */
export function dataDirs(spec: Pick<Spec, "media">, host: Pick<SizedHost, "roles">): DataDir[] {
  const dirs: DataDir[] = [];
  if (host.roles.includes("postgres")) dirs.push({ name: "postgresql", path: "/var/lib/postgresql" });
  if (keepsLocalMedia(spec, host)) dirs.push({ name: "media", path: LOCAL_MEDIA_ROOT });
  if (dirs.length === 0 && host.roles.includes("search")) dirs.push({ name: "opensearch", path: "/var/lib/opensearch" });
  return dirs;
}

/** Where Postgres's data is, checked to be a mount point before the database is set up (either layout). */
export function volumeMountPoint(spec: Pick<Spec, "media">, host: Pick<SizedHost, "roles">): string | undefined {
  return dataDirs(spec, host)[0]?.path;
}

export function volumeMountScript(spec: Spec, host: VolumeHost): string {
  const dirs = dataDirs(spec, host);
  if (dirs.length === 0) throw new Error(`host ${host.name} has a volume but no role that keeps data on it`);
  const shared = dirs.length > 1;
  const prefix = BY_ID_PREFIX[spec.provider.cloud];
  const lines = [
    `mp=${shared ? DATA_ROOT : dirs[0]!.path}`,
    'if ! mountpoint -q "$mp"; then',
    '  dev=""',
    `  for _ in $(seq 1 ${WAIT_SECONDS}); do`,
    `    for d in /dev/disk/by-id/${prefix}*; do [ -e "$d" ] && dev="$d"; done`,
    '    [ -n "$dev" ] && break',
    "    sleep 1",
    "  done",
    `  if [ -z "$dev" ]; then echo "mastodon-stack: no data volume attached after ${WAIT_SECONDS} s" >&2; exit 1; fi`,
    '  blkid "$dev" >/dev/null || mkfs.ext4 -q "$dev"',
    '  uuid=$(blkid -s UUID -o value "$dev")',
    '  mkdir -p "$mp"',
    '  grep -q "UUID=$uuid " /etc/fstab || echo "UUID=$uuid $mp ext4 defaults,nofail,discard 0 2" >> /etc/fstab',
    '  mount "$mp"',
    "fi",
  ];
  if (shared) {
    lines.push(`chmod 0755 ${DATA_ROOT}`);
    for (const d of dirs) {
      // Root-owned here, as a fresh volume's root is; the service's owner is set once its user exists (runcmd).
      lines.push(
        `[ -d ${DATA_ROOT}/${d.name} ] || install -d -o root -g root -m 0755 ${DATA_ROOT}/${d.name}`,
        `mkdir -p ${d.path}`,
        `grep -q " ${d.path} none bind" /etc/fstab || echo "${DATA_ROOT}/${d.name} ${d.path} none bind,nofail,x-systemd.requires-mounts-for=${DATA_ROOT} 0 0" >> /etc/fstab`,
        // A bind made before the volume was mounted shows the root disk's empty directory (systemd
        // skips fstab's device entries in a container; a volume attached late does the same):
        // made again once the volume is there, before any service starts on it.
        `if mountpoint -q ${d.path} && [ "$(stat -c %d ${d.path})" != "$(stat -c %d ${DATA_ROOT})" ]; then umount ${d.path}; fi`,
        `mountpoint -q ${d.path} || mount ${d.path}`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * After the mastodon user exists (cloud-init's users module runs after bootcmd): the media
 * directory on the volume belongs to Mastodon, 0750 (nginx reads it through the mastodon group).
 * Without this a fresh volume's root (root:root) would refuse Mastodon's uploads.
 */
export function mediaOwnershipCommands(spec: Spec, host: VolumeHost): string[][] {
  if (!dataDirs(spec, host).some((d) => d.path === LOCAL_MEDIA_ROOT)) return [];
  const parent = LOCAL_MEDIA_ROOT.slice(0, LOCAL_MEDIA_ROOT.lastIndexOf("/"));
  return [
    ["install", "-d", "-o", "mastodon", "-g", "mastodon", "-m", "0750", parent],
    ["chown", "mastodon:mastodon", LOCAL_MEDIA_ROOT],
    ["chmod", "0750", LOCAL_MEDIA_ROOT],
  ];
}
