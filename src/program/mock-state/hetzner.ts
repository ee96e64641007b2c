// What the mocked provider answers for Hetzner Cloud resources: computed outputs only (inputs are echoed).
//
// Shaped like the real provider: an IPv6 primary IP's ipAddress is its /64's network address and
// the server answers on ::1 of it; a server's addresses are those of the primary IPs it was
// created with. The mocks cannot see ids (ids are "<name>-id" here, so numeric id arguments come
// out NaN), so the server finds its primary IPs by the names hosts.ts gives them:
// "<server>-ipv4" and "<server>-ipv6".
import { octet, type Computed, type State } from "./octet";

const primaryIpv4 = (name: string) => `198.51.100.${octet(name, "pip")}`;
/** The /64 of an IPv6 primary IP, written as the API writes its address: "2001:db8:400:NN::". */
const primaryIpv6Prefix = (name: string) => `2001:db8:400:${octet(name, "pip")}::`;

function ipv4Enabled(inputs: State): boolean {
  const nets = inputs.publicNets;
  const first = Array.isArray(nets) ? (nets[0] as State | undefined) : undefined;
  return first?.ipv4Enabled !== false;
}

export const HETZNER: Computed = {
  "hcloud:index/server:Server": (n, i) => ({
    // Like the provider: empty when the server has no IPv4.
    ipv4Address: ipv4Enabled(i) ? primaryIpv4(`${n}-ipv4`) : "",
    ipv6Address: `${primaryIpv6Prefix(`${n}-ipv6`)}1`,
    ipv6Network: `${primaryIpv6Prefix(`${n}-ipv6`)}/64`,
    status: "running",
  }),
  "hcloud:index/primaryIp:PrimaryIp": (n, i) =>
    i.type === "ipv6" ? { ipAddress: primaryIpv6Prefix(n), ipNetwork: `${primaryIpv6Prefix(n)}/64` } : { ipAddress: primaryIpv4(n) },
  "hcloud:index/loadBalancer:LoadBalancer": (n) => ({ ipv4: `198.51.100.${octet(n, "lb")}`, ipv6: `2001:db8:300::${octet(n, "lb")}` }),
  "hcloud:index/volume:Volume": (n) => ({ linuxDevice: `/dev/disk/by-id/scsi-0HC_Volume_${octet(n, "vol")}` }),
};

