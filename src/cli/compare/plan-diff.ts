// What a change to a stack does, from two plans of it (the base and the change): money per cost
// line, hosts and their processes, the connection budget and memory margins, warnings, and the
// files each host would get with the units a converge would restart for them. Pure: the pull
// request preview renders it (markdown.ts); nothing here reads a file or a cloud account.
import { convergeActions } from "../../plan/converge-actions";
import type { CostLine, Plan, PlannedHost, PlannedProcess } from "../../plan/types";

export interface Change<T> {
  before: T;
  after: T;
}

export interface CostChange {
  resource: string;
  detail: string;
  before?: number;
  after?: number;
}

export interface ProcessChange {
  unit: string;
  kind: PlannedProcess["kind"];
  before?: Pick<PlannedProcess, "workers" | "threads" | "dbPool" | "connections">;
  after?: Pick<PlannedProcess, "workers" | "threads" | "dbPool" | "connections">;
}

export interface HostChange {
  host: string;
  status: "added" | "removed" | "changed";
  size?: Change<string>;
  processes: ProcessChange[];
  /** Memory left after the planned processes, MB. */
  headroomMb?: Change<number>;
  files: { added: string[]; removed: string[]; changed: string[] };
  /** Packages and apt sources the packages step would add (it never removes one); empty for a new host, whose first boot installs them. */
  packages: { added: string[]; sources: string[] };
  /** Its user-data changed: only a server created from it reads it (existing ones ignore the change). */
  userDataChanged: boolean;
  /** Units a converge restarts or reloads for the changed files (removed files stop theirs). */
  restarts: string[];
  reloads: string[];
}

export interface PlanDiff {
  stack: string;
  currency: string;
  monthly: Change<number>;
  costs: CostChange[];
  hosts: HostChange[];
  budget: { clients: Change<number>; limit: Change<number>; poolSize: Change<number | null> };
  warnings: { added: string[]; resolved: string[] };
  /** Margins that shrink below MARGIN_SHARE: connections left under the limit, memory left on a host. */
  margins: string[];
}

/** A margin under this share of its whole is said loudly when a change shrinks it. */
export const MARGIN_SHARE = 0.1;

const round2 = (n: number) => Math.round(n * 100) / 100;

function costChanges(before: readonly CostLine[], after: readonly CostLine[]): CostChange[] {
  const b = new Map(before.map((l) => [l.resource, l]));
  const a = new Map(after.map((l) => [l.resource, l]));
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  return names.flatMap((resource) => {
    const x = b.get(resource);
    const y = a.get(resource);
    if (x && y && x.monthly === y.monthly && x.detail === y.detail) return [];
    return [{ resource, detail: (y ?? x)!.detail, ...(x ? { before: x.monthly } : {}), ...(y ? { after: y.monthly } : {}) }];
  });
}

const shape = (p: PlannedProcess) => ({ workers: p.workers, threads: p.threads, dbPool: p.dbPool, connections: p.connections });

function processChanges(before: readonly PlannedProcess[], after: readonly PlannedProcess[]): ProcessChange[] {
  const b = new Map(before.map((p) => [p.unit, p]));
  const a = new Map(after.map((p) => [p.unit, p]));
  return [...new Set([...b.keys(), ...a.keys()])].sort().flatMap((unit) => {
    const x = b.get(unit);
    const y = a.get(unit);
    if (x && y && JSON.stringify(shape(x)) === JSON.stringify(shape(y))) return [];
    return [{ unit, kind: (y ?? x)!.kind, ...(x ? { before: shape(x) } : {}), ...(y ? { after: shape(y) } : {}) }];
  });
}


