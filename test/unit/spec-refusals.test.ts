// Refusals that used to escape the spec layer (a renderer's stack trace, exit 2), come in two
// passes, or hang before a word: each is now a located SpecError with its exact text.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SpecError } from "../../src/spec/errors";
import { loadStack, parseStack } from "../../src/spec/load";
import { MAX_STACK_BYTES } from "../../src/spec/read";
import { MAX_HOSTS } from "../../src/spec/schema/hosts";
import { FIRST_HOST_OFFSET, MAX_PRIVATE_PREFIX } from "../../src/spec/network-rules";
import { edited, exampleDoc, issuesOf } from "../helpers/stacks";

const brief = (text: string) => issuesOf(text).map((i) => ({ at: `${i.line}:${i.col}`, path: i.path, message: i.message, fix: i.fix }));

test("shape and rule errors come in one pass", () => {
  const text = edited("prod", (d) => {
    d.hosts[0].size = "s-1vcpu-1gbx";
    d.hosts[1].count = "two";
    d.colour = "blue";
  });
  assert.deepEqual(issuesOf(text).map((i) => `${i.path}: ${i.message}`), [
    'hosts[0].size: "s-1vcpu-1gbx" is not a digitalocean server size (did you mean s-1vcpu-1gb?)',
    "hosts[1].count: expected number, received string",
    'colour: unknown key "colour" (did you mean rollout?)',
  ]);
});

test("rule findings about a value set aside for its shape are not guessed at", () => {
  // count "two" becomes the default 1 for the rules; the data-host count rule must not speak for it.
  const issues = issuesOf(edited("hobby", (d) => (d.hosts[0].count = "two")));
  assert.deepEqual(issues.map((i) => i.path), ["hosts[0].count"]);
  // A wrong required value leaves no whole stack to check: only the shape error is reported.
  assert.deepEqual(issuesOf(edited("hobby", (d) => (d.media = 5))).map((i) => i.path), ["media"]);
});

test("a bad element of a list of names is set aside and the rules still run", () => {
  const issues = issuesOf(edited("hobby", (d) => {
    d.hosts[2].roles = ["proxy", "wbe"];
    d.postgres.pool = { mode: "statement" };
  }));
  assert.deepEqual(issues.map((i) => i.path), ["hosts[2].roles[1]", "postgres.pool.mode"]);
});

/** Every queue but push and scheduler: with those two elsewhere, the groups cover every queue. */
const REST = ["default", "ingress", "mailers", "pull", "fasp"];

test("two Sidekiq groups that render the same unit are refused where the groups are", () => {
  const named = edited("prod", (d) => {
    d.hosts[2].count = 1;
    d.hosts[2].sidekiq = { groups: [{ name: "a", queues: [...REST] }, { name: "a", queues: ["push", "scheduler"] }] };
  });
  assert.deepEqual(brief(named), [{ at: "42:17", path: "hosts[2].sidekiq.groups[1].name", message: 'queue groups 0 and 1 of host "worker" would both run as mastodon-sidekiq-a.service', fix: "give group 1 a name of its own (name: ...) that no other group of this host has or starts with" }]);
  const derived = edited("prod", (d) => {
    d.hosts[2].count = 1;
    d.hosts[2].sidekiq = { groups: [{ name: "push", queues: [...REST], processes: 2 }, { name: "push-2", queues: ["push", "scheduler"] }] };
  });
  assert.deepEqual(issuesOf(derived).map((i) => i.message), ['queue groups 0 and 1 of host "worker" would both run as mastodon-sidekiq-push-2.service']);
  const byQueues = edited("prod", (d) => {
    d.hosts[2].count = 1;
    d.hosts[2].sidekiq = { groups: [{ queues: ["default", "push"] }, { name: "default-push", queues: ["scheduler", "ingress", "mailers", "pull", "fasp"] }] };
  });
  assert.deepEqual(issuesOf(byQueues).map((i) => i.path), ["hosts[2].sidekiq.groups[1].name"]);
});

test("a YAML syntax error is reported once, at its position", () => {
  const hobby = edited("hobby", () => {});
  const tab = hobby.replace("  - name: workers", "\t- name: workers");
  const [only, ...rest] = issuesOf(tab, "t.yaml");
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...only }, { file: "t.yaml", line: 21, col: 1, path: "(yaml)", message: "Tabs are not allowed as indentation (11 further YAML errors after it not shown: fix this one first)", fix: "indent with spaces: YAML does not allow tabs in indentation" });
  assert.deepEqual(brief("name: x\ndomain: [a\n"), [{ at: "3:1", path: "(yaml)", message: "Flow sequence in block collection must be sufficiently indented and end with a ]", fix: "fix the YAML syntax at this position" }]);
});

test("nat64 is refused with the alternatives", () => {
  const text = edited("hobby", (d) => (d.network.ipv4Egress = { nat64: { dns64: ["2001:db8::64"] } }));
  assert.deepEqual(brief(text), [{
    at: "13:5",
    path: "network.ipv4Egress.nat64",
    message: "nat64 is not supported: nothing would configure DNS64 or route the NAT64 prefix, so IPv6-only hosts would still have no way to IPv4",
    fix: "use ipv4Egress: { gateway: <a host group with IPv4> } (it forwards IPv4 for the IPv6-only hosts), or drop ipv6Only so the host has its own IPv4",
  }]);
});

