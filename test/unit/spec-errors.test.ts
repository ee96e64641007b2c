import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStack } from "../../src/spec/load";
import { edited, issuesOf } from "../helpers/stacks";

const HOBBY = `name: hobby
domain: hobby.example.social
mastodon: { version: v4.5.2 }
provider: { cloud: hetzner, region: fsn1 }
network:
  adminCidrs: [203.0.113.7/32]
hosts:
  - { name: data, size: cx23, roles: [postgres, redis] }
  - { name: app, size: cx23, roles: [proxy, web, streaming, sidekiq] }
postgres: { selfHosted: { host: data } }
redis: { selfHosted: { host: data } }
media: { r2: {} }
`;

test("a valid stack parses and gets its defaults", () => {
  const spec = parseStack(HOBBY, "hobby.yaml");
  assert.equal(spec.postgres.pool.mode, "transaction");
  assert.equal(spec.network.privateCidr, "10.10.0.0/16");
  assert.equal(spec.hosts[0]?.count, 1);
  assert.deepEqual(spec.search, { off: true });
});

test("unknown key: file:line:col, path and did-you-mean", () => {
  const text = HOBBY.replace("  - { name: app, size: cx23,", "  - { name: app, sise: cx23, size: cx23,");
  const [issue, ...rest] = issuesOf(text, "s.yaml");
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...issue }, {
    file: "s.yaml",
    line: 9,
    col: 18,
    path: "hosts[1].sise",
    message: 'unknown key "sise" (did you mean size?)',
    fix: "remove it or use one of: name, size, count, roles, sidekiq, ipv6Only, volume",
  });
});

test("wrong type and unknown key are both reported, in file order", () => {
  const text = HOBBY.replace("{ name: data, size: cx23,", "{ name: data, size: cx23, count: two,").replace("domain:", "domian: x\ndomain:");
  const issues = issuesOf(text);
  assert.deepEqual(issues.map((i) => `${i.line}:${i.path}`), ["2:domian", "9:hosts[0].count"]);
  assert.equal(issues[1]?.message, "expected number, received string");
  assert.equal(issues[1]?.fix, "write a number");
});

test("missing required section names the parent and what to add", () => {
  const issues = issuesOf(HOBBY.replace("media: { r2: {} }\n", ""));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "media");
  assert.match(issues[0]!.message, /^is required/);
  assert.equal(issues[0]?.fix, "add media");
});

test("enum values are listed in the fix", () => {
  const [i] = issuesOf(HOBBY.replace("roles: [postgres, redis]", "roles: [postgres, reddis]"));
  assert.equal(i?.path, "hosts[0].roles[1]");
  assert.equal(i?.message, '"reddis" is not allowed');
  assert.equal(i?.fix, 'use one of: "proxy", "web", "streaming", "sidekiq", "postgres", "pgbouncer", "redis", "search", "media"');
});

test("YAML syntax errors and duplicate keys point at their line", () => {
  const [dup] = issuesOf(HOBBY.replace("domain: hobby", "name: again\ndomain: hobby"));
  assert.equal(dup?.line, 2);
  assert.equal(dup?.fix, "remove one of the duplicate keys");
  const [syntax] = issuesOf("name: [unclosed\n");
  assert.equal(syntax?.path, "(yaml)");
});

test("size slugs must exist for the provider, with a suggestion", () => {
  const [i] = issuesOf(HOBBY.replace("{ name: data, size: cx23", "{ name: data, size: cx24"));
  assert.equal(i?.path, "hosts[0].size");
  assert.equal(i?.line, 8);
  assert.match(i!.message, /^"cx24" is not a hetzner server size \(did you mean cx2\d\?\)$/);
  assert.match(i!.fix, /^use one of: .*cx23/);
});

test("managed services only where the provider sells them", () => {
  const issues = issuesOf(HOBBY.replace("postgres: { selfHosted: { host: data } }", "postgres: { managed: { size: db-s-1vcpu-1gb } }"));
  const managed = issues.find((i) => i.path === "postgres.managed");
  assert.equal(managed?.message, "hetzner has no managed Postgres");
  // The data host still has the postgres role, which is now unowned.
  assert.ok(issues.some((i) => i.path === "hosts[0].roles" && i.message.includes("postgres is not selfHosted")));
});

test("every service needs a host with its role", () => {
  const issues = issuesOf(HOBBY.replace("roles: [proxy, web, streaming, sidekiq]", "roles: [proxy, web, streaming]"));
  assert.deepEqual(issues.map((i) => i.message), ["no host has the sidekiq role; every instance needs sidekiq"]);
  const wrongHost = issuesOf(HOBBY.replace("redis: { selfHosted: { host: data } }", "redis: { selfHosted: { host: dta } }"));
  assert.ok(wrongHost.some((i) => i.path === "redis.selfHosted.host" && i.message === 'no host is named "dta" (did you mean data?)'));
});

