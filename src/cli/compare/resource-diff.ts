// What `pulumi up` would do to the cloud for a change, from the resource graphs the program
// registers at the base and at the change (both recorded under mocks, in plan.json): resources
// created, updated, replaced and deleted, by URN. A URN is type + name + parents, so renaming a
// host in the stack file deletes its server and creates another: exactly what the engine does.
// Replacements and deletions that lose data (the database, volumes, buckets, a host that keeps
// Postgres on its disk, the instance's generated secrets) become the warnings at the top.
import { DATA_TYPES, REPLACE_ON_CHANGE, SERVER_TYPES } from "../../catalog/replacement";
import type { RecordedResource } from "../../program/mocks";

export type ResourceOp = "create" | "update" | "replace" | "delete";

export interface ResourceChange {
  op: ResourceOp;
  type: string;
  name: string;
  /** Top-level inputs that differ (update/replace); for a replacement, the ones forcing it come first. */
  inputs: string[];
  protect: boolean;
}

export interface DataRisk {
  op: "replace" | "delete";
  type: string;
  name: string;
  /** What is lost, in words. */
  loses: string;
  /** Pulumi's protect is set: `pulumi up` stops with an error before deleting it. */
  protected: boolean;
  /** For a deletion, a created resource of the same type that looks like its new name (a rename). */
  renamedTo?: string;
}

export interface ResourceDiff {
  changes: ResourceChange[];
  counts: Record<ResourceOp, number>;
  risks: DataRisk[];
}

type Resource = Pick<RecordedResource, "urn" | "type" | "name" | "custom" | "protect" | "inputs" | "ignoreChanges">;

const stable = (v: unknown): string => JSON.stringify(v) ?? "undefined";

function changedInputs(a: Resource, b: Resource): string[] {
  const x = (a.inputs ?? {}) as Record<string, unknown>;
  const y = (b.inputs ?? {}) as Record<string, unknown>;
  const ignored = new Set(b.ignoreChanges ?? []);
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => !ignored.has(k) && stable(x[k]) !== stable(y[k])).sort();
}

const at = (v: unknown, path: string): unknown => path.split(".").reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), v);

/** The inputs (or nested paths, e.g. a DOKS cluster's nodePool.size) whose change replaces the resource. */
function forcing(type: string, inputs: readonly string[], x: Resource, y: Resource): string[] {
  const rule = REPLACE_ON_CHANGE[type];
  if (!rule) return [];
  const top = rule.inputs === "*" ? [...inputs] : inputs.filter((k) => (rule.inputs as readonly string[]).includes(k));
  const nested = (rule.nested ?? []).filter((p) => stable(at(x.inputs, p)) !== stable(at(y.inputs, p)));
  return [...top, ...nested];
}

/** What losing the resource loses, or undefined when nothing of the instance's is lost. */
function losses(r: Resource, dataHosts: ReadonlySet<string>): string | undefined {
  const engine = (r.inputs as Record<string, unknown> | undefined)?.engine;
  if (r.type === "digitalocean:index/databaseCluster:DatabaseCluster" && engine !== "pg") return undefined;
  if (DATA_TYPES.has(r.type)) return REPLACE_ON_CHANGE[r.type]?.loses ?? "its data";
  if (REPLACE_ON_CHANGE[r.type]?.outage) return REPLACE_ON_CHANGE[r.type]!.loses;
  if (SERVER_TYPES.has(r.type) && [...dataHosts].some((h) => r.name.endsWith(`-${h}`))) return "the PostgreSQL database on its disk";
  if (r.protect) return "a resource the stack protects";
  if (r.type.startsWith("random:") || r.type === "tls:index/privateKey:PrivateKey") return secretLoss(r.name);
  return undefined;
}

// The internal CA and per-host TLS keys are re-issued harmlessly; these are not.
function secretLoss(name: string): string | undefined {
  if (/secret-key-base$/.test(name)) return "SECRET_KEY_BASE: every session and signed link becomes invalid";
  if (/otp-secret$/.test(name)) return "OTP_SECRET: two-factor codes stop verifying";
  if (/-ar-(primary-key|deterministic-key|key-derivation-salt)$/.test(name)) return "an Active Record encryption key: encrypted columns (2FA secrets, …) become unreadable";
  if (/vapid$/.test(name)) return "the VAPID key: every browser push subscription stops";
  return undefined;
}

/** A created resource of the same type and parent-less name shape that plausibly replaces a deleted one. */
function renameOf(deleted: Resource, created: readonly Resource[]): string | undefined {
  const stem = (n: string) => n.replace(/[^-]+$/, "");
  const same = created.filter((c) => c.type === deleted.type && stem(c.name) === stem(deleted.name));
  return same.length === 1 ? same[0]!.name : undefined;
}

export function diffResources(before: readonly Resource[], after: readonly Resource[], dataHosts: ReadonlySet<string>): ResourceDiff {
  const cloud = (rs: readonly Resource[]) => new Map(rs.filter((r) => r.custom).map((r) => [r.urn, r]));
  const b = cloud(before);
  const a = cloud(after);
  const changes: ResourceChange[] = [];
  const risks: DataRisk[] = [];
  const created = [...a.values()].filter((r) => !b.has(r.urn));
  for (const urn of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const x = b.get(urn);
    const y = a.get(urn);
    if (!x && y) changes.push({ op: "create", type: y.type, name: y.name, inputs: [], protect: y.protect });
    else if (x && !y) {
      changes.push({ op: "delete", type: x.type, name: x.name, inputs: [], protect: x.protect });
      const loses = losses(x, dataHosts);
      const renamedTo = renameOf(x, created);
      if (loses) risks.push({ op: "delete", type: x.type, name: x.name, loses, protected: x.protect, ...(renamedTo ? { renamedTo } : {}) });
    } else if (x && y) {
      const inputs = changedInputs(x, y);
      if (inputs.length === 0) continue;
      const force = forcing(y.type, inputs, x, y);
      const op: ResourceOp = force.length > 0 ? "replace" : "update";
      // A nested path names its input better than the block it sits in.
      const shown = inputs.filter((k) => !force.includes(k) && !force.some((f) => f.startsWith(`${k}.`)));
      changes.push({ op, type: y.type, name: y.name, inputs: [...force, ...shown], protect: x.protect });
      const loses = op === "replace" ? losses(x, dataHosts) : undefined;
      if (loses) risks.push({ op: "replace", type: x.type, name: x.name, loses, protected: x.protect });
    }
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) counts[c.op] += 1;
  return { changes, counts, risks };
}
