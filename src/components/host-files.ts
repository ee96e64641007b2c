// The plan's rendered files with every {{secret:…}} and {{output:…}} marker filled from the
// resources: what the converge step copies to each host. A marker without a value is a bug in
// the wiring, reported by name rather than written to a server as a literal.
import * as pulumi from "@pulumi/pulumi";
import { fillPlaceholders, unsafeFill } from "../plan/render/placeholders";
import type { HostFile, Plan } from "../plan/types";

export interface MarkerValues {
  outputs: Readonly<Record<string, pulumi.Output<string>>>;
  secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

/** Every marker name the plan's files use, so the program can check it has them all. */
export function markersOf(plan: Plan): { outputs: string[]; secrets: string[] } {
  const outputs = new Set<string>();
  const secrets = new Set<string>();
  for (const h of plan.hosts) for (const f of h.files) {
    f.outputs.forEach((o) => outputs.add(o));
    f.secrets.forEach((s) => secrets.add(s));
  }
  return { outputs: [...outputs].sort(), secrets: [...secrets].sort() };
}

export function missingMarkers(plan: Plan, values: MarkerValues): string[] {
  const { outputs, secrets } = markersOf(plan);
  return [...outputs.filter((o) => !(o in values.outputs)).map((o) => `output:${o}`), ...secrets.filter((s) => !(s in values.secrets)).map((s) => `secret:${s}`)];
}

/** Per host, its files with markers filled; secret as a whole when any file holds a secret. */
export function filledHostFiles(plan: Plan, values: MarkerValues): Record<string, pulumi.Output<HostFile[]>> {
  const missing = missingMarkers(plan, values);
  if (missing.length > 0) throw new Error(`no value for the plan's markers: ${missing.join(", ")}`);
  const out: Record<string, pulumi.Output<HostFile[]>> = {};
  for (const host of plan.hosts) {
    const names = new Set(host.files.flatMap((f) => [...f.outputs.map((o) => `output:${o}`), ...f.secrets.map((s) => `secret:${s}`)]));
    const entries = [...names].sort().map((n) => {
      const [kind, key] = [n.slice(0, n.indexOf(":")), n.slice(n.indexOf(":") + 1)];
      return pulumi.output(kind === "secret" ? values.secrets[key]! : values.outputs[key]!).apply((v) => [n, v] as const);
    });
    const files = pulumi.all(entries).apply((pairs) => {
      const map = new Map<string, string>(pairs);
      return host.files.map((f) => ({
        ...f,
        content: fillPlaceholders(f.content, (kind, name) => {
          const value = map.get(`${kind}:${name}`)!;
          const why = unsafeFill(f.path, value);
          // Named, never shown: the value may be a secret.
          if (why) throw new Error(`${kind} ${name} cannot be written to ${host.name}:${f.path}: ${why}. Set it to a value without that.`);
          return value;
        }),
      }));
    });
    out[host.name] = host.files.some((f) => f.secrets.length > 0) ? pulumi.secret(files) : files;
  }
  return out;
}
