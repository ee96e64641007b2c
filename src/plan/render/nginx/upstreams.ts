// Which Puma and streaming processes a proxy host sends traffic to: every one in the stack,
// reached on loopback when it runs on the proxy host itself.
import type { SizedHost } from "../../capacity/hosts";
import { PUMA_PORT } from "../../capacity/model";
import type { ProcessKind } from "../../types";

export interface UpstreamServer {
  /** host:port; the host part may be an {{output:address.NAME}} marker (DigitalOcean). */
  address: string;
}

function serversOf(hosts: readonly SizedHost[], self: SizedHost, kind: ProcessKind): UpstreamServer[] {
  return hosts.flatMap((h) =>
    h.processes
      .filter((p) => p.kind === kind)
      .map((p) => {
        const addr = h.name === self.name ? "127.0.0.1" : h.privateAddress;
        return { address: `${addr}:${p.port ?? PUMA_PORT}` };
      }),
  );
}

export interface Upstreams {
  backend: UpstreamServer[];
  streaming: UpstreamServer[];
}

export function upstreamsFor(hosts: readonly SizedHost[], self: SizedHost): Upstreams {
  const backend = serversOf(hosts, self, "web");
  if (backend.length === 0) throw new Error(`proxy host ${self.name}: no host in the stack runs Puma (role web), so nginx has nothing to proxy to`);
  return { backend, streaming: serversOf(hosts, self, "streaming") };
}
