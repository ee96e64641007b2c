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

export interface Neighbour {
  address: string;
  /** Opens a TCP connection from the neighbour: "open", "refused" or "timeout" (nothing answered in 5 s). */
  dial(host: string, port: number): "open" | "refused" | "timeout";
  remove(): void;
}

/**
 * Another machine on the private network that none of the stack's configs name (another
 * project's server in the same Hetzner network, say): a network namespace with a veth on the
 * bridge. Removed by remove(), or with the bridge's veths when a run is cleaned up.
 */
export function addNeighbour(bridge: Bridge, name: string, address: string): Neighbour {
  const ns = `${name}-nb`;
  const [inside, outside] = [`${name}-nbi`.slice(0, 15), `${name}-nbo`.slice(0, 15)];
  spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  ip("netns", "add", ns);
  ip("link", "add", inside, "type", "veth", "peer", "name", outside);
  ip("link", "set", outside, "master", bridge.name, "up");
  ip("link", "set", inside, "netns", ns);
  ip("-n", ns, "addr", "add", `${address}/${bridge.prefix}`, "dev", inside);
  ip("-n", ns, "link", "set", inside, "up");
  ip("-n", ns, "link", "set", "lo", "up");
  return {
    address,
    dial(host, port) {
      const r = spawnSync("ip", ["netns", "exec", ns, "timeout", "5", "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`], { encoding: "utf8" });
      if (r.status === 0) return "open";
      return r.status === 124 ? "timeout" : /refused/i.test(r.stderr) ? "refused" : "timeout";
    },
    remove() {
      spawnSync("ip", ["link", "del", outside], { stdio: "ignore" });
      spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    },
  };
}
