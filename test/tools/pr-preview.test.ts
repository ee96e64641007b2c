// A simulated pull request: a temporary git repository holding this project, a base commit, and
// head commits that each change one thing an admin changes — a Sidekiq host added, the database
// resized, a setting of env.production, the host that keeps Postgres on its disk renamed, a stack
// added and another deleted. `npm run diff` (the real CLI, the base planned by its own commit in a
// worktree) must say what each does: money to the cent, processes, budget, restarts, data at risk.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import type { StackDiff } from "../../src/cli/compare/stack-diff";
import { ROOT } from "../helpers/plans";

let repo: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });

/** Commits `edit` of a stack on a new branch off main and runs the preview against main. */
function pullRequest(branch: string, edit: () => void): { code: number; stdout: string; stderr: string; comment: string; diff(stack: string): StackDiff } {
  git("checkout", "-q", "-B", branch, "main");
  edit();
  git("add", "-A");
  git("commit", "-q", "-m", branch);
  const out = join(repo, ".preview");
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/diff.ts", "--base", "main", "--out", out], { cwd: repo, encoding: "utf8" });
  const comment = r.status === 0 || r.status === 1 ? readFileSync(join(out, "comment.md"), "utf8") : "";
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, comment, diff: (s) => JSON.parse(readFileSync(join(out, s, "diff.json"), "utf8")) as StackDiff };
}

function editStack(name: string, edit: (d: Record<string, any>) => void): void {
  const path = join(repo, "stacks", `${name}.yaml`);
  const d = parse(readFileSync(path, "utf8")) as Record<string, any>;
  edit(d);
  writeFileSync(path, stringify(d));
}

