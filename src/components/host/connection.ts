// How `pulumi up` reaches a host: root over SSH with the private key from Pulumi config, on the
// host's public IPv4. An IPv6-only host is reached over IPv6 when the admin CIDRs include IPv6,
// else through a host with IPv4 as a jump host to its private address (SSH is open to the admin
// CIDRs only, so an IPv4-only admin could not reach it directly). The provider keeps the
// connection secret in state.
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
}

export function hostConnection(host: HostHandle, privateKey: pulumi.Input<string>, route: ConnectionRoute): pulumi.Output<command.types.input.remote.ConnectionArgs> {
  const base = { user: "root", dialErrorLimit: DIAL_ERROR_LIMIT, perDialTimeout: PER_DIAL_TIMEOUT };
  if (host.publicIpv4 || (route.adminHasIpv6 && host.publicIpv6)) {
    const address = (host.publicIpv4 ?? host.publicIpv6)!;
    return pulumi.secret(pulumi.all([address, privateKey]).apply(([h, key]) => ({ ...base, host: h, privateKey: key })));
  }
  const jumpAddress = route.jump?.publicIpv4;
  if (!jumpAddress) throw new Error(`host ${host.name} has no IPv4 address, no admin CIDR is IPv6, and no host with IPv4 can relay SSH to it: add an IPv6 range to network.adminCidrs`);
  return pulumi.secret(
    pulumi.all([host.privateAddress, jumpAddress, privateKey]).apply(([h, j, key]) => ({ ...base, host: h, privateKey: key, proxy: { host: j, user: "root", privateKey: key, dialErrorLimit: DIAL_ERROR_LIMIT, perDialTimeout: PER_DIAL_TIMEOUT } })),
  );
}
