// The host input policy against what the rendered configs actually dial, read back from the
// files (env.production, env.maintenance, pgbouncer.ini, nginx's upstreams), not from the
// planner's own reasoning: on random layouts and the examples, every connection a config makes
// to another host is admitted by that host's policy, nothing else is, and a data service
// listens on the private address exactly when someone is admitted.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPlan, CapacityError } from "../../src/plan";
import { INPUT_POLICY_RULESET } from "../../src/plan/render/input-policy";
import type { Plan } from "../../src/plan/types";
import { SpecError } from "../../src/spec/errors";
import { parseStack } from "../../src/spec/load";
import { stack, toYaml } from "../helpers/layouts";
import { examplePlan } from "../helpers/plans";

type Dial = { from: string; to: string; port: number };

const content = (plan: Plan, host: string, path: string) => plan.hosts.find((h) => h.name === host)!.files.find((f) => f.path === path)?.content;
const envVar = (text: string | undefined, name: string) => text && new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1];

/** Every host:port the rendered files make a host dial. */
function renderedDials(plan: Plan): Dial[] {
  const out: Dial[] = [];
  for (const h of plan.hosts) {
    const add = (to: string | undefined, port: string | number | undefined) => to && port !== undefined && out.push({ from: h.name, to, port: Number(port) });
    for (const path of ["/etc/mastodon/env.production", "/etc/mastodon/env.maintenance"]) {
      const env = content(plan, h.name, path);
      add(envVar(env, "DB_HOST"), envVar(env, "DB_PORT"));
      const redis = /@([^@]+):(\d+)$/.exec(envVar(env, "REDIS_URL") ?? "");
      if (redis) add(redis[1], redis[2]);
      add(envVar(env, "ES_HOST")?.replace(/^https?:\/\//, ""), envVar(env, "ES_PORT"));
    }
    const ini = /host=(\S+) port=(\d+)/.exec(content(plan, h.name, "/etc/pgbouncer/pgbouncer.ini") ?? "");
    if (ini) add(ini[1], ini[2]);
    for (const m of (content(plan, h.name, "/etc/nginx/sites-available/mastodon") ?? content(plan, h.name, "/etc/nginx/conf.d/mastodon.conf") ?? nginxSite(plan, h.name)).matchAll(/^\s*server (\S+):(\d+)[ ;]/gm)) add(m[1], m[2]);
  }
  return out;
}

function nginxSite(plan: Plan, host: string): string {
  return plan.hosts.find((h) => h.name === host)!.files.filter((f) => f.path.startsWith("/etc/nginx/")).map((f) => f.content).join("\n");
}

/** port → admitted addresses, and the ports that are policed at all, from the rendered ruleset. */
function policy(text: string | undefined): { admitted: Map<number, Set<string>>; policed: Set<number> } {
  const admitted = new Map<number, Set<string>>();
  const policed = new Set<number>();
  for (const m of (text ?? "").matchAll(/tcp dport (\d+) ip saddr \{ (.+) \} accept$/gm)) admitted.set(Number(m[1]), new Set(m[2]!.split(", ")));
  for (const m of (text ?? "").matchAll(/tcp dport (\d+) reject with tcp reset/g)) policed.add(Number(m[1]));
  return { admitted, policed };
}

function checkPlan(plan: Plan, label: string): void {
  const byAddress = new Map(plan.hosts.map((h) => [h.privateAddress, h]));
  const dials = renderedDials(plan).filter((d) => byAddress.has(d.to) && byAddress.get(d.to)!.name !== d.from);
  for (const target of plan.hosts) {
    const { admitted, policed } = policy(content(plan, target.name, INPUT_POLICY_RULESET));
    const wanted = new Map<number, Set<string>>();
    for (const d of dials.filter((x) => x.to === target.privateAddress)) {
      const from = plan.hosts.find((h) => h.name === d.from)!.privateAddress;
      wanted.set(d.port, (wanted.get(d.port) ?? new Set()).add(from));
      assert.ok(policed.has(d.port), `${label}: ${d.from} dials ${target.name}:${d.port}, which has no policy`);
    }
    for (const port of policed) {
      assert.deepEqual([...(admitted.get(port) ?? [])].sort(), [...(wanted.get(port) ?? [])].sort(), `${label}: ${target.name}:${port} admits what the configs dial, no more`);
    }
    // The data services listen on the private address only when someone is admitted.
    const listen: [string, RegExp, number][] = [
      ["/etc/redis/redis.conf", /^bind (.*)$/m, 6379],
      ["/etc/pgbouncer/pgbouncer.ini", /^listen_addr = (.*)$/m, 6432],
    ];
    for (const f of target.files.filter((x) => /^\/etc\/postgresql\/.*\/conf\.d\/mastodon\.conf$/.test(x.path))) {
      const addresses = /^listen_addresses = '(.*)'$/m.exec(f.content)![1]!;
      assert.equal(addresses.includes(target.privateAddress), (admitted.get(5432)?.size ?? 0) > 0, `${label}: ${target.name} postgres listens on ${addresses}`);
    }
    for (const [path, re, port] of listen) {
      const text = content(plan, target.name, path);
      if (!text) continue;
      const anyone = [...admitted].some(([p, from]) => (p === port || (port === 6379 && p === 6380)) && from.size > 0);
      assert.equal(re.exec(text)![1]!.includes(target.privateAddress), anyone, `${label}: ${target.name} ${path}`);
    }
  }
}

describe("host input policy", () => {
  for (const example of ["single", "hobby", "prod"]) {
    it(`${example}: admits exactly what the rendered configs dial`, () => checkPlan(examplePlan(example), example));
  }

  it("random layouts: admits exactly what the rendered configs dial", () => {
    let planned = 0;
    fc.assert(
      fc.property(stack, (s) => {
        const text = toYaml(s);
        let plan: Plan;
        try {
          plan = buildPlan(parseStack(text, "fuzz.yaml"));
        } catch (e) {
          if (e instanceof SpecError || e instanceof CapacityError) return;
          throw e;
        }
        planned++;
        checkPlan(plan, text);
      }),
      { numRuns: 150, seed: 515151 },
    );
    assert.ok(planned > 10, `only ${planned} layouts planned`);
  });

  it("the rendered rulesets are valid nftables (nft --check)", () => {
    const dir = mkdtempSync(join(tmpdir(), "nft-"));
    try {
      for (const example of ["single", "hobby"]) {
        for (const h of examplePlan(example).hosts) {
          const text = content(examplePlan(example), h.name, INPUT_POLICY_RULESET);
          if (!text) continue;
          const f = join(dir, `${example}-${h.name}.nft`);
          writeFileSync(f, text);
          execFileSync("nft", ["--check", "-f", f], { stdio: ["ignore", "pipe", "pipe"] });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
