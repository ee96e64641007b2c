// Worker limits from the host's size. nginx holds two connections per proxied request (client
// and upstream) and streaming clients keep theirs open for hours, so the ceiling is memory,
// not CPU: a dedicated proxy host gives nginx everything the planner left free on it.
import type { SizedHost } from "../../capacity/hosts";
import { NGINX_MB } from "../../capacity/model";

/**
 * Average memory one connection may cost: an idle TLS keepalive is a few KB, an active proxied
 * request holds its buffers (8 × 4 KB proxy_buffers, header buffers, TLS state). 32 KB is
 * deliberately the busy case.
 */
const CONNECTION_KB = 32;
/** Debian ships 768; below 1024 a reload with lingering websockets can run a worker dry. */
const MIN_WORKER_CONNECTIONS = 1024;
const MAX_WORKER_CONNECTIONS = 16384;

export interface NginxTuning {
  workerConnections: number;
  /** One descriptor per connection plus open static and cache files. */
  rlimitNofile: number;
  memoryBudgetMb: number;
}

export function nginxTuning(host: SizedHost): NginxTuning {
  const dedicated = host.processes.length === 0;
  const memoryBudgetMb = NGINX_MB + (dedicated ? host.allotment.appMb : 0);
  const total = Math.floor((memoryBudgetMb * 1024) / CONNECTION_KB);
  const perWorker = Math.floor(total / Math.max(1, host.vcpu) / 256) * 256;
  const workerConnections = Math.min(MAX_WORKER_CONNECTIONS, Math.max(MIN_WORKER_CONNECTIONS, perWorker));
  return { workerConnections, rlimitNofile: workerConnections * 2, memoryBudgetMb };
}
