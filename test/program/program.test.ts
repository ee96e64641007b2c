// The whole program under mocks, for every example stack: what must hold whatever the provider.
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DATA_PORTS } from "../../src/components/firewall-rules";
import { MissingConfigError } from "../../src/components/user-secrets";
import { buildPlan } from "../../src/plan";
import { PROJECT, readProgramConfig } from "../../src/program";
import { startMockedRun } from "../../src/program/mocks";
import { SpecError } from "../../src/spec/errors";
import { loadStack, parseStack } from "../../src/spec/load";
import { covers, inboundRules, WORLD } from "../helpers/firewall";
import { runProgram, runStack, STACKS, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const STACK_NAMES = ["prod", "single", "hobby"] as const;
const runs: Record<string, ProgramRun> = {};

before(async () => {
  for (const s of STACK_NAMES) runs[s] = await runStack(s);
});

/** Strings the mocks hand out as secret values: none may appear in any recorded input. */
const SECRET_SAMPLES = ["offline-smtp", "offline-backup", "offline-r2", "offline-ssh-private-key", "mock-user-password", "mock-cluster-password", "mock-secret-key", "BEGIN PRIVATE KEY", "mock-secrets-"];

const envOf = (r: ProgramRun, host: string) => r.hostFiles[host]!.find((f) => f.path === "/etc/mastodon/env.production")!.content;
const envValue = (env: string, key: string) => env.split("\n").find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);

