// The chart contract the Kubernetes tier's values will be held to, checked on the chart's own
// inputs first: upstream's CI values pass it, and the mistakes Helm would silently ignore do not.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { CHART_DIR, contractViolations, loadChart } from "../helpers/chart-contract";

const chart = loadChart();

describe("Helm chart contract (fixture: Mastodon's chart 1.0.2)", () => {
  it("reads the chart: its values tree, the .Values paths its templates read and its required values", () => {
    assert.ok(chart.readPaths.has("mastodon.sidekiq.workers") && chart.readPaths.has("postgresql.existingSecret"), [...chart.readPaths].slice(0, 20).join(", "));
    assert.equal(chart.required.get("redis.password"), "Redis password is required with no existing secret");
    assert.ok(chart.required.size >= 10);
  });

  it("upstream's own CI values keep to it", () => {
    const ci = parse(readFileSync(join(CHART_DIR, "ci", "default-values.yaml"), "utf8"));
    assert.deepEqual(contractViolations(chart, ci), []);
  });

  it("a misspelled key, a map where the chart wants a scalar and an unknown key of a Sidekiq worker are each named by path", () => {
    const bad = {
      mastodon: {
        web: { workerz: "4", extraEnvVars: { ANYTHING: "free-form" } },
        localDomain: { not: "a scalar" },
        sidekiq: { workers: [{ name: "default", concurrency: 25, queues: ["default,8"], concurency: 5 }] },
      },
    };
    const v = contractViolations(chart, bad);
    assert.equal(v.length, 3, v.join("\n"));
    assert.match(v[0]!, /^mastodon\.web\.workerz: not a value of the chart \(misspelled\? values\.yaml has [^)]*workers/);
    assert.match(v[1]!, /^mastodon\.localDomain: the chart declares a scalar, got a map$/);
    assert.match(v[2]!, /^mastodon\.sidekiq\.workers\[0\]\.concurency: not a value of the chart/);
  });
});
