// The preview's pure parts: what `pulumi up` would do to each cloud resource (replace only on an
// input the provider cannot change in place; ignored inputs never count), which losses are data,
// and the comment's structure and size (GitHub's limit: file patches go first, never the cost or
// the data warnings).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GITHUB_COMMENT_LIMIT, renderComment, type StackOutcome } from "../../src/cli/compare/comment";
import { diffResources } from "../../src/cli/compare/resource-diff";
import { diffStack } from "../../src/cli/compare/stack-diff";
import { redactedPlan } from "../../src/cli/output";
import { examplePlan } from "../helpers/plans";

const DROPLET = "digitalocean:index/droplet:Droplet";
const res = (name: string, type: string, inputs: Record<string, unknown>, extra: { protect?: boolean; ignoreChanges?: string[] } = {}) => ({
  urn: `urn:pulumi:prod::mastodon-stack::${type}::${name}`,
  type,
  name,
  parent: "",
  dependencies: [],
  secretInputs: [],
  custom: true,
  protect: extra.protect ?? false,
  inputs,
  ...(extra.ignoreChanges ? { ignoreChanges: extra.ignoreChanges } : {}),
});

describe("resource diff", () => {
  it("a resize updates in place; a new image replaces; an ignored input (user-data) changes nothing", () => {
    const before = [res("prod-hosts-web-1", DROPLET, { size: "s-2vcpu-4gb", image: "debian-13-x64", userData: "a" }, { ignoreChanges: ["sshKeys", "userData"] })];
    const resize = diffResources(before, [res("prod-hosts-web-1", DROPLET, { size: "s-4vcpu-8gb", image: "debian-13-x64", userData: "b" }, { ignoreChanges: ["sshKeys", "userData"] })], new Set());
    assert.deepEqual(resize.changes.map((c) => [c.op, c.inputs]), [["update", ["size"]]]);
    const rebuild = diffResources(before, [res("prod-hosts-web-1", DROPLET, { size: "s-4vcpu-8gb", image: "debian-14-x64", userData: "a" }, { ignoreChanges: ["sshKeys", "userData"] })], new Set());
    assert.deepEqual(rebuild.changes.map((c) => [c.op, c.inputs]), [["replace", ["image", "size"]]]);
    assert.deepEqual(rebuild.risks, [], "a web host keeps no data");
  });

  it("replacing a host that keeps Postgres on its disk, a Postgres cluster or the secret key base is data at risk; a Valkey cluster is not", () => {
    const before = [
      res("hobby-hosts-data", "hcloud:index/server:Server", { image: "debian-13" }, { protect: true }),
      res("prod-postgres", "digitalocean:index/databaseCluster:DatabaseCluster", { engine: "pg", name: "a" }, { protect: true }),
      res("prod-valkey", "digitalocean:index/databaseCluster:DatabaseCluster", { engine: "valkey", name: "a" }),
      res("prod-secrets-secret-key-base", "random:index/randomBytes:RandomBytes", { length: 64 }),
    ];
    const after = [
      res("hobby-hosts-data", "hcloud:index/server:Server", { image: "debian-14" }, { protect: true }),
      res("prod-postgres", "digitalocean:index/databaseCluster:DatabaseCluster", { engine: "pg", name: "b" }, { protect: true }),
      res("prod-valkey", "digitalocean:index/databaseCluster:DatabaseCluster", { engine: "valkey", name: "b" }),
      res("prod-secrets-secret-key-base", "random:index/randomBytes:RandomBytes", { length: 128 }),
    ];
    const d = diffResources(before, after, new Set(["data"]));
    assert.deepEqual(d.counts, { create: 0, update: 0, replace: 4, delete: 0 });
    assert.deepEqual(
      d.risks.map((r) => [r.name, r.protected, r.loses]),
      [
        ["prod-postgres", true, "every row of the database"],
        ["hobby-hosts-data", true, "the PostgreSQL database on its disk"],
        ["prod-secrets-secret-key-base", false, "SECRET_KEY_BASE: every session and signed link becomes invalid"],
      ],
    );
  });
});

function bigOutcome(): StackOutcome {
  const before = { ...redactedPlan(examplePlan("prod")), resourceGraph: { resources: [res("prod-media", "digitalocean:index/spacesBucket:SpacesBucket", { name: "m", region: "nyc3" }, { protect: true })] } };
  const after = structuredClone(before);
  after.resourceGraph.resources = [res("prod-media", "digitalocean:index/spacesBucket:SpacesBucket", { name: "m", region: "ams3" }, { protect: true })];
  // Every app host's env file rewritten line by line: patches far beyond the comment limit.
  for (const h of after.hosts) for (const f of h.files) if (f.path.endsWith(".conf") || f.path.endsWith("env.production")) f.content = f.content.split("\n").map((l, i) => `${l} # ${i} ${"x".repeat(200)}`).join("\n");
  return { stack: "prod", file: "stacks/prod.yaml", notes: [], diff: diffStack(before, after, 1) };
}

describe("pull-request comment", () => {
  it("a heading per stack, the cost table, resources, rollout and collapsed patches; data at risk above everything", () => {
    const o = bigOutcome();
    const { markdown, detail } = renderComment([o], { base: "main @ abc", head: "def", reason: "1 stack file changed" }, 10_000_000);
    assert.equal(detail, "full");
    assert.match(markdown, /^<!-- mastodon-stack:preview -->\n# Mastodon stack preview\n\nCompared `main @ abc` \(base\) with `def` \(this change\): 1 stack file changed\.\n\n> \[!CAUTION\]\n> \*\*This change deletes or replaces data\*\* in `prod`/);
    assert.match(markdown, /\n## prod \(`stacks\/prod\.yaml`\)\n\n> \[!CAUTION\]\n> \*\*Data at risk in prod:\*\*\n> - `prod-media` \(SpacesBucket\) would be \*\*replaced\*\* \(deleted, then created empty\), losing every uploaded media file\./);
    assert.match(markdown, /\*\*Monthly cost:\*\* ±\$0\.00/);
    assert.match(markdown, /<details><summary>\d+ files?; restarts [^<]+<\/summary>\n\n {2}- changed `[^`]+` \(\+\d+ −\d+\)\n\n {4}```diff\n {4}--- a\//);
    assert.ok(markdown.length > GITHUB_COMMENT_LIMIT);
  });

  it("over GitHub's limit: patches shed first, the cost and the data warning always kept", () => {
    const { markdown, detail } = renderComment([bigOutcome()], { base: "main", head: "def", reason: "x" });
    assert.ok(markdown.length <= GITHUB_COMMENT_LIMIT, String(markdown.length));
    assert.notEqual(detail, "full");
    assert.match(markdown, /_Shortened to fit GitHub's comment limit/);
    assert.match(markdown, /> \*\*Data at risk in prod:\*\*/);
    assert.match(markdown, /\*\*Monthly cost:\*\*/);
    // Each stage keeps what the one after it drops: the smallest that fits is the most detail.
    const ten = renderComment([bigOutcome(), { ...bigOutcome(), stack: "prod-b" }], { base: "main", head: "def", reason: "x" }, 12_000);
    assert.ok(ten.markdown.length <= 12_000 || ten.detail === "head", `${ten.detail} ${ten.markdown.length}`);
    assert.match(ten.markdown, /## prod-b[\s\S]*\*\*Data at risk in prod:\*\*/);
  });

  it("no affected stack says so", () => {
    assert.match(renderComment([], { base: "main", head: "def", reason: "nothing that renders a stack changed" }).markdown, /No stack is affected/);
  });
});