describe("pull-request preview (a simulated pull request in a temporary repository)", () => {
  before(() => {
    repo = mkdtempSync(join(tmpdir(), "mastodon-stack-pr-"));
    for (const p of ["src", "templates", "schema", "stacks", "package.json", "package-lock.json", "tsconfig.json"]) cpSync(join(ROOT, p), join(repo, p), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
    writeFileSync(join(repo, ".gitignore"), "node_modules\n.preview/\n");
    git("init", "-q", "-b", "main");
    git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "--allow-empty", "-m", "root");
    git("config", "user.name", "test");
    git("config", "user.email", "test@example.invalid");
    git("add", "-A");
    git("commit", "-q", "-m", "base");
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it("(a) a third Sidekiq host: +$48.00, exactly its droplet; its processes; more clients; created, nothing at risk", () => {
    const pr = pullRequest("add-worker", () => editStack("prod", (d) => (d.hosts[2].count = 3)));
    assert.equal(pr.code, 0, pr.stderr);
    const d = pr.diff("prod");
    assert.equal(Math.round((d.monthly.after - d.monthly.before) * 100), 4800);
    assert.deepEqual(d.costs.map((c) => [c.resource.includes("worker-3"), c.before, c.after]), [[true, undefined, 48]]);
    const host = d.hosts.find((h) => h.host === "worker-3")!;
    assert.ok(host.status === "added" && host.processes.length > 0 && host.processes.every((p) => !p.before && p.after!.dbPool === p.after!.threads));
    assert.ok(d.budget.clients.after > d.budget.clients.before);
    assert.ok(d.resources.changes.some((c) => c.op === "create" && c.type === "digitalocean:index/droplet:Droplet" && c.name === "prod-hosts-worker-3"));
    assert.deepEqual([d.resources.counts.delete, d.resources.counts.replace, d.resources.risks], [0, 0, []]);
    assert.deepEqual(d.rollout.newHosts, ["worker-3"]);
    // Only prod's file changed: the other stacks are not planned.
    assert.deepEqual(pr.stdout.match(/^\w+ \(stacks\/[^)]+\)/gm), ["prod (stacks/prod.yaml)"]);
    assert.match(pr.comment, /^<!-- mastodon-stack:preview -->\n# Mastodon stack preview\n/);
    assert.match(pr.comment, /\n## prod \(`stacks\/prod\.yaml`\)\n\n\*\*Monthly cost:\*\* \+\$48\.00 \(\$385\.70 → \$433\.70\)\n/);
    assert.doesNotMatch(pr.comment, /CAUTION/);
  });

  it("(b) the database resized: its line and the pool grow; the cluster is updated in place, never replaced", () => {
    const pr = pullRequest("bigger-db", () => editStack("prod", (d) => (d.postgres.managed.size = "db-s-4vcpu-8gb")));
    assert.equal(pr.code, 0, pr.stderr);
    const d = pr.diff("prod");
    // Two nodes at 60.90 → 121.80 a month each (src/catalog/digitalocean.ts).
    assert.equal(Math.round((d.monthly.after - d.monthly.before) * 100), 2 * (12180 - 6090));
    assert.ok(d.budget.poolSize.after! > d.budget.poolSize.before!);
    const cluster = d.resources.changes.find((c) => c.name === "prod-postgres")!;
    assert.deepEqual([cluster.op, cluster.inputs], ["update", ["size"]]);
    // DigitalOcean cannot resize a connection pool in place (size is ForceNew): said, not hidden.
    assert.equal(d.resources.changes.find((c) => c.name === "prod-postgres-pool")?.op, "replace");
    assert.deepEqual(d.resources.risks, []);
  });

  it("(c) a setting of env.production: every app host's env file, its redacted patch, and the units that restart, batch by batch", () => {
    const pr = pullRequest("authorized-fetch", () => editStack("prod", (d) => (d.mastodon.authorizedFetch = true)));
    assert.equal(pr.code, 0, pr.stderr);
    const d = pr.diff("prod");
    assert.deepEqual(d.costs, []);
    assert.deepEqual(d.hosts.map((h) => h.host), ["web-1", "web-2", "worker-1", "worker-2"]);
    for (const h of d.hosts) {
      assert.deepEqual(h.files.changed, ["/etc/mastodon/env.production"]);
      const patch = d.patches[h.host]!.find((p) => p.path === "/etc/mastodon/env.production")!;
      assert.deepEqual([patch.added, patch.removed], [1, 0]);
      assert.match(patch.patch, /^--- a\/etc\/mastodon\/env\.production\n\+\+\+ b\/etc\/mastodon\/env\.production\n@@ [^\n]+\n(?: [^\n]*\n)*\+AUTHORIZED_FETCH=true\n/);
      assert.doesNotMatch(patch.patch, /^[ +-](SECRET_KEY_BASE|OTP_SECRET|DB_PASS)=(?!<redacted>)/m);
    }
    assert.deepEqual(d.rollout.restarts.map((r) => [r.batch, r.host]), [[1, "web-1"], [2, "web-2"], [3, "worker-1"], [4, "worker-2"]]);
    assert.ok(d.rollout.restarts.every((r) => r.restarts.length > 0 && r.restarts.every((u) => u.startsWith("mastodon-"))));
    assert.deepEqual(d.resources.counts, { create: 0, update: d.resources.counts.update, replace: 0, delete: 0 });
    assert.match(pr.comment, /<details><summary>1 file; restarts mastodon-[^<]*<\/summary>\n\n {2}- changed `\/etc\/mastodon\/env\.production` \(\+1 −0\)\n\n {4}```diff\n/);
  });

  it("(d) renaming the host that keeps Postgres on its disk: the data-loss warning comes first", () => {
    const pr = pullRequest("rename-data", () =>
      editStack("hobby", (d) => {
        d.hosts[0].name = "db";
        d.postgres.selfHosted.host = "db";
        d.redis.selfHosted.host = "db";
      }),
    );
    assert.equal(pr.code, 0, pr.stderr);
    const d = pr.diff("hobby");
    assert.deepEqual(d.resources.risks.map((r) => [r.op, r.type, r.name, r.renamedTo, r.protected, r.loses]), [
      ["delete", "hcloud:index/server:Server", "hobby-hosts-data", "hobby-hosts-db", true, "the PostgreSQL database on its disk"],
    ]);
    assert.equal(d.monthly.after, d.monthly.before);
    // The first thing under the title, and again at the top of the stack's section.
    const [top] = pr.comment.split("\n## ");
    assert.match(top!, /> \[!CAUTION\]\n> \*\*This change deletes or replaces data\*\* in `hobby`/);
    assert.match(pr.comment, /## hobby \(`stacks\/hobby\.yaml`\)\n\n> \[!CAUTION\]\n> \*\*Data at risk in hobby:\*\*\n> - `hobby-hosts-data` \(Server\) would be \*\*deleted\*\*, losing the PostgreSQL database on its disk\. The change creates `hobby-hosts-db` beside it[^\n]*It is protected/);
  });

  it("(e) a stack added and another deleted: the new one priced whole, the deleted one's data at risk", () => {
    const pr = pullRequest("add-and-delete", () => {
      editStack("prod", (d) => (d.name = "prod2"));
      git("mv", "stacks/prod.yaml", "stacks/prod2.yaml");
      cpSync(join(repo, "stacks", "prod2.yaml"), join(repo, "stacks", "prod.yaml"));
      editStack("prod", (d) => (d.name = "prod"));
      git("rm", "-q", "stacks/single.yaml");
    });
    assert.equal(pr.code, 0, pr.stderr);
    const added = pr.diff("prod2");
    assert.equal(added.monthly.before, 0);
    assert.ok(added.resources.counts.create > 0 && added.resources.counts.delete === 0);
    const gone = pr.diff("single");
    assert.equal(gone.monthly.after, 0);
    assert.ok(gone.resources.risks.some((r) => r.op === "delete" && /volume/i.test(r.type)), JSON.stringify(gone.resources.risks));
    assert.match(pr.comment, /## single \(`stacks\/single\.yaml`\)\n\n_deleted by this change_\n/);
  });

  it("a stack the change breaks: exit 1, and the comment carries the located refusal", () => {
    const pr = pullRequest("broken", () => editStack("prod", (d) => (d.hosts[0].size = "s-1vcpu-1gb-nope")));
    assert.equal(pr.code, 1);
    assert.match(pr.comment, /> \*\*Does not plan:\*\* `prod`/);
    assert.match(pr.comment, /```text\n1 problem in the stack file:\nstacks\/prod\.yaml:18:11: hosts\[0\]\.size: "s-1vcpu-1gb-nope" is not a digitalocean server size/);
  });

  it("a base that did not plan (broken before the change) is said plainly; the change is compared with an empty stack", () => {
    git("checkout", "-q", "main");
    editStack("hobby", (d) => (d.hosts[0].size = "cx11"));
    git("commit", "-qam", "break hobby on main");
    const pr = pullRequest("fix-hobby", () => editStack("hobby", (d) => (d.hosts[0].size = "cx23")));
    assert.equal(pr.code, 0, pr.stderr);
    assert.match(pr.comment, /## hobby \(`stacks\/hobby\.yaml`\)\n\n_the base did not plan \([^)]*cx11[^\n]*; compared with an empty stack_\n/);
    const d = pr.diff("hobby");
    assert.equal(d.monthly.before, 0);
    assert.ok(d.resources.counts.create > 0 && d.resources.risks.length === 0);
  });

  it("the same change compared twice writes the same comment, byte for byte", () => {
    const first = pullRequest("again-1", () => editStack("prod", (d) => (d.hosts[2].count = 3))).comment;
    const second = pullRequest("again-2", () => editStack("prod", (d) => (d.hosts[2].count = 3))).comment;
    assert.equal(second.replace(/`[0-9a-f]{12}`/g, "HEAD"), first.replace(/`[0-9a-f]{12}`/g, "HEAD"));
  });

  it("a base that is not a commit, or none at all: exit 1 with the usage, nothing written", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/diff.ts", ...args], { cwd: repo, encoding: "utf8" });
    const bad = run("--base", "no-such-branch", "--out", join(repo, ".nothing"));
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /^cannot compare with no-such-branch: git rev-parse [^\n]*\nusage: npm run diff -- --base <git ref>/);
    const none = run("--out", join(repo, ".nothing"));
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^--base is required/);
    assert.equal(spawnSync("test", ["-e", join(repo, ".nothing")]).status, 1, "nothing written");
  });
});
