// The pull-request preview of a change to a Kubernetes stack, from the real program's resource
// graphs: what replaces the cluster is called out like data at risk, what does not is an update.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { diffStack } from "../../src/cli/compare/stack-diff";
import { renderDiffMarkdown } from "../../src/cli/compare/markdown";
import { buildPlan } from "../../src/plan";
import { runOffline } from "../../src/program/offline";
import { parseStack } from "../../src/spec/load";
import { edited, type Doc } from "../helpers/stacks";

async function graphOf(edit: (d: Doc) => void) {
  const spec = parseStack(edited("kubernetes", edit), "kubernetes.yaml");
  const plan = buildPlan(spec);
  const { resources } = await runOffline(spec, plan);
  return { ...plan, resourceGraph: { resources } };
}

describe("pull-request preview: the DOKS cluster", () => {
  it("a new size for the first node pool replaces the cluster, and says what that takes down; a new maximum only updates it", async () => {
    const base = await graphOf(() => {});
    const resized = diffStack(base, await graphOf((d) => (d.kubernetes.nodePools[0].size = "s-8vcpu-16gb")), 1);
    const cluster = resized.resources.changes.find((c) => c.type === "digitalocean:index/kubernetesCluster:KubernetesCluster")!;
    assert.equal(cluster.op, "replace");
    assert.deepEqual(cluster.inputs, ["nodePool.size"]);
    assert.deepEqual(resized.resources.risks.map((r) => [r.op, r.name]), [["replace", "large-cluster"]]);
    assert.match(renderDiffMarkdown(resized), /> \[!CAUTION\]\n> \*\*Data at risk in large:\*\*\n> - .*large-cluster.*every pod and object on the cluster/);
    const wider = diffStack(base, await graphOf((d) => (d.kubernetes.nodePools[0].maxNodes = 10)), 1);
    const update = wider.resources.changes.find((c) => c.name === "large-cluster")!;
    assert.equal(update.op, "update");
    assert.deepEqual(update.inputs, ["nodePool"]);
    assert.deepEqual(wider.resources.risks, []);
  });
});
