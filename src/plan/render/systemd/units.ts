// The long-running processes of one host: Puma, one streaming template unit instanced per
// port, and one unit per Sidekiq process. Sizes come from the capacity plan, never from here.
import type { SizedHost } from "../../capacity/hosts";
import type { HostFile, PlannedProcess } from "../../types";
import type { RenderContext } from "../context";
import { bindAddress } from "../bind";
import { PATHS } from "../context";
import {
  BUNDLE,
  localDataUnits,
  LOCAL_MEDIA_ROOT,
  NODE,
  renderService,
  rubyEnvironment,
  rubyHardening,
  TARGET,
  unitFile,
  type ServiceUnit,
} from "./common";
import { renderTemplate } from "../engine";
import { dataDirs } from "../cloud-init/volume";

export const STREAMING_TEMPLATE = "mastodon-streaming@.service";

function base(ctx: RenderContext, host: SizedHost): Pick<ServiceUnit, "type" | "after" | "wants" | "requires" | "requiresMountsFor" | "partOf" | "workingDirectory" | "environmentFiles" | "execStartPre" | "wantedBy"> {
  // Local media on the data volume: uploads must never land beneath its mount point before it is mounted.
  const media = host.volumeGb !== undefined ? dataDirs(ctx.spec, host).filter((d) => d.path === LOCAL_MEDIA_ROOT).map((d) => d.path) : [];
  return {
    type: "simple",
    after: ["network-online.target", ...localDataUnits(ctx, host)],
    wants: ["network-online.target"],
    requires: [],
    requiresMountsFor: media,
    partOf: TARGET,
    workingDirectory: PATHS.live,
    environmentFiles: [PATHS.env],
    execStartPre: [],
    wantedBy: TARGET,
  };
}

/** RestartSec keeps a unit that starts before its database from hitting the start limit. */
const RESTART = ["Restart=always", "RestartSec=5s"];

function web(ctx: RenderContext, host: SizedHost, p: PlannedProcess): HostFile {
  const unit: ServiceUnit = {
    ...base(ctx, host),
    after: [...base(ctx, host).after, WEB_SOCKET],
    requires: [WEB_SOCKET],
    name: p.unit,
    description: `Mastodon web (Puma, ${p.workers} workers × ${p.threads} threads)`,
    environment: {
      ...rubyEnvironment(),
      BIND: bindAddress(ctx.hosts, host),
      PORT: p.port ?? 3000,
      WEB_CONCURRENCY: p.workers,
      MAX_THREADS: p.threads,
      DB_POOL: p.dbPool,
    },
    execStart: `${BUNDLE} exec puma -C config/puma.rb`,
    // As upstream's dist/mastodon-web.service. Mastodon's puma.rb uses preload_app!, so Puma
    // answers USR1 with a hot restart of the running release in place (socket kept open). We
    // never use it to apply changes: environment and new releases need a real restart.
    execReload: "/bin/kill -USR1 $MAINPID",
    service: [...RESTART, "TimeoutStopSec=30s", "LimitNOFILE=65536"],
    hardening: rubyHardening(ctx),
  };
  // A changed unit (environment, ExecStart) only takes effect when systemd starts the process
  // again; USR1 would re-exec Puma with its old environment. So: restart.
  return unitFile(p.unit, renderService(unit), [{ kind: "daemon-reload" }, { kind: "restart", unit: p.unit }]);
}

function streaming(ctx: RenderContext, host: SizedHost, ps: readonly PlannedProcess[]): HostFile {
  const pools = new Set(ps.map((p) => p.dbPool));
  if (pools.size !== 1) throw new Error(`${host.name}: streaming processes share one template unit but plan different pools (${[...pools].join(", ")})`);
  const unit: ServiceUnit = {
    ...base(ctx, host),
    name: STREAMING_TEMPLATE,
    description: "Mastodon streaming API on port %i",
    environment: { NODE_ENV: "production", BIND: bindAddress(ctx.hosts, host), PORT: "%i", DB_POOL: ps[0]!.dbPool },
    execStart: `${NODE} ./streaming`,
    execReload: "",
    // A fixed LimitNOFILE (soft = hard) also spares Node its setrlimit() at start-up.
    service: [...RESTART, "TimeoutStopSec=30s", "LimitNOFILE=65536"],
    hardening: {
      home: true,
      writable: [],
      cacheDirectory: "",
      stateDirectory: "",
      mdwe: false,
      jitReason: "V8's JIT",
      // V8 protects its code space with memory protection keys where the CPU has them.
      syscallAllow: ["pkey_alloc pkey_free pkey_mprotect"],
    },
  };
  const instances = ps.map((p) => p.unit);
  return unitFile(STREAMING_TEMPLATE, renderService(unit), [
    { kind: "daemon-reload" },
    ...instances.map((u) => ({ kind: "restart" as const, unit: u })),
  ]);
}

function sidekiq(ctx: RenderContext, host: SizedHost, p: PlannedProcess): HostFile {
  const queues = p.queues ?? [];
  if (queues.length === 0) throw new Error(`${host.name}: ${p.unit} has no queues`);
  const unit: ServiceUnit = {
    ...base(ctx, host),
    name: p.unit,
    description: `Mastodon Sidekiq (${queues.join(", ")}; ${p.threads} threads)`,
    // Sidekiq's threads each hold a connection: the pool is exactly the thread count.
    environment: { ...rubyEnvironment(), DB_POOL: p.dbPool },
    execStart: `${BUNDLE} exec sidekiq -c ${p.threads} ${queues.map((q) => `-q ${q}`).join(" ")}`,
    execReload: "",
    // Sidekiq waits up to 25 s (its -t default) for running jobs before pushing them back.
    service: [...RESTART, "TimeoutStopSec=40s", "LimitNOFILE=65536"],
    hardening: rubyHardening(ctx),
  };
  return unitFile(p.unit, renderService(unit), [{ kind: "daemon-reload" }, { kind: "restart", unit: p.unit }]);
}

export const WEB_SOCKET = "mastodon-web.socket";
/** Connections queued while Puma restarts: a few seconds of a busy instance's traffic. */
const WEB_BACKLOG = 4096;

/** Puma's listener as a socket unit (see templates/systemd/socket.liquid). */
function webSocket(ctx: RenderContext, host: SizedHost, p: PlannedProcess): HostFile {
  const listen = `${bindAddress(ctx.hosts, host)}:${p.port ?? 3000}`;
  const content = renderTemplate("systemd/socket", { description: `Mastodon web listener (${listen})`, listen, backlog: WEB_BACKLOG });
  // A changed socket is restarted, which stops Puma with it (Requires=): the next connection
  // starts it again on the new listener.
  return unitFile(WEB_SOCKET, content, [{ kind: "daemon-reload" }, { kind: "enable", unit: WEB_SOCKET }, { kind: "restart", unit: WEB_SOCKET }]);
}

/** Unit files for the host's planned processes, plus the names to group under mastodon.target. */
export function processUnits(ctx: RenderContext, host: SizedHost): { files: HostFile[]; units: string[] } {
  const files: HostFile[] = [];
  for (const p of host.processes) {
    if (p.kind === "web") files.push(web(ctx, host, p), webSocket(ctx, host, p));
    if (p.kind === "sidekiq") files.push(sidekiq(ctx, host, p));
  }
  const streams = host.processes.filter((p) => p.kind === "streaming");
  if (streams.length > 0) files.push(streaming(ctx, host, streams));
  return { files, units: host.processes.map((p) => p.unit) };
}
