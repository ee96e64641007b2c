// The private network of a booted stack: one Linux bridge holding the network's first address
// (where Hetzner's and DigitalOcean's routers sit, and where the harness's apt-cacher-ng
// answers), every host's veth on it. No route to the outside world: hosts reach Debian's
// mirror through the apt proxy only, as in CI.
import { execFileSync, spawnSync } from "node:child_process";
import { networkGateway } from "../../../src/plan/render/cloud-init/network";

export interface Bridge {
  name: string;
  gateway: string;
  prefix: number;
  remove(): void;
}

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A fresh bridge for a stack's private CIDR; an old one of the same name is replaced. */
export function createBridge(name: string, cidr: string, publicAddresses: readonly string[] = []): Bridge {
  const prefix = Number(cidr.split("/")[1]);
  const gateway = networkGateway(cidr);
  spawnSync("ip", ["link", "del", name], { stdio: "ignore" });
  ip("link", "add", name, "type", "bridge");
  ip("addr", "add", `${gateway}/${prefix}`, "dev", name);
  // The providers' public addresses are on the same segment here: a /24 router address each.
  for (const net of new Set(publicAddresses.map((a) => a.split(".").slice(0, 3).join(".")))) ip("addr", "add", `${net}.1/24`, "dev", name);
  ip("link", "set", name, "up");
  return {
    name,
    gateway,
    prefix,
    remove: () => void spawnSync("ip", ["link", "del", name], { stdio: "ignore" }),
  };
}
