// What the mocked provider answers for Hetzner Cloud resources: computed outputs only (inputs are echoed).
import { octet, type Computed } from "./octet";

export const HETZNER: Computed = {
  "hcloud:index/server:Server": (n) => ({ ipv4Address: `198.51.100.${octet(n, "v4")}`, ipv6Address: `2001:db8:200::${octet(n, "v6")}` }),
  "hcloud:index/loadBalancer:LoadBalancer": (n) => ({ ipv4: `198.51.100.${octet(n, "lb")}`, ipv6: `2001:db8:300::${octet(n, "lb")}` }),
  "hcloud:index/primaryIp:PrimaryIp": (n, i) => ({ ipAddress: i.type === "ipv6" ? `2001:db8:400::${octet(n, "pip")}` : `198.51.100.${octet(n, "pip")}` }),
};
