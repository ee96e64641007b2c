// One Hetzner server per planned host, on the private network at the plan's address, with its
// public addresses as primary IPs of their own, its role firewalls, a spread placement group, and
// a data volume where the plan gives it one.
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import type { PlannedHost } from "../../plan/types";
import type { HostHandle } from "../contract";
import { DATA_ON_DISK, dataProtection, keepsDataOnDisk } from "../protection";
import { hcloudId, stackLabels } from "./common";

/** The rendered user-data and units target Debian 13 (src/plan/render/cloud-init/packages.ts). */
const IMAGE = "debian-13";

/** A spread placement group takes at most 10 servers (docs.hetzner.com/cloud/placement-groups/overview). */
const SPREAD_GROUP_SIZE = 10;

export type HostPlan = Pick<PlannedHost, "name" | "size" | "roles" | "ipv6Only" | "privateAddress" | "volumeGb" | "userData">;

export interface HetznerHostsArgs {
  stack: string;
  /** provider.region: servers, primary IPs and volumes must share it. */
  location: string;
  /** The plan's hosts, in plan order. */
  hosts: readonly HostPlan[];
  sshKeys: string[];
  networkId: pulumi.Input<number>;
  subnetId: pulumi.Input<string>;
  /** Firewall ids per host name (HetznerFirewalls.byHost). */
  firewallIds: Readonly<Record<string, pulumi.Input<number>[]>>;
  protectData: boolean;
}

export class HetznerHosts extends pulumi.ComponentResource {
  public readonly hosts: Record<string, HostHandle>;
  /** Per host with a volume: its device path, stable across reboots (/dev/disk/by-id/…). */
  public readonly volumeDevices: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: HetznerHostsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:hosts:HetznerHosts", name, {}, opts);
    const child = { parent: this };
    this.hosts = {};
    this.volumeDevices = {};

    // Spread groups keep a stack's servers on different physical machines, so one hardware
    // failure takes down one tier member, not the tier; chunked because a group holds only 10.
    const groups: pulumi.Output<number>[] = [];
    for (let i = 0; i * SPREAD_GROUP_SIZE < args.hosts.length; i++) {
      const group = new hcloud.PlacementGroup(`${name}-spread-${i + 1}`, { name: `${args.stack}-spread-${i + 1}`, type: "spread", labels: stackLabels(args.stack) }, child);
      groups.push(hcloudId(group.id));
    }

    args.hosts.forEach((host, ordinal) => {
      const labels = stackLabels(args.stack, host.roles);
      // Primary IPs of their own, not auto-deleted, so a replaced server keeps its addresses
      // and the DNS records stay right.
      const primaryIp = (type: "ipv4" | "ipv6") =>
        new hcloud.PrimaryIp(
          `${name}-${host.name}-${type}`,
          { name: `${args.stack}-${host.name}-${type}`, type, location: args.location, assigneeType: "server", autoDelete: false, labels },
          child,
        );
      const ipv6 = primaryIp("ipv6");
      // An IPv6-only host has no IPv4 at all (that is the saving): no primary IP, none enabled.
      const ipv4 = host.ipv6Only ? undefined : primaryIp("ipv4");
      const firewallIds = args.firewallIds[host.name] ?? [];
      const placementGroupId = groups[Math.floor(ordinal / SPREAD_GROUP_SIZE)];

      const server = new hcloud.Server(
        `${name}-${host.name}`,
        {
          name: `${args.stack}-${host.name}`,
          serverType: host.size,
          image: IMAGE,
          location: args.location,
          sshKeys: args.sshKeys,
          userData: host.userData,
          labels: keepsDataOnDisk(host) ? { ...labels, [DATA_ON_DISK.label]: DATA_ON_DISK.value } : labels,
          // subnetId (the provider's preferred form) both picks the subnet and orders the server
          // after it: a server cannot join a network before its subnet exists. aliasIps: [] keeps
          // the provider from detaching and re-attaching the network on every update
          // (terraform-provider-hcloud docs, resource hcloud_server, `network`).
          networks: [{ networkId: args.networkId, subnetId: args.subnetId, ip: host.privateAddress, aliasIps: [] }],
          publicNets: [{ ipv4Enabled: !host.ipv6Only, ...(ipv4 ? { ipv4: hcloudId(ipv4.id) } : {}), ipv6Enabled: true, ipv6: hcloudId(ipv6.id) }],
          firewallIds,
          ...(placementGroupId ? { placementGroupId } : {}),
        },
        // The primary IPs and the static private address can each belong to one server only,
        // so a replacement must release them first: delete, then create. User data and SSH keys
        // only matter at first boot (later changes arrive over SSH), and the provider can change
        // neither in place: without ignoring them an edit would wipe the server.
        { ...child, deleteBeforeReplace: true, ignoreChanges: ["userData", "sshKeys"], ...dataProtection(args.protectData && keepsDataOnDisk(host)) },
      );

      if (host.volumeGb !== undefined) {
        const volume = new hcloud.Volume(
          `${name}-${host.name}-data`,
          { name: `${args.stack}-${host.name}-data`, size: host.volumeGb, location: args.location, format: "ext4", labels },
          { ...child, ...dataProtection(args.protectData) },
        );
        // Not automounted: the converge step mounts it at the data directory by its by-id path,
        // with the options the data service needs, before that service first starts.
        new hcloud.VolumeAttachment(`${name}-${host.name}-data`, { volumeId: hcloudId(volume.id), serverId: hcloudId(server.id), automount: false }, child);
        this.volumeDevices[host.name] = volume.linuxDevice;
      }

      this.hosts[host.name] = {
        name: host.name,
        id: server.id,
        privateAddress: pulumi.output(host.privateAddress),
        ...(ipv4 ? { publicIpv4: ipv4.ipAddress } : {}),
        // From the server, not the primary IP: an IPv6 primary IP's address is its /64's network
        // address, and the server answers on ::1 of it (the provider's ipv6Address).
        publicIpv6: server.ipv6Address,
      };
    });
    this.registerOutputs({ hosts: Object.fromEntries(Object.entries(this.hosts).map(([k, h]) => [k, h.id])) });
  }
}