test("the scheduler queue runs in exactly one process", () => {
  const twice = edited("prod", (d) => {
    d.hosts[2].sidekiq = { groups: [{ queues: ["default", "push", "ingress", "mailers", "pull", "fasp", "scheduler"] }] };
  });
  const issues = issuesOf(twice);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "hosts[2].sidekiq.groups[0].queues");
  assert.equal(issues[0]?.message, "the scheduler queue would run in 2 processes across the stack; it must run in exactly one");
  const never = edited("prod", (d) => {
    d.hosts[2].sidekiq = { groups: [{ queues: ["default", "push"] }] };
  });
  assert.equal(issuesOf(never)[0]?.message, "no Sidekiq process runs the scheduler queue, so periodic jobs would never run");
});

// HOBBY with its app host's Sidekiq moved to a host of explicit groups that leave queues out.
const EXPLICIT_ONLY = HOBBY.replace("name: hobby\ndomain: hobby", "name: q\ndomain: q").replace(
  "roles: [proxy, web, streaming, sidekiq] }\n",
  `roles: [proxy, web, streaming] }
  - name: jobs
    size: cx23
    roles: [sidekiq]
    sidekiq:
      groups:
        - { queues: [default, ingress] }
        - { queues: [scheduler] }
`,
);

test("explicit queue groups that leave queues without a process are refused at the groups, naming the queues", () => {
  const [issue, ...rest] = issuesOf(EXPLICIT_ONLY, "q.yaml");
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...issue }, {
    file: "q.yaml",
    line: 15,
    col: 9,
    path: "hosts[2].sidekiq.groups",
    message: "no Sidekiq process runs the push, mailers, pull and fasp queues (Mastodon v4.5.2), so their jobs would never run",
    fix: "add them to a queue group, e.g. { queues: [push, mailers, pull, fasp] }, or remove a Sidekiq host's sidekiq section so the planner derives groups for every queue",
  });
  // fasp is only a queue from 4.4: a 4.3 stack is not told to run it.
  const old = issuesOf(EXPLICIT_ONLY.replace("v4.5.2", "v4.3.0"), "q.yaml");
  assert.deepEqual(old.map((i) => i.message), ["no Sidekiq process runs the push, mailers and pull queues (Mastodon v4.3.0), so their jobs would never run"]);
  // Every queue listed somewhere across hosts: accepted.
  const covered = EXPLICIT_ONLY.replace("{ queues: [scheduler] }", "{ queues: [scheduler, push, mailers, pull, fasp] }");
  assert.equal(parseStack(covered, "q.yaml").hosts[2]?.sidekiq?.groups.length, 2);
  // A host that derives its groups runs every queue, so the explicit host may run only some.
  const derived = EXPLICIT_ONLY.replace("roles: [proxy, web, streaming] }", "roles: [proxy, web, streaming, sidekiq] }").replace("        - { queues: [scheduler] }\n", "");
  assert.equal(parseStack(derived, "q.yaml").hosts.length, 3);
});

test("sidekiq threads above 25 are refused with the reason", () => {
  const text = edited("prod", (d) => {
    d.hosts[2].sidekiq = { groups: [{ queues: ["default"], threads: 40 }] };
  });
  const [i] = issuesOf(text);
  assert.equal(i?.path, "hosts[2].sidekiq.groups[0].threads");
  assert.equal(i?.message, "must be at most 25: split the group into more processes instead");
});

test("local media only with a single web host", () => {
  const text = edited("prod", (d) => {
    d.media = { local: {} };
  });
  const i = issuesOf(text).find((x) => x.path === "media.local");
  assert.equal(i?.message, "local media needs exactly one web host, but 2 web hosts would each keep their own uploads");
});

test("an IPv6-only web or sidekiq host needs a way out to IPv4", () => {
  const text = edited("hobby", (d) => {
    delete d.network.ipv4Egress;
  });
  const issues = issuesOf(text);
  assert.deepEqual(issues.map((i) => i.path), ["hosts[1].ipv6Only"]);
  assert.equal(issues[0]?.fix, "set network.ipv4Egress: { gateway: <a host group with IPv4> } or drop ipv6Only");
  const onDo = issuesOf(edited("prod", (d) => (d.hosts[0].ipv6Only = true)));
  assert.ok(onDo.some((i) => i.message === "ipv6Only is only offered on hetzner, not digitalocean"));
});

test("statement pooling is refused: Mastodon needs transactions", () => {
  const [i] = issuesOf(edited("prod", (d) => (d.postgres.pool.mode = "statement")));
  assert.equal(i?.path, "postgres.pool.mode");
  assert.equal(i?.fix, "use mode: transaction");
});

test("exactly one of the alternatives in a service section", () => {
  const [i] = issuesOf(edited("hobby", (d) => (d.media = { r2: {}, local: {} })));
  assert.equal(i?.path, "media");
  assert.equal(i?.message, "media takes only one of spaces, r2, s3, local, but sets r2 and local: keep one");
});

test("data services are not replicated across copies", () => {
  const [i] = issuesOf(edited("hobby", (d) => (d.hosts[0].count = 2)));
  assert.equal(i?.path, "hosts[0].count");
  assert.match(i!.message, /^host "data" runs postgres but has count 2/);
});
