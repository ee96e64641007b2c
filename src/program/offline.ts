// The offline run: the real program under mocks, returning the registered resource graph and the
// values the components produced. Used by `npm run plan`, the program tests and the bench.
import * as pulumi from "@pulumi/pulumi";
import type { HostFile, Plan } from "../plan/types";
import type { Spec } from "../spec/schema/stack";
import { mastodonProgram, offlineConfig, PROJECT } from "./index";
import type { ProgramConfig } from "../components/contract";
import { startMockedRun, type MockedRunOptions, type RecordedResource } from "./mocks";

export interface OfflineRun {
  resources: RecordedResource[];
  /** Per host, its files with the mocked values filled in (never written to disk). */
  hostFiles: Record<string, HostFile[]>;
  hostFilesSecret: Record<string, boolean>;
  exports: Record<string, string>;
  /** Per host, the converge trigger (hash of its bundle). */
  bundleHashes: Record<string, string>;
  /** Per host, its addresses as the provider answered (mocked). */
  hostAddresses: Record<string, HostAddresses>;
  /** The stack output: known_hosts lines pinning every host's reported key. */
  sshKnownHosts: string;
}

export interface HostAddresses {
  privateAddress: string;
  publicIpv4?: string;
  publicIpv6?: string;
}

/** Resolves an Output (secret or not) to its value; only meaningful under mocks. */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
}

export interface OfflineOptions extends MockedRunOptions {
  /** Config in place of the offline stand-ins (the booted-host harness gives its test SSH key). */
  config?: ProgramConfig;
}

export async function runOffline(spec: Spec, plan: Plan, options: OfflineOptions = {}): Promise<OfflineRun> {
  const run = await startMockedRun(PROJECT, spec.name, options);
  let program;
  try {
    program = mastodonProgram(spec, plan, options.config ?? offlineConfig(spec));
  } catch (e) {
    await run.finish();
    throw e;
  }
  const { instance, outputs } = program;
  const hostFiles: Record<string, HostFile[]> = {};
  const hostFilesSecret: Record<string, boolean> = {};
  for (const [host, files] of Object.entries(instance.hostFiles)) {
    hostFiles[host] = await valueOf(files);
    hostFilesSecret[host] = await pulumi.isSecret(files);
  }
  const exports: Record<string, string> = {};
  for (const [k, v] of Object.entries(instance.exports)) exports[k] = await valueOf(v);
  const bundleHashes: Record<string, string> = {};
  for (const [host, c] of Object.entries(instance.converge)) bundleHashes[host] = await valueOf(c.bundleHash);
  const hostAddresses: Record<string, HostAddresses> = {};
  for (const h of Object.values(instance.provider.hosts)) {
    const [privateAddress, publicIpv4, publicIpv6] = await valueOf(pulumi.all([h.privateAddress, h.publicIpv4, h.publicIpv6]));
    hostAddresses[h.name] = { privateAddress, ...(publicIpv4 ? { publicIpv4 } : {}), ...(publicIpv6 ? { publicIpv6 } : {}) };
  }
  const sshKnownHosts = await valueOf(outputs.sshKnownHosts);
  return { resources: await run.finish(), hostFiles, hostFilesSecret, exports, bundleHashes, hostAddresses, sshKnownHosts };
}