test("backups.every is bounded at a week", () => {
  for (const every of ["99999999999999999999d", "8d", "169h", "10081m"]) {
    assert.deepEqual(issuesOf(edited("prod", (d) => (d.backups.every = every))).map((i) => `${i.path}: ${i.message}`), ["backups.every: must be at most 7d (168h, 10080m): run it at least weekly"], every);
  }
  for (const every of ["7d", "168h", "10080m", "90m"]) parseStack(edited("prod", (d) => (d.backups.every = every)), "ok.yaml");
});

test("private addresses must fit privateCidr, and absurd host counts are refused", () => {
  const small = edited("hobby", (d) => {
    d.network.privateCidr = "10.10.0.0/28";
    d.hosts[2].count = 30;
  });
  assert.deepEqual(brief(small), [{ at: "14:16", path: "network.privateCidr", message: "/28 is too small for the stack's 32 hosts: hosts get addresses from x.y.1.10 upward and x.y.0.x is kept for the gateway and load balancer", fix: "use a /22 or larger, such as 10.10.0.0/16" }]);
  // The smallest block the rules admit holds every host the rules admit (numbered from x.y.1.10).
  assert.ok(2 ** (32 - MAX_PRIVATE_PREFIX) - 1 > FIRST_HOST_OFFSET + MAX_HOSTS);
  const many = edited("hobby", (d) => {
    d.hosts.push(...[1, 2, 3].map((n) => ({ name: `w${n}`, size: "cx23", count: 40, roles: ["streaming"] })));
  });
  assert.deepEqual(issuesOf(many).map((i) => `${i.path}: ${i.message}`), [`hosts: the stack has 123 hosts (counts added up); at most ${MAX_HOSTS} are planned on VMs`]);
  const groups = exampleDoc("hobby");
  groups.hosts.push(...Array.from({ length: 10_000 }, (_, n) => ({ name: `w${n}`, size: "cx23", roles: ["streaming"] })));
  const started = performance.now();
  assert.deepEqual(issuesOf(JSON.stringify(groups)).map((i) => `${i.path}: ${i.message}`), ["hosts: must list at most 50 host groups: a fleet that large belongs on managed Kubernetes"]);
  assert.ok(performance.now() - started < 10_000, "10,000 host groups take more than 10 s to refuse");
});

test("only a regular stack file of a sane size is read", () => {
  const dir = mkdtempSync(join(tmpdir(), "stack-read-"));
  const refused = (file: string) => {
    try {
      loadStack(file);
    } catch (e) {
      assert.ok(e instanceof SpecError);
      return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    }
    throw new Error(`${file} was read`);
  };
  try {
    assert.deepEqual(refused("/dev/zero"), ["1:1 (file): is a character device, not a regular file"]);
    assert.deepEqual(refused(dir), ["1:1 (file): is a directory, not a regular file"]);
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    assert.deepEqual(refused(fifo), ["1:1 (file): is a FIFO, not a regular file"]);
    const huge = join(dir, "huge.yaml");
    writeFileSync(huge, `name: x\n#${"x".repeat(MAX_STACK_BYTES)}\n`);
    assert.deepEqual(refused(huge), [`1:1 (file): is ${MAX_STACK_BYTES + 10} bytes; a stack file is at most ${MAX_STACK_BYTES} bytes`]);
    assert.match(refused(join(dir, "missing.yaml"))[0]!, /^1:1 \(file\): cannot read the stack file: ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("SMTP login, sender and S3 endpoint take only what env.production can carry", () => {
  const ENV = "may hold only letters, digits, spaces and . , : / @ % + = < > { } - * ~ ! ? [ ] ( ) # ; ' (not $, \\, quotes or backticks, which systemd and dotenv read differently)";
  for (const from of ['Ex "S" <a@example.social>', "a$b@example.social", "a\\b@example.social", "a`b@example.social"]) {
    assert.deepEqual(issuesOf(edited("prod", (d) => (d.mail.smtp.from = from))).map((i) => `${i.path}: ${i.message}`), [`mail.smtp.from: ${ENV}`], from);
  }
  assert.deepEqual(issuesOf(edited("prod", (d) => (d.mail.smtp.user = " user"))).map((i) => `${i.path}: ${i.message}`), ["mail.smtp.user: must not start or end with a space"]);
  parseStack(edited("prod", (d) => (d.mail.smtp.from = "Example Social <notifications@example.social>")), "ok.yaml");
  const s3 = edited("prod", (d) => (d.media = { s3: { endpoint: "https://s3.example.com/a?x=1&y=2", region: "us-east-1", bucket: "bkt-one", accessKeySecret: "a", secretKeySecret: "b" } }));
  assert.deepEqual(issuesOf(s3).map((i) => `${i.path}: ${i.message}`), ["media.s3.endpoint: may hold only letters, digits and . , : / @ % + = - * ~ ! ? [ ] ( ) # ; ' (not $, \\, &, quotes or backticks, which systemd and dotenv read differently)"]);
});
