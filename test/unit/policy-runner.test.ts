// The policy pack as `pulumi preview --policy-pack policy` runs it, without the Pulumi CLI: built
// the way `npm run build` builds it, started by @pulumi/pulumi's own policy-pack runner (what the
// engine's nodejs analyzer plugin executes) in the pack's directory with the environment the
// engine gives it, and asked over gRPC what the engine asks — with resources serialised as the
// engine serialises them: secrets wrapped, values not known during a preview as placeholders.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzeRequest, AnalyzerResourceOptions, EnforcementLevel, type AnalyzeResponse, type AnalyzerInfo, type RemediateResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import ts from "typescript";
import { edited } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policy");
const R2_SECRET = "r2-secret-of-the-runner-test";

type Props = { [key: string]: JavaScriptValue };

/** Compiles the pack and what it imports into bin/, with the repository's compiler options (as `npm run build`); `tsc --noEmit` checks the types. */
function buildPack(): void {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  });
  assert.ok(config);
  const emitted = ts.createProgram([path.join(PACK, "pack.ts")], { ...config.options, noCheck: true }).emit();
  assert.equal(emitted.emitSkipped, false, emitted.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("\n"));
}

const RUNNER = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
/** Only what a shell would pass on: no test runner's or engine's variables of this process. */
const INHERITED = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_OPTIONS|NODE_TEST_CONTEXT|PULUMI_)/.test(k)));

