// How `pulumi up` reaches a host: root over SSH on its public address (IPv4, or IPv6 on an
// IPv6-only Hetzner host — the machine running `pulumi up` then needs IPv6), with the private key
// from Pulumi config. The provider keeps the connection secret in state.
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import type { HostHandle } from "../contract";

/** Servers take a minute or two to boot: keep dialling (the provider waits between attempts). */
const DIAL_ERROR_LIMIT = 60;

export function hostConnection(host: HostHandle, privateKey: pulumi.Input<string>): pulumi.Output<command.types.input.remote.ConnectionArgs> {
  const address = host.publicIpv4 ?? host.publicIpv6;
  if (!address) throw new Error(`host ${host.name} has no public address to reach over SSH`);
  return pulumi.secret(
    pulumi.all([address, privateKey]).apply(([h, key]) => ({ host: h, user: "root", privateKey: key, dialErrorLimit: DIAL_ERROR_LIMIT, perDialTimeout: 15 })),
  );
}