function hostChange(name: string, x: PlannedHost | undefined, y: PlannedHost | undefined): HostChange | undefined {
  const bf = new Map((x?.files ?? []).map((f) => [f.path, f]));
  const af = new Map((y?.files ?? []).map((f) => [f.path, f]));
  const added = [...af.keys()].filter((p) => !bf.has(p)).sort();
  const removed = [...bf.keys()].filter((p) => !af.has(p)).sort();
  const changed = [...af.keys()].filter((p) => bf.has(p) && JSON.stringify(bf.get(p)) !== JSON.stringify(af.get(p))).sort();
  // A new host has nothing running to restart: its units start with the release.
  const { restarts, reloads } = x ? convergeActions(x.files, y?.files ?? []) : { restarts: [], reloads: [] };
  const processes = processChanges(x?.processes ?? [], y?.processes ?? []);
  const status = !x ? "added" : !y ? "removed" : "changed";
  const size = x && y && x.size !== y.size ? { size: { before: x.size, after: y.size } } : {};
  const headroom = x && y && x.memory.headroomMb !== y.memory.headroomMb ? { headroomMb: { before: x.memory.headroomMb, after: y.memory.headroomMb } } : {};
  const userDataChanged = !!x && !!y && x.userData !== y.userData;
  // Plans written before the packages step have no `packages`: nothing is said about them.
  const had = new Set(x?.packages?.packages ?? []);
  const hadSources = new Set((x?.packages?.sources ?? []).map((src) => src.list));
  const packages = x?.packages && y?.packages ? { added: y.packages.packages.filter((p) => !had.has(p)), sources: y.packages.sources.map((src) => src.list).filter((l) => !hadSources.has(l)) } : { added: [], sources: [] };
  const quiet = !size.size && processes.length === 0 && added.length + removed.length + changed.length === 0 && !userDataChanged && packages.added.length + packages.sources.length === 0;
  if (status === "changed" && quiet) return undefined;
  return { host: name, status, ...size, processes, ...headroom, files: { added, removed, changed }, packages, userDataChanged, restarts, reloads };
}

const percent = (part: number, whole: number) => `${Math.round((part / whole) * 100)}%`;

function margins(before: Plan, after: Plan): string[] {
  const out: string[] = [];
  const left = (p: Plan) => p.budget.clientLimit - p.budget.clientTotal;
  if (left(after) < left(before) && left(after) < after.budget.clientLimit * MARGIN_SHARE)
    out.push(`Connection margin shrinks to ${left(after)} of ${after.budget.clientLimit} (${percent(left(after), after.budget.clientLimit)}; was ${left(before)}): a few more processes, or a restart under load, and clients queue or fail.`);
  const b = new Map(before.hosts.map((h) => [h.name, h]));
  for (const h of after.hosts) {
    const was = b.get(h.name);
    const m = h.memory;
    if (was && m.headroomMb < was.memory.headroomMb && m.headroomMb < m.availableMb * MARGIN_SHARE)
      out.push(`Memory left on ${h.name} shrinks to ${m.headroomMb} MB of ${m.availableMb} MB (${percent(m.headroomMb, m.availableMb)}; was ${was.memory.headroomMb} MB): a busy hour can push it into the OOM killer.`);
  }
  return out;
}

export function diffPlans(before: Plan, after: Plan): PlanDiff {
  const b = new Map(before.hosts.map((h) => [h.name, h]));
  const a = new Map(after.hosts.map((h) => [h.name, h]));
  const names = [...new Set([...b.keys(), ...a.keys()])].sort();
  const bw = new Set(before.warnings);
  const aw = new Set(after.warnings);
  return {
    stack: after.stack.name,
    currency: after.cost.total.currency,
    monthly: { before: round2(before.cost.total.monthly), after: round2(after.cost.total.monthly) },
    costs: costChanges(before.cost.lines, after.cost.lines),
    hosts: names.flatMap((n) => hostChange(n, b.get(n), a.get(n)) ?? []),
    budget: {
      clients: { before: before.budget.clientTotal, after: after.budget.clientTotal },
      limit: { before: before.budget.clientLimit, after: after.budget.clientLimit },
      poolSize: { before: before.budget.poolSize ?? null, after: after.budget.poolSize ?? null },
    },
    warnings: { added: after.warnings.filter((w) => !bw.has(w)), resolved: before.warnings.filter((w) => !aw.has(w)) },
    margins: margins(before, after),
  };
}
