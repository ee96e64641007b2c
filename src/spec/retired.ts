// Keys the schema once accepted and no longer does, with what to write instead: a plain
// "unknown key" would leave the reader of an old stack file guessing.
export const RETIRED: Readonly<Record<string, { message: string; fix: string }>> = {
  // nat64 passed the IPv6-only rule but nothing rendered it: no DNS64 resolver was configured and
  // no NAT64 prefix routed, so the host simply had no way to IPv4. Refused rather than kept as a
  // setting that silently does nothing.
  "network.ipv4Egress.nat64": {
    message: "nat64 is not supported: nothing would configure DNS64 or route the NAT64 prefix, so IPv6-only hosts would still have no way to IPv4",
    fix: "use ipv4Egress: { gateway: <a host group with IPv4> } (it forwards IPv4 for the IPv6-only hosts), or drop ipv6Only so the host has its own IPv4",
  },
};