for (const name of STACK_NAMES) {
  describe(`program: ${name}`, () => {
    it("registers one server per planned host, each with the plan's size", () => {
      const r = runs[name]!;
      const servers = r.resources.filter((x) => x.type === "digitalocean:index/droplet:Droplet" || x.type === "hcloud:index/server:Server");
      assert.equal(servers.length, r.plan.hosts.length);
      const sizes = servers.map((s) => String((s.inputs as Record<string, unknown>).size ?? (s.inputs as Record<string, unknown>).serverType)).sort();
      assert.deepEqual(sizes, r.plan.hosts.map((h) => h.size).sort());
    });

    it("parents every resource on one of our components, under the one root instance", () => {
      const r = runs[name]!;
      const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
      const roots = r.resources.filter((x) => x.type === "mastodon:instance:Instance");
      assert.equal(roots.length, 1);
      for (const x of r.resources) {
        if (x === roots[0]) continue;
        const parent = byUrn.get(x.parent);
        assert.ok(parent, `${x.type} ${x.name} has no recorded parent`);
        assert.match(parent.type, /^mastodon:[a-z]+:[A-Za-z0-9]+$/, `${x.type} ${x.name} is parented on ${parent.type}`);
        if (!x.custom) assert.match(x.type, /^mastodon:[a-z]+:[A-Za-z0-9]+$/);
        assert.ok(x.name.startsWith(r.spec.name), `${x.name} is not named from the stack`);
      }
    });

    it("opens SSH only to the admin CIDRs and no data port to the world", () => {
      const r = runs[name]!;
      const rules = inboundRules(r);
      assert.ok(rules.length > 0, "no firewall rules at all");
      for (const rule of rules) {
        for (const port of DATA_PORTS) {
          if (covers(rule, port)) assert.ok(!rule.sources.some((s) => WORLD.includes(s)), `${rule.firewall} opens ${port} to the world`);
        }
        if (covers(rule, 22)) assert.deepEqual([...rule.sources].sort(), [...r.spec.network.adminCidrs].sort(), `${rule.firewall}: SSH from ${rule.sources.join(", ")}`);
      }
      assert.ok(rules.some((x) => covers(x, 22)), "no SSH rule: pulumi up could not reach the hosts");
    });

    it("never sends a secret value in clear text to a provider", () => {
      const r = runs[name]!;
      const text = JSON.stringify(r.resources);
      for (const s of SECRET_SAMPLES) assert.ok(!text.includes(s), `a recorded input holds ${s}`);
      assert.ok(text.includes("<redacted>"), "no secret input at all was recorded");
    });

    it("fills every marker in every host file, and hands files with secrets over as secrets", () => {
      const r = runs[name]!;
      for (const h of r.plan.hosts) {
        const files = r.hostFiles[h.name]!;
        assert.equal(files.length, h.files.length);
        for (const f of files) assert.ok(!/\{\{(secret|output):/.test(f.content), `${h.name}:${f.path} still has a marker`);
        assert.equal(r.hostFilesSecret[h.name], h.files.some((f) => f.secrets.length > 0), `${h.name} files secret`);
      }
    });
  });
}

describe("program: data protection", () => {
  const protectedOf = (r: ProgramRun) => r.resources.filter((x) => x.protect).map((x) => `${x.type.split(":").pop()} ${x.name}`).sort();

  it("protects exactly what holds data: the database (or the host keeping it on its disk), volumes, media buckets", () => {
    assert.deepEqual(protectedOf(runs.prod!), ["DatabaseCluster prod-postgres", "SpacesBucket prod-media"]);
    assert.deepEqual(protectedOf(runs.single!), ["R2Bucket single-media", "Volume single-hosts-box-data"]);
    assert.deepEqual(protectedOf(runs.hobby!), ["R2Bucket hobby-media", "Server hobby-hosts-data"]);
  });

  it("protectData: false protects nothing", async () => {
    const r = await runProgram(parseStack(edited("hobby", (d) => (d.protectData = false)), "hobby.yaml"));
    assert.deepEqual(protectedOf(r), []);
  });
});

describe("program: generated secrets", () => {
  it("are the same on a second run with the same state: same resources, same inputs, same values", async () => {
    const again = await runStack("hobby");
    const first = runs.hobby!;
    const pick = (r: ProgramRun) => r.resources.filter((x) => /^(random|tls):/.test(x.type)).map((x) => [x.urn, x.inputs]);
    assert.ok(pick(first).length >= 8);
    assert.deepEqual(pick(again), pick(first));
    for (const key of ["SECRET_KEY_BASE", "VAPID_PRIVATE_KEY", "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY", "DB_PASS"]) {
      assert.ok(envValue(envOf(first, "workers"), key), `${key} missing from .env.production`);
      assert.equal(envValue(envOf(again, "workers"), key), envValue(envOf(first, "workers"), key));
    }
  });

  it("gives VAPID keys in webpush's format: a 32-byte private scalar and a 65-byte uncompressed public point", () => {
    const env = envOf(runs.hobby!, "workers");
    assert.equal(Buffer.from(envValue(env, "VAPID_PRIVATE_KEY")!, "base64url").length, 32);
    const pub = Buffer.from(envValue(env, "VAPID_PUBLIC_KEY")!, "base64url");
    assert.equal(pub.length, 65);
    assert.equal(pub[0], 4);
  });
});

describe("program: refusals register nothing", () => {
  it("a stack file with an unknown key and a wrong type", async () => {
    const run = await startMockedRun(PROJECT, "bad");
    const text = edited("hobby", (d) => {
      d.hosts[0].szie = "cx23";
      d.hosts[1].count = "two";
    });
    assert.throws(() => buildPlan(parseStack(text, "bad.yaml")), SpecError);
    assert.equal((await run.finish()).length, 0);
  });

  it("missing Pulumi config: every missing value named with its `pulumi config set` line", async () => {
    const spec = loadStack(path.join(STACKS, "single.yaml"));
    const run = await startMockedRun(PROJECT, "single");
    assert.throws(
      () => readProgramConfig(spec, new pulumi.Config(PROJECT)),
      (e: unknown) => {
        assert.ok(e instanceof MissingConfigError);
        for (const key of ["sshKeys", "sshPrivateKey", "cloudflareAccountId", "r2AccessKeyId", "r2SecretAccessKey", "backupAccessKey", "backupSecretKey"]) {
          assert.match(e.message, new RegExp(`pulumi config set.* mastodon-stack:${key} <value>`));
        }
        assert.match(e.message, /pulumi config set --secret mastodon-stack:r2SecretAccessKey/);
        assert.match(e.message, /pulumi config set mastodon-stack:sshKeys/);
        return true;
      },
    );
    assert.equal((await run.finish()).length, 0);
  });

  it("on Kubernetes: no SSH key is asked for (there are no hosts), only the stack's own secrets", async () => {
    const spec = loadStack(path.join(STACKS, "kubernetes.yaml"));
    const run = await startMockedRun(PROJECT, "kubernetes");
    assert.throws(
      () => readProgramConfig(spec, new pulumi.Config(PROJECT)),
      (e: unknown) => {
        assert.ok(e instanceof MissingConfigError);
        assert.match(e.message, /^the stack needs 1 Pulumi config value that is not set:\n  smtpPassword: SMTP password\n/);
        assert.doesNotMatch(e.message, /ssh/i);
        return true;
      },
    );
    assert.equal((await run.finish()).length, 0);
  });
});
