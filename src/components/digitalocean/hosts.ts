// One droplet per planned host, in the stack's VPC, tagged by stack and role, booting the plan's
// cloud-init; and a block-storage volume where the plan gives the host one.
import * as pulumi from "@pulumi/pulumi";
import * as digitalocean from "@pulumi/digitalocean";
import type { PlannedHost } from "../../plan/types";
import type { Role } from "../../spec/schema/common";
import type { HostHandle } from "../contract";
import { DATA_ON_DISK, dataProtection, keepsDataOnDisk } from "../protection";

/** Debian 13, which the rendered user-data and units target (src/plan/render/cloud-init/packages.ts); slug follows DigitalOcean's debian-<major>-x64 pattern (unconfirmed against the live image list). */
export const IMAGE = "debian-13-x64";

export type HostPlan = Pick<PlannedHost, "name" | "size" | "roles" | "volumeGb" | "userData">;

export interface DigitalOceanHostsArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  /** The plan's hosts, in plan order. */
  hosts: readonly HostPlan[];
  /** SSH key ids or fingerprints already in the account. */
  sshKeys: string[];
  protectData: boolean;
}

export const stackTag = (stack: string) => `mastodon-${stack}`;
export const roleTag = (stack: string, role: Role) => `${stack}-${role}`;

/**
 * Where a volume appears on its droplet, stable across reboots and attach order: "scsi-0DO_Volume_"
 * plus the volume's name (docs.digitalocean.com/products/volumes/details/naming-conventions).
 */
const volumeDevice = (volumeName: pulumi.Input<string>) => pulumi.interpolate`/dev/disk/by-id/scsi-0DO_Volume_${volumeName}`;

export class DigitalOceanHosts extends pulumi.ComponentResource {
  public readonly hosts: Record<string, HostHandle>;
  /** Numeric droplet ids, as firewalls, load balancers and volume attachments take them. */
  public readonly dropletIds: Record<string, pulumi.Output<number>>;
  /** Per host with a volume: its device path. */
  public readonly volumeDevices: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: DigitalOceanHostsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:hosts:DigitalOceanHosts", name, {}, opts);
    const child = { parent: this };
    this.hosts = {};
    this.dropletIds = {};
    this.volumeDevices = {};

    // Tags are plain names: the Droplet API creates a tag it does not know yet, so Tag resources
    // would only add a step before every droplet (and one more thing to delete on destroy).
    for (const host of args.hosts) {
      const droplet = new digitalocean.Droplet(
        `${name}-${host.name}`,
        {
          name: `${args.stack}-${host.name}`,
          size: host.size,
          image: IMAGE,
          region: args.region,
          vpcUuid: args.vpcId,
          sshKeys: args.sshKeys,
          ipv6: true,
          monitoring: true,
          tags: [stackTag(args.stack), ...host.roles.map((r) => roleTag(args.stack, r)), ...(keepsDataOnDisk(host) ? [DATA_ON_DISK.tag] : [])],
          userData: host.userData,
        },
        // User data and SSH keys only matter at first boot (later changes arrive over SSH), and
        // DigitalOcean can change neither in place: without ignoring them an edit would rebuild
        // every droplet and lose its local state.
        { ...child, ignoreChanges: ["userData", "sshKeys"], ...dataProtection(args.protectData && keepsDataOnDisk(host)) },
      );
      const dropletId = droplet.id.apply(Number);

      if (host.volumeGb !== undefined) {
        const volumeName = `${args.stack}-${host.name}-data`;
        const volume = new digitalocean.Volume(
          `${name}-${host.name}-data`,
          {
            name: volumeName,
            region: args.region,
            size: host.volumeGb,
            initialFilesystemType: "ext4",
            description: `Data of ${args.stack} ${host.name} (${host.roles.join(", ")})`,
          },
          { ...child, ...dataProtection(args.protectData) },
        );
        // Attached, not listed in the droplet's volumeIds: a volume change then never touches the droplet.
        new digitalocean.VolumeAttachment(`${name}-${host.name}-data`, { dropletId, volumeId: volume.id }, child);
        this.volumeDevices[host.name] = volumeDevice(volume.name);
      }

      this.dropletIds[host.name] = dropletId;
      this.hosts[host.name] = {
        name: host.name,
        id: droplet.id,
        privateAddress: droplet.ipv4AddressPrivate,
        publicIpv4: droplet.ipv4Address,
        publicIpv6: droplet.ipv6Address,
      };
    }
    this.registerOutputs({ dropletIds: this.dropletIds });
  }
}
