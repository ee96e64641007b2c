// The pull-request preview of a stack on Kubernetes: the workloads and pools whose plan changed,
// the cost at maximum scale, and what `pulumi up` runs on the cluster.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPlan } from "../../src/plan";
import { kubernetesChange } from "../../src/cli/compare/kubernetes-diff";
import { renderDiffMarkdown } from "../../src/cli/compare/markdown";
import { diffStack } from "../../src/cli/compare/stack-diff";
import { parseStack } from "../../src/spec/load";
import { edited, type Doc } from "../helpers/stacks";

const planOf = (edit: (d: Doc) => void) => buildPlan(parseStack(edited("kubernetes", edit), "kubernetes.yaml"));

describe("pull-request preview of a Kubernetes stack", () => {
  const base = planOf(() => {});

  it("names the workloads and pools that change, the cost at maximum, and the release's rolling update", () => {
    const after = planOf((d) => {
      d.kubernetes.web.workers = 3;
      d.kubernetes.nodePools[0].maxNodes = 9;
    });
    const k = kubernetesChange(base, after, true)!;
    assert.deepEqual(k.workloads, [{ name: "web", before: "2 × 5 Puma, 2–6 replicas, 830 MB / 1330m, on apps", after: "3 × 5 Puma, 2–6 replicas, 1170 MB / 2000m, on apps" }]);
    assert.deepEqual(k.pools.map((p) => p.name), ["apps"]);
    assert.deepEqual(k.costAtMax, { before: 905.51, after: 953.51 });
    assert.equal(k.rollout.length, 1);
    assert.match(k.rollout[0]!, /^The chart's release upgrades: web rolls to new pods/);
    const md = renderDiffMarkdown(diffStack(base, after, 1));
    assert.match(md, /\*\*Kubernetes\*\*\n\n\| workload \| before \| after \|\n\|---\|---\|---\|\n\| web \| 2 × 5 Puma/);
    assert.match(md, /With every node pool at its maximum: \+\$48\.00 \(\$905\.51 → \$953\.51\)\./);
    assert.doesNotMatch(md, /No host changes/);
  });

  it("an upgrade runs the pre-deployment Job, the release, then the post-deployment Job; an unchanged stack runs nothing", () => {
    const upgraded = planOf((d) => (d.mastodon.version = "v4.6.5"));
    assert.match(kubernetesChange(base, upgraded, true)!.rollout[0]!, /^Upgrade v4\.5\.2 → v4\.6\.5: the pre-deployment migration Job runs to completion, then the chart's release rolls every Deployment to the new image, then the post-deployment migration Job\.$/);
    const same = kubernetesChange(base, planOf(() => {}), false)!;
    assert.deepEqual(same, { workloads: [], pools: [], costAtMax: { before: 905.51, after: 905.51 }, rollout: [] });
    assert.match(renderDiffMarkdown(diffStack(base, base, 1)), /\*\*Rollout on the cluster:\*\* nothing restarts\./);
  });

  it("says nothing of Kubernetes for a stack on hosts", () => {
    const hosts = buildPlan(parseStack(edited("hobby", () => {}), "hobby.yaml"));
    assert.equal(kubernetesChange(hosts, hosts, false), undefined);
  });
});
