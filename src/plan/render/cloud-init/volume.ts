// A host's data volume, mounted at first boot before any package creates data on the root disk
// (PostgreSQL's package initialises its cluster when it is installed). The volume is the only one
// attached, so its stable by-id path is found by the provider's prefix; the provider may attach
// it a little after the server starts, so the script waits. Runs as a bootcmd on every boot and
// does nothing once fstab mounts it.
import type { Spec } from "../../../spec/schema/stack";
import type { SizedHost } from "../../capacity/hosts";
import { LOCAL_MEDIA_ROOT } from "../systemd/common";

/** Volumes appear under /dev/disk/by-id with these prefixes (provider docs, checked 2026-11-24). */
const BY_ID_PREFIX = { hetzner: "scsi-0HC_Volume_", digitalocean: "scsi-0DO_Volume_" } as const;
const WAIT_SECONDS = 300;

/** Where the volume holds the host's data: Postgres first, then local media, then search. */
export function volumeMountPoint(host: Pick<SizedHost, "roles">): string | undefined {
  if (host.roles.includes("postgres")) return "/var/lib/postgresql";
  if (host.roles.includes("media")) return LOCAL_MEDIA_ROOT;
  if (host.roles.includes("search")) return "/var/lib/opensearch";
  return undefined;
}

export function volumeMountScript(spec: Spec, host: Pick<SizedHost, "roles" | "name">): string {
  const mp = volumeMountPoint(host);
  if (!mp) throw new Error(`host ${host.name} has a volume but no role that keeps data on it`);
  const prefix = BY_ID_PREFIX[spec.provider.cloud];
  return [
    `mp=${mp}`,
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
  ].join("\n");
}
