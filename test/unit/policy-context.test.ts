// What the policy pack knows of the stack (policy/context.ts): read from the environment the engine
// gives a pack — the stack's name and project, its configuration — and the stack file that config
// names. Only a stack file that loads relaxes anything; secret config values are collected by the
// names the program reads them under.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { projectDirOf, readContext } from "../../policy/context";
import { edited } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "policy-context-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = (stack: string, config: Record<string, string>) => ({ PULUMI_NODEJS_STACK: stack, PULUMI_NODEJS_PROJECT: "mastodon-stack", PULUMI_CONFIG: JSON.stringify(config) });

describe("policy pack: the stack's context", () => {
  it("reads stacks/<stack>.yaml by default, and the secret config values the stack needs", () => {
    const ctx = readContext(env("hobby", { "mastodon-stack:r2AccessKeyId": "r2-access-key-id", "mastodon-stack:smtpPassword": "not-needed-by-hobby", "hcloud:token": "hcloud-api-token", "mastodon-stack:sshKeys": '["laptop"]' }), ROOT);
    assert.deepEqual(ctx.source, { file: "stacks/hobby.yaml" });
    assert.deepEqual([ctx.protectData, ctx.sshFromAnywhere, ctx.sessionPool], [true, false, false]);
    assert.deepEqual([...ctx.secrets], [
      ["hcloud:token", "hcloud-api-token"],
      ["mastodon-stack:r2AccessKeyId", "r2-access-key-id"],
    ]);
  });

  it("relaxes what the stack file named by mastodon-stack:stackFile relaxes", () => {
    const file = path.join(dir, "open.yaml");
    writeFileSync(file, edited("hobby", (d) => {
      d.protectData = false;
      d.network.adminCidrs = ["0.0.0.0/0"];
      d.network.sshFromAnywhere = true;
      d.postgres.pool = { mode: "session" };
    }));
    const ctx = readContext(env("anything", { "mastodon-stack:stackFile": file }), ROOT);
    assert.deepEqual([ctx.source, ctx.protectData, ctx.sshFromAnywhere, ctx.sessionPool], [{ file }, false, true, true]);
  });

  it("relaxes nothing without a stack named or a stack file that loads, and still knows the credentials", () => {
    const config = { "digitalocean:token": "dop_v1_token-value", "mastodon-stack:config:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----", "cloudflare:apiToken": "short" };
    const unnamed = readContext({ PULUMI_CONFIG: JSON.stringify(config) }, ROOT);
    assert.deepEqual([unnamed.source, unnamed.protectData, unnamed.sshFromAnywhere], [{ unread: "no stack named in PULUMI_NODEJS_STACK and PULUMI_NODEJS_PROJECT" }, true, false]);
    assert.deepEqual([...unnamed.secrets.keys()], ["digitalocean:token"], "too short a value is not searched for");
    const missing = readContext(env("nope", config), ROOT);
    assert.match("unread" in missing.source ? missing.source.unread : "", /^stacks\/nope\.yaml did not load \(.*nope\.yaml:1:1: \(file\): cannot read the stack file: ENOENT/);
    // An older engine's "project:config:key" form names the same key.
    assert.deepEqual([missing.protectData, [...missing.secrets.keys()]], [true, ["digitalocean:token", "mastodon-stack:sshPrivateKey"]]);
    // A config it cannot read may name another stack file: nothing is relaxed.
    for (const text of ["not json", "[]", "null"]) {
      const garbled = readContext({ ...env("hobby", {}), PULUMI_CONFIG: text }, ROOT);
      assert.deepEqual([garbled.source, garbled.protectData, garbled.sshFromAnywhere, garbled.sessionPool], [{ unread: "PULUMI_CONFIG is not a JSON object" }, true, false, false], text);
    }
  });

  it("finds the project from the pack's source and from its build output", () => {
    assert.equal(projectDirOf(path.join(ROOT, "policy")), ROOT);
    assert.equal(projectDirOf(path.join(ROOT, "bin", "policy")), ROOT);
    mkdirSync(path.join(dir, "a", "b"), { recursive: true });
    writeFileSync(path.join(dir, "a", "Pulumi.yaml"), "name: other\n");
    assert.equal(projectDirOf(path.join(dir, "a", "b")), path.join(dir, "a"));
  });
});