/** Starts the runner as the analyzer plugin does: `<engine address> .` from the pack's directory; resolves with the port it prints. */
function startPack(env: Record<string, string>): Promise<{ child: ChildProcess; port: string }> {
  const child = spawn(process.execPath, [RUNNER, "127.0.0.1:1", "."], { cwd: PACK, env: { ...INHERITED, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0]!;
      if (out.includes("\n") && /^\d+$/.test(line.trim())) resolve({ child, port: line.trim() });
    });
    child.on("exit", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${out}\n${err}`)));
  });
}

const secret = (value: JavaScriptValue): JavaScriptValue => ({ [specialSigKey]: specialSecretSig, value });

function request(type: string, name: string, props: Props, protect = false): AnalyzeRequest {
  const req = new AnalyzeRequest();
  req.setType(type);
  req.setName(name);
  req.setUrn(`urn:pulumi:hobby::mastodon-stack::${type}::${name}`);
  req.setProperties(Struct.fromJavaScript(props));
  const opts = new AnalyzerResourceOptions();
  opts.setProtect(protect);
  req.setOptions(opts);
  return req;
}

/** A unary call as a promise (the generated client's methods are overloaded, so each is wrapped by hand). */
function unary<Res>(start: (done: (e: grpc.ServiceError | null, res: Res) => void) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => start((e, res) => (e ? reject(e) : resolve(res))));
}
const analyze = (c: AnalyzerClient, req: AnalyzeRequest) => unary<AnalyzeResponse>((done) => c.analyze(req, done));
const remediate = (c: AnalyzerClient, req: AnalyzeRequest) => unary<RemediateResponse>((done) => c.remediate(req, done));
const analyzerInfo = (c: AnalyzerClient) => unary<AnalyzerInfo>((done) => c.getAnalyzerInfo(new Empty(), done));

const diagnostics = (res: AnalyzeResponse) => res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
const notApplicable = (res: AnalyzeResponse, policy: string) => res.getNotApplicableList().filter((n) => n.getPolicyName() === policy).map((n) => n.getReason());

const DROPLET = "digitalocean:index/droplet:Droplet";
const COMMAND = "command:remote:Command";

let dir: string;
let stackFile: string;
const packs: ChildProcess[] = [];
const clients: AnalyzerClient[] = [];
/** Run for hobby, whose stack file (a copy) sets protectData: false; and run with no stack named, so nothing is relaxed. */
let client: AnalyzerClient;
let strict: AnalyzerClient;

async function connect(env: Record<string, string>): Promise<AnalyzerClient> {
  const started = await startPack(env);
  packs.push(started.child);
  const c = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  clients.push(c);
  return c;
}

before(async () => {
  buildPack();
  dir = mkdtempSync(path.join(os.tmpdir(), "policy-runner-"));
  stackFile = path.join(dir, "hobby.yaml");
  writeFileSync(stackFile, edited("hobby", (d) => (d.protectData = false)));
  const config = { "mastodon-stack:stackFile": stackFile, "mastodon-stack:r2SecretAccessKey": R2_SECRET, "mastodon-stack:sshKeys": '["laptop"]' };
  [client, strict] = await Promise.all([connect({ PULUMI_NODEJS_STACK: "hobby", PULUMI_NODEJS_PROJECT: "mastodon-stack", PULUMI_CONFIG: JSON.stringify(config) }), connect({})]);
});

after(() => {
  for (const c of clients) c.close();
  for (const p of packs) p.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("policy pack under @pulumi/pulumi's runner", () => {
  it("without a build, stops at once naming the compiled entry it lacks", () => {
    // A copy of the pack's directory with no bin/ beside it: what a checkout looks like before `npm run build`.
    const copy = path.join(dir, "checkout", "policy");
    cpSync(PACK, copy, { recursive: true });
    const run = spawnSync(process.execPath, [RUNNER, "127.0.0.1:1", "."], { cwd: copy, env: INHERITED, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.status, 32, run.stderr);
    const missing = `Cannot find module '${path.join(dir, "checkout", "bin", "policy", "pack.js")}'`;
    assert.ok(run.stderr.includes(missing), run.stderr);
  });

  it("serves the five policies, each mandatory but the secrets policy, which remediates", async () => {
    const info = await analyzerInfo(client);
    assert.deepEqual([info.getName(), info.getVersion()], ["mastodon-stack", "0.1.0"]);
    const levels = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    assert.deepEqual(levels, {
      "internet-reaches-only-the-web": EnforcementLevel.MANDATORY,
      "pools-in-transaction-mode": EnforcementLevel.MANDATORY,
      "data-is-protected": EnforcementLevel.MANDATORY,
      "hosts-on-private-network": EnforcementLevel.MANDATORY,
      "secrets-only-in-secret-inputs": EnforcementLevel.REMEDIATE,
    });
  });

  it("counts a VPC id not known yet during a preview as given, and reports a droplet with none", async () => {
    const during = await analyze(client, request(DROPLET, "web", { name: "hobby-web", vpcUuid: unknownValue, tags: ["mastodon-hobby"] }));
    assert.deepEqual(diagnostics(during), []);
    const outside = await analyze(client, request(DROPLET, "web", { name: "hobby-web", tags: ["mastodon-hobby"] }));
    assert.deepEqual(diagnostics(outside), [
      {
        policy: "hosts-on-private-network",
        level: EnforcementLevel.MANDATORY,
        message: "Every droplet, DigitalOcean database cluster, Kubernetes cluster and load balancer is in a VPC; every Hetzner server has a private network in its networks.\nthe droplet has no vpcUuid: it would join the region's default VPC, shared with every other droplet of the account, instead of the stack's",
      },
    ]);
  });

  it("leaves firewall rules not known during a preview to `pulumi up`, with the SDK's advisory", async () => {
    const res = await analyze(client, request("digitalocean:index/firewall:Firewall", "base", { name: "hobby-base", inboundRules: unknownValue }));
    assert.deepEqual(diagnostics(res).map((d) => [d.policy, d.level]), [["internet-reaches-only-the-web", EnforcementLevel.ADVISORY]]);
    assert.match(diagnostics(res)[0]!.message, /^can't run policy 'internet-reaches-only-the-web' from policy pack 'mastodon-stack@v0\.1\.0' during preview: .* value at \.inboundRules can't be known during preview$/);
  });

  it("reads protectData: false from the stack file the engine's config names, and protect from the resource's options", async () => {
    const volume = (c: AnalyzerClient, protect: boolean) => analyze(c, request("hcloud:index/volume:Volume", "data", { name: "hobby-data", size: 10 }, protect));
    const relaxed = await volume(client, false);
    assert.deepEqual(diagnostics(relaxed), []);
    assert.deepEqual(notApplicable(relaxed, "data-is-protected"), [`protectData: false in ${stackFile}`]);
    assert.deepEqual(diagnostics(await volume(strict, true)), []);
    assert.deepEqual(diagnostics(await volume(strict, false)).map((d) => [d.policy, d.level, d.message.split("\n")[1]]), [
      [
        "data-is-protected",
        EnforcementLevel.MANDATORY,
        "the volume holds the instance's data but is not protected: pulumi destroy or a replacing change would delete it. Only protectData: false in the stack file allows that, and none was read: no stack named in PULUMI_NODEJS_STACK and PULUMI_NODEJS_PROJECT",
      ],
    ]);
  });

  it("sees a secret in user data although it arrived marked secret (the provider gets it plain), naming the config, not the value", async () => {
    const res = await analyze(client, request(DROPLET, "web", { name: "hobby-web", vpcUuid: unknownValue, userData: secret(`#cloud-config\nS3_SECRET=${R2_SECRET}\n`) }));
    assert.deepEqual(diagnostics(res).map((d) => [d.policy, d.level, d.message.split("\n")[1]]), [
      [
        "secrets-only-in-secret-inputs",
        EnforcementLevel.MANDATORY,
        "userData holds the value of the secret config mastodon-stack:r2SecretAccessKey: secrets travel only in inputs made for them (a command's stdin or connection, a TLS resource's private key, a Kubernetes Secret's data), which Pulumi encrypts — never in a command line, user data, a tag or a name",
      ],
    ]);
    assert.ok(!diagnostics(res)[0]!.message.includes(R2_SECRET));
  });

  it("hands back a command's stdin marked secret when it carries a secret but arrived plain, and leaves a secret one alone", async () => {
    const bundle = Buffer.from(`S3_SECRET_ACCESS_KEY=${R2_SECRET}\n`).toString("base64");
    const command = (stdin: JavaScriptValue) => request(COMMAND, "converge", { connection: secret({ host: "10.10.1.12", user: "root" }), create: "/usr/local/sbin/mastodon-converge", stdin });
    const plain = await remediate(client, command(`mastodon-bundle 1\n${bundle}\n`));
    const remediated = plain.getRemediationsList().map((r) => [r.getPolicyname(), r.getProperties()?.toJavaScript()]);
    assert.deepEqual(remediated, [
      [
        "secrets-only-in-secret-inputs",
        { connection: secret({ host: "10.10.1.12", user: "root" }), create: "/usr/local/sbin/mastodon-converge", stdin: secret(`mastodon-bundle 1\n${bundle}\n`) },
      ],
    ]);
    const marked = await remediate(client, command(secret(`mastodon-bundle 1\n${bundle}\n`)));
    assert.deepEqual(marked.getRemediationsList(), []);
  });
});
