// Host-security refusals at the stack-file boundary: free text that would break out of the file
// it lands in (control characters, the program's placeholder syntax, absurd lengths), typed
// free-text fields, and the network policy. Each refusal names its path and a fix, and nothing
// refused reaches a rendered file.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPlan } from "../../src/plan";
import { parseStack } from "../../src/spec/load";
import { MAX_TEXT } from "../../src/spec/text";
import { edited, exampleDoc, issuesOf, type Doc } from "../helpers/stacks";

type Loc = (string | number)[];

/** Every string leaf of the example stacks, as (stack, path). */
function stringLeaves(d: unknown, at: Loc = []): Loc[] {
  if (typeof d === "string") return [at];
  if (Array.isArray(d)) return d.flatMap((x, i) => stringLeaves(x, [...at, i]));
  if (d !== null && typeof d === "object") return Object.entries(d).flatMap(([k, x]) => stringLeaves(x, [...at, k]));
  return [];
}
const STACKS = ["prod", "single", "hobby"] as const;
const LEAVES = STACKS.flatMap((s) => stringLeaves(exampleDoc(s)).filter((p) => p[0] !== "$schema").map((p) => [s, p] as const));

function setAt(d: Doc, loc: Loc, value: unknown): void {
  const parent = loc.slice(0, -1).reduce<any>((v, k) => v[k], d);
  parent[loc.at(-1)!] = value;
}

const dotted = (loc: Loc) => loc.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("").replace(/^\./, "");

const hostile = fc.oneof(
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\n", "\r", "\t", "\u0000", "\u001b", "\u007f", "\u2028"), fc.string({ maxLength: 8 })).map(([a, c, b]) => ({ value: `${a}${c}${b}`, why: /control character/ })),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom("{{secret:SECRET_KEY_BASE}}", "{{output:postgres.host}}", "{{", "}}")).map(([a, p]) => ({ value: `${a}${p}`, why: /placeholders/ })),
  fc.integer({ min: MAX_TEXT + 1, max: MAX_TEXT + 50 }).map((n) => ({ value: "a".repeat(n), why: /characters long/ })),
);

describe("free text", () => {
  it("every string field refuses control characters, placeholder syntax and over-long values, with its path", () => {
    fc.assert(
      fc.property(fc.nat(), hostile, (i, h) => {
        const [stack, loc] = LEAVES[i % LEAVES.length]!;
        const issues = issuesOf(edited(stack, (d) => setAt(d, loc, h.value)));
        const mine = issues.filter((x) => x.path === dotted(loc));
        assert.ok(mine.some((x) => h.why.test(x.message)), `${stack} ${dotted(loc)}: ${JSON.stringify(issues)}`);
        assert.ok(mine.every((x) => x.line > 0 && x.fix.length > 0));
      }),
      { numRuns: 600 },
    );
  });

  it("a placeholder in a free-text field never reaches a rendered file", () => {
    const text = edited("prod", (d) => (d.mail.smtp.user = "{{secret:SECRET_KEY_BASE}}"));
    assert.deepEqual(issuesOf(text).map((i) => `${i.path}: ${i.message}`), ['mail.smtp.user: contains "{{" or "}}", the syntax of the placeholders mastodon-stack fills with secrets and addresses']);
  });

  it("typed fields: bucket names, regions, DKIM selectors and backup paths", () => {
    const cases: [string, (d: Doc) => void, string, RegExp][] = [
      ["prod", (d) => (d.backups.target.s3.bucket = "Bad_Bucket"), "backups.target.s3.bucket", /S3 bucket name/],
      ["prod", (d) => (d.backups.target.s3.bucket = "a..b"), "backups.target.s3.bucket", /S3 bucket name/],
      ["prod", (d) => (d.backups.target.s3.bucket = "192.168.1.1"), "backups.target.s3.bucket", /S3 bucket name/],
      ["prod", (d) => (d.backups.target.s3.region = "us west"), "backups.target.s3.region", /region slug/],
      ["prod", (d) => (d.mail.records.dkim[0].selector = "mx;rm"), "mail.records.dkim[0].selector", /DNS labels/],
      ["prod", (d) => (d.backups.target = { local: { path: "/etc" } }), "backups.target.local.path", /under \/var\/backups/],
      ["prod", (d) => (d.backups.target = { local: { path: "/var/backups/../../etc" } }), "backups.target.local.path", /under \/var\/backups/],
      ["prod", (d) => (d.backups.target = { local: { path: "/var/backups" } }), "backups.target.local.path", /under \/var\/backups/],
    ];
    for (const [stack, edit, path, message] of cases) {
      const issues = issuesOf(edited(stack, edit));
      assert.ok(issues.some((i) => i.path === path && message.test(i.message)), `${path}: ${JSON.stringify(issues)}`);
    }
    assert.equal(parseStack(edited("prod", (d) => (d.backups.target = { local: { path: "/var/backups/mastodon" } })), "ok.yaml").backups?.target.local?.path, "/var/backups/mastodon");
  });
});

describe("network policy", () => {
  const refused = (edit: (d: Doc) => void) => issuesOf(edited("prod", edit)).map((i) => `${i.path}: ${i.message} | ${i.fix}`);

  it("refuses adminCidrs that cover the Internet unless sshFromAnywhere opts in, and warns then", () => {
    for (const cidr of ["0.0.0.0/0", "::/0", "::ffff:0:0/96", "::ffff:0.0.0.0/96", "0.0.0.0/1", "2000::/3"]) {
      const r = refused((d) => (d.network.adminCidrs = [cidr]));
      assert.equal(r.length, 1, `${cidr}: ${r.join("\n")}`);
      assert.match(r[0]!, /^network\.adminCidrs\[0\]: .* opens SSH to .*Internet \| .*sshFromAnywhere: true/);
    }
    const spec = parseStack(edited("prod", (d) => ((d.network.adminCidrs = ["0.0.0.0/0", "::/0"]), (d.network.sshFromAnywhere = true))), "open.yaml");
    assert.ok(buildPlan(spec).warnings.some((w) => w.startsWith("network.adminCidrs 0.0.0.0/0, ::/0 opens SSH to the Internet")));
  });

  it("refuses CIDRs with host bits set and says which network they mean", () => {
    assert.deepEqual(refused((d) => (d.network.adminCidrs = ["203.0.113.7/24", "2001:db8::1/64"])), [
      "network.adminCidrs[0]: 203.0.113.7/24 has host bits set: it means 203.0.113.0/24 | write 203.0.113.0/24, or 203.0.113.7/32 for that one address",
      "network.adminCidrs[1]: 2001:db8::1/64 has host bits set: it means 2001:db8::/64 | write 2001:db8::/64, or 2001:db8::1/128 for that one address",
    ]);
  });

  it("requires privateCidr inside the private ranges", () => {
    for (const cidr of ["0.0.0.0/0", "8.8.0.0/16", "172.32.0.0/16", "100.128.0.0/16"]) {
      const r = refused((d) => (d.network.privateCidr = cidr));
      assert.ok(r.some((x) => x.startsWith(`network.privateCidr: ${cidr} is not a private range`)), `${cidr}: ${r.join("\n")}`);
    }
    for (const cidr of ["10.10.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "100.64.0.0/16"]) {
      assert.equal(parseStack(edited("prod", (d) => (d.network.privateCidr = cidr)), "ok.yaml").network.privateCidr, cidr);
    }
  });
});
