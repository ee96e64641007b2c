// Which host instances exist, what each is called and where it lives on the private network.
import type { ServerSize } from "../catalog/types";
import { serverSize } from "../catalog";
import type { Role } from "../spec/schema/common";
import type { Host } from "../spec/schema/hosts";
import type { Spec } from "../spec/schema/stack";

export interface HostInstance {
  name: string;
  group: Host;
  index: number;
  size: ServerSize;
  roles: Role[];
  privateAddress: string;
}

export function instanceName(group: Host, index: number): string {
  return group.count === 1 ? group.name : `${group.name}-${index + 1}`;
}

/**
 * Hetzner lets us choose each server's private address, so the plan writes it into configs.
 * DigitalOcean's VPC hands addresses out itself: the component layer fills the placeholder.
 */
function address(spec: Spec, ordinal: number, name: string): string {
  if (spec.provider.cloud === "digitalocean") return `{{output:address.${name}}}`;
  const [base] = spec.network.privateCidr.split("/");
  const octets = (base ?? "10.10.0.0").split(".").map(Number);
  // Hosts start at .1.10 of the network: .0.x is left to the gateway and the load balancer.
  const n = 256 + 10 + ordinal;
  return `${octets[0]}.${octets[1]}.${(octets[2] ?? 0) + Math.floor(n / 256)}.${n % 256}`;
}

export function expandHosts(spec: Spec): HostInstance[] {
  const out: HostInstance[] = [];
  for (const group of spec.hosts) {
    const size = serverSize(spec.provider.cloud, group.size);
    if (!size) throw new Error(`unknown size ${group.size}: the spec rules should have refused it`);
    for (let index = 0; index < group.count; index++) {
      const name = instanceName(group, index);
      out.push({ name, group, index, size, roles: [...group.roles], privateAddress: address(spec, out.length, name) });
    }
  }
  return out;
}
