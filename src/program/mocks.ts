// Runs the real Pulumi program with no engine, no CLI and no provider plugin: every resource
// registration goes to in-process mocks that answer with plausible provider outputs, and a
// recorder keeps what the SDK sent — type, name, parent, dependencies, inputs — which is the
// resource graph the engine would see on `pulumi up`.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { mockState } from "./mock-state/index";
import type { Computed } from "./mock-state/octet";

/** The SDK's marker for a secret value inside serialized properties. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SPECIAL_SIG = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  dependencies: string[];
  /** The explicit provider's URN (the Kubernetes tier's objects name their cluster's); absent for a default provider. */
  provider?: string;
  custom: boolean;
  /** Created with Pulumi's protect: destroy or replacement stops instead of deleting it. */
  protect: boolean;
  /** Inputs whose changes Pulumi ignores once the resource exists (e.g. a server's user-data): they never update or replace it. */
  ignoreChanges?: string[];
  /** Inputs as the provider would receive them; secret values replaced by "<redacted>". */
  inputs: unknown;
  /** Names of the top-level inputs that arrived marked secret. */
  secretInputs: string[];
  /** Inputs with secrets revealed: only when the run asked for them (the booted-host harness). */
  rawInputs?: unknown;
}

export interface MockedRunOptions {
  /** Provider answers that replace the default mock state, per resource type or function token (e.g. real TLS material). */
  computed?: Computed;
  /** Record every resource's inputs with secrets revealed, as rawInputs. */
  revealSecrets?: boolean;
}

/** Walks serialized inputs, replacing each secret by what `onSecret` makes of its value; keys sorted. */
function mapSecrets(v: unknown, onSecret: (value: unknown) => unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => mapSecrets(x, onSecret));
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SPECIAL_SIG] === SECRET_SIG) return onSecret(o.value);
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, mapSecrets(o[k], onSecret)]));
  }
  return v;
}

const redactSecrets = (v: unknown) => mapSecrets(v, () => "<redacted>");
const revealSecrets = (v: unknown): unknown => mapSecrets(v, (value) => revealSecrets(value));

function isSecretValue(v: unknown): boolean {
  return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SPECIAL_SIG] === SECRET_SIG;
}

/**
 * Hetzner ids and DigitalOcean droplet ids are integers, and the SDK types take them as numbers
 * (firewall dropletIds, server networkId): mock them as integers so those inputs are recorded as
 * real values, not NaN. Other ids keep a readable "<name>-id".
 */
export function mockId(type: string, name: string): string {
  if (!type.startsWith("hcloud:") && type !== "digitalocean:index/droplet:Droplet") return `${name}-id`;
  return String(100000 + (createHash("sha256").update(`${type}:${name}`).digest().readUInt32BE(0) % 900000));
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  /** "<provider urn>::<provider id>", or empty for the default provider. */
  getProvider(): string;
}

type Monitor = { registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): void };

/** Starts a mocked run. Call `finish()` after the program to get every registered resource. */
export async function startMockedRun(project: string, stack: string, options: MockedRunOptions = {}): Promise<{ finish(): Promise<RecordedResource[]> }> {
  const recorded = new Map<string, Omit<RecordedResource, "urn">>();
  const pendingInputs = new Map<string, unknown>();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        pendingInputs.set(`${args.type}::${args.name}`, args.inputs);
        const inputs = args.inputs as Record<string, unknown>;
        const override = options.computed?.[args.type];
        const state = mockState(args.type, args.name, inputs);
        return { id: mockId(args.type, args.name), state: override ? { ...state, ...override(args.name, revealSecrets(inputs) as Record<string, unknown>) } : state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        const inputs = args.inputs as Record<string, unknown>;
        const override = options.computed?.[args.token];
        const state = mockState(args.token, "call", inputs);
        return override ? { ...state, ...override("call", inputs) } : state;
      },
    },
    project,
    stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    original(req, (err, res) => {
      if (!err && res) {
        const urn = (res as { getUrn(): string }).getUrn();
        const rawInputs = (pendingInputs.get(`${req.getType()}::${req.getName()}`) ?? {}) as Record<string, unknown>;
        recorded.set(urn, {
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent(),
          dependencies: [...new Set(req.getDependenciesList())].sort(),
          ...(req.getProvider() ? { provider: req.getProvider().slice(0, req.getProvider().lastIndexOf("::")) } : {}),
          custom: req.getCustom(),
          protect: req.getProtect() === true,
          ...(req.getIgnorechangesList().length ? { ignoreChanges: [...req.getIgnorechangesList()].sort() } : {}),
          inputs: redactSecrets(rawInputs),
          secretInputs: Object.keys(rawInputs).filter((k) => isSecretValue(rawInputs[k])).sort(),
          ...(options.revealSecrets ? { rawInputs: revealSecrets(rawInputs) } : {}),
        });
      }
      cb(err, res);
    });
  };
  return {
    async finish() {
      await pulumi.runtime.disconnect();
      return [...recorded.entries()].map(([urn, r]) => ({ urn, ...r })).sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    },
  };
}
