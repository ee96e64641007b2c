// The entry point as `pulumi up` loads it: compiled by tsc, required by plain node with the
// config in the environment. It must register the same graph as the offline plan, and refuse
// missing config before registering anything.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, it } from "node:test";
import { ROOT } from "../helpers/plans";
import { countByType, runStack } from "../helpers/program";
import { edited } from "../helpers/stacks";

// `npm run build`'s output, where Pulumi.yaml's main points: node_modules and templates/ resolve
// from there exactly as they do for the language host.
const outDir = join(ROOT, "bin");

before(() => {
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT], { stdio: "inherit" });
});

interface EntryResult {
  error: string | null;
  count: number;
  types: Record<string, number>;
  instanceUrl: string | null;
}

function runEntry(stack: string, config: Record<string, string>, secretKeys: string[]): EntryResult {
  const prefixed = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `mastodon-stack:${k}`, v]));
  const out = execFileSync(process.execPath, [join(ROOT, "test", "program", "entry-harness.cjs"), outDir, stack, JSON.stringify(prefixed), JSON.stringify(secretKeys)], { cwd: ROOT, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as EntryResult;
}

it("the compiled entry point registers the same resources as the offline plan", async () => {
  const secrets = { r2AccessKeyId: "id", r2SecretAccessKey: "secret", sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" };
  const result = runEntry("hobby", { stackFile: "stacks/hobby.yaml", sshKeys: '["key"]', cloudflareAccountId: "0123456789abcdef0123456789abcdef", ...secrets }, Object.keys(secrets).map((k) => `mastodon-stack:${k}`));
  assert.equal(result.error, null);
  assert.equal(result.instanceUrl, "https://hobby.example.social");
  const offline = await runStack("hobby");
  assert.deepEqual(result.types, countByType(offline));
  assert.equal(result.count, offline.resources.length);
});

it("with config missing, it names every value and registers nothing", () => {
  const result = runEntry("hobby", { stackFile: "stacks/hobby.yaml" }, []);
  assert.equal(result.count, 0);
  assert.match(result.error ?? "", /the stack needs 5 Pulumi config values that are not set/);
  assert.match(result.error ?? "", /pulumi config set --secret mastodon-stack:r2AccessKeyId <value>/);
});

it("a bad stack file registers nothing and says where", () => {
  const result = runEntry("hobby", { stackFile: "stacks/does-not-exist.yaml" }, []);
  assert.equal(result.count, 0);
  assert.match(result.error ?? "", /does-not-exist\.yaml/);
});

it("a stack whose autoscaling maximum exhausts the pool registers nothing and names the line, column and value to lower", () => {
  const dir = mkdtempSync(join(tmpdir(), "entry-refusal-"));
  const file = join(dir, "large.yaml");
  writeFileSync(file, edited("kubernetes", (d) => (d.kubernetes.sidekiq[0].replicas.max = 12)));
  const result = runEntry("large", { stackFile: file }, []);
  assert.equal(result.count, 0);
  assert.match(result.error ?? "", /^the stack does not fit its cluster at maximum scale:\n.*large\.yaml:\d+:\d+: kubernetes\.sidekiq\[0\]\.replicas\.max: at maximum replicas Sidekiq runs 565 threads/);
  assert.match(result.error ?? "", /\n {2}fix: lower sidekiq-default's replicas\.max to 4/);
});
