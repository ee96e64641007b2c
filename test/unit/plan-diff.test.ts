// Two plans of a stack compared as the pull-request preview shows them: money per cost line,
// hosts and processes, the connection budget, files and the units a converge would restart.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderDiffMarkdown } from "../../src/cli/compare/markdown";
import { diffPlans } from "../../src/cli/compare/plan-diff";
import { diffStack } from "../../src/cli/compare/stack-diff";
import { buildPlan } from "../../src/plan";
import { parseStack } from "../../src/spec/load";
import { examplePlan } from "../helpers/plans";
import { edited } from "../helpers/stacks";

const prod = examplePlan("prod");
const changed = (edit: Parameters<typeof edited>[1]) => buildPlan(parseStack(edited("prod", edit), "prod.yaml"));

describe("plan diff", () => {
  it("a file whose owner or mode alone changes is listed, but restarts nothing (the converge puts it right without one)", () => {
    const after = structuredClone(prod);
    const env = after.hosts.find((h) => h.name === "web-1")!.files.find((f) => f.path === "/etc/mastodon/env.production")!;
    env.mode = "0640";
    const [web1] = diffPlans(prod, after).hosts;
    assert.deepEqual([web1!.host, web1!.files.changed, web1!.restarts, web1!.reloads], ["web-1", ["/etc/mastodon/env.production"], [], []]);
  });

  it("an unchanged stack changes nothing", () => {
    const d = diffPlans(prod, examplePlan("prod"));
    assert.deepEqual([d.costs, d.hosts, d.warnings], [[], [], { added: [], resolved: [] }]);
    assert.equal(d.monthly.before, d.monthly.after);
    assert.match(renderDiffMarkdown(d), /\*\*Monthly cost:\*\* ±\$0\.00 \(\$[\d.]+ → \$[\d.]+\)\n[\s\S]*No host changes\./);
  });

  it("a third Sidekiq host: its droplet's price, its processes, more clients, the new host's files", () => {
    const after = changed((d) => (d.hosts[2].count = 3));
    const d = diffPlans(prod, after);
    const added = d.costs.filter((c) => c.before === undefined);
    assert.ok(added.length >= 1 && added.every((c) => c.resource.includes("worker-3")), JSON.stringify(d.costs));
    const sum = added.reduce((n, c) => n + c.after!, 0);
    assert.equal(Math.round((d.monthly.after - d.monthly.before) * 100), Math.round(sum * 100));
    const host = d.hosts.find((h) => h.host === "worker-3")!;
    assert.equal(host.status, "added");
    assert.ok(host.processes.length > 0 && host.processes.every((p) => p.before === undefined && p.after!.threads <= 25));
    assert.ok(host.files.added.includes("/etc/mastodon/env.production"));
    assert.ok(d.budget.clients.after > d.budget.clients.before, JSON.stringify(d.budget));
    const md = renderDiffMarkdown(d);
    assert.match(md, /^## prod\n/);
    assert.match(md, /\*\*Monthly cost:\*\* \+\$\d+\.\d\d \(\$[\d.]+ → \$[\d.]+\)/);
    assert.match(md, /\| resource \| what \| change \| monthly \|\n\|---\|---\|---\|---\|\n\| [^\n]*worker-3[^\n]* \| added \| \+\$/);
    assert.match(md, /- \*\*worker-3\*\* added\n {2}- `mastodon-sidekiq-[^`]+` added: 1 × \d+ threads, DB_POOL \d+/);
    // Nothing runs on a new host yet: its units start with the release, none "restarts".
    assert.match(md, /- \*\*worker-3\*\* added\n(?: {2}- [^\n]*\n)+ {2}<details><summary>\d+ files<\/summary>/);
    assert.deepEqual([host.restarts, host.reloads], [[], []]);
  });

  it("a bigger database: its cost line grows and so does the pool it allows", () => {
    const d = diffPlans(prod, changed((s) => (s.postgres.managed.size = "db-s-4vcpu-8gb")));
    const pg = d.costs.filter((c) => c.before !== undefined && c.after !== undefined);
    assert.ok(pg.length >= 1 && pg.every((c) => c.after! > c.before!), JSON.stringify(d.costs));
    assert.ok(d.budget.poolSize.after! > d.budget.poolSize.before!, JSON.stringify(d.budget));
    assert.match(renderDiffMarkdown(d), /pool \d+ → \d+/);
  });

  it("a changed setting in env.production: every app host's env file, and exactly the units that read it restart", () => {
    const d = diffPlans(prod, changed((s) => (s.mastodon.authorizedFetch = true)));
    assert.deepEqual(d.costs, []);
    const appHosts = prod.hosts.filter((h) => h.processes.length > 0).map((h) => h.name).sort();
    assert.deepEqual(d.hosts.map((h) => h.host), appHosts);
    for (const h of d.hosts) {
      assert.deepEqual(h.files.changed, ["/etc/mastodon/env.production"], h.host);
      const units = prod.hosts.find((x) => x.name === h.host)!.processes.map((p) => p.unit.replace(/@.*$/, "@"));
      assert.ok(h.restarts.length > 0 && h.restarts.every((u) => units.some((p) => u.startsWith(p.replace(/\.service$/, "")))), `${h.host}: ${h.restarts.join(", ")}`);
    }
    assert.match(renderDiffMarkdown(d), /<summary>1 file; restarts mastodon-/);
  });
});

describe("plan diff: an upgrade to the next minor series", () => {
  it("4.5 → 4.6: the packages step brings NodeSource's Node to every app host, the rollout builds, migrates on the maintenance host and switches batch by batch", () => {
    const d = diffStack(prod, changed((s) => (s.mastodon.version = "v4.6.5")), 1);
    assert.deepEqual(d.rollout.upgrade, { from: "v4.5.2", to: "v4.6.5", migrationHost: "worker-1", batches: [["web-1"], ["web-2"], ["worker-1"], ["worker-2"]] });
    const app = d.hosts.filter((h) => h.packages.sources.length > 0).map((h) => h.host);
    assert.deepEqual(app, ["web-1", "web-2", "worker-1", "worker-2"]);
    for (const h of d.hosts.filter((x) => app.includes(x.host))) assert.ok(h.packages.sources.every((s) => /nodesource/.test(s)) && h.packages.added.length === 0, JSON.stringify(h.packages));
    assert.deepEqual(d.hosts.filter((h) => h.host.startsWith("edge")).flatMap((h) => h.packages.sources), [], "proxies run no Node");
    const md = renderDiffMarkdown(d);
    assert.match(md, /- Upgrade v4\.5\.2 → v4\.6\.5: build on every app host, migrations on \*\*worker-1\*\* \(pre-deployment before any host switches, post-deployment after the last\), switch web-1 → web-2 → worker-1 → worker-2\./);
    assert.match(md, /- \*\*web-1\*\* changed[^\n]*\n(?: {2}- [^\n]*\n)* {2}- packages step installs apt source `[^`]*nodesource[^`]*`/);
  });
});
