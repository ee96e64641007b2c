// How `pulumi up` reaches a host: root over SSH with the private key from Pulumi config, on the
// host's public IPv4. An IPv6-only host is reached over IPv6 when the admin CIDRs include IPv6,
// else through a host with IPv4 as a jump host to its private address (SSH is open to the admin
// CIDRs only, so an IPv4-only admin could not reach it directly). Every connection but a host's
// first is pinned to the host key that first one reported, and a jump is always pinned (its own
// first connection came before). The provider keeps the connection secret in state.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type { HostHandle } from "../contract";

/** Servers take a minute or two to boot: keep dialling (the provider waits between attempts). */
const DIAL_ERROR_LIMIT = 60;
const PER_DIAL_TIMEOUT = 15;

export interface ConnectionRoute {
  /** Connect over IPv6 to hosts without IPv4 (an admin CIDR is IPv6). */
  adminHasIpv6: boolean;
  /** A host with IPv4 to jump through otherwise. */
  jump?: HostHandle;
  /** The jump host's pinned key (its first boot's report). */
  jumpHostKey?: pulumi.Input<string>;
}

/** Whether the host is reached through the route's jump host. */
export function viaJump(host: HostHandle, route: ConnectionRoute): boolean {
  return !(host.publicIpv4 || (route.adminHasIpv6 && host.publicIpv6));
}

/** `hostKey` absent only for a host's first connection (trust on first use, see host-key.ts). */
export function hostConnection(host: HostHandle, privateKey: pulumi.Input<string>, route: ConnectionRoute, hostKey?: pulumi.Input<string>): pulumi.Output<command.types.input.remote.ConnectionArgs> {
  const base = { user: "root", dialErrorLimit: DIAL_ERROR_LIMIT, perDialTimeout: PER_DIAL_TIMEOUT };
  const pinned = pulumi.output(hostKey ?? null);
  if (!viaJump(host, route)) {
    const address = (host.publicIpv4 ?? host.publicIpv6)!;
    return pulumi.secret(pulumi.all([address, privateKey, pinned]).apply(([h, key, k]) => ({ ...base, host: h, privateKey: key, ...(k ? { hostKey: k } : {}) })));
  }
  const jumpAddress = route.jump?.publicIpv4;
  if (!jumpAddress) throw new Error(`host ${host.name} has no IPv4 address, no admin CIDR is IPv6, and no host with IPv4 can relay SSH to it: add an IPv6 range to network.adminCidrs`);
  if (route.jumpHostKey === undefined) throw new Error(`host ${host.name} is reached through ${route.jump!.name}, whose host key is not known`);
  return pulumi.secret(
    pulumi.all([host.privateAddress, jumpAddress, privateKey, pinned, route.jumpHostKey]).apply(([h, j, key, k, jk]) => ({
      ...base,
      host: h,
      privateKey: key,
      ...(k ? { hostKey: k } : {}),
      proxy: { host: j, user: "root", privateKey: key, hostKey: jk, dialErrorLimit: DIAL_ERROR_LIMIT, perDialTimeout: PER_DIAL_TIMEOUT },
    })),
  );
}
