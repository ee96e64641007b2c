// Instance-level facts of a booted stack: where its proxy answers, its rendered files per host,
// the Redis and database it uses (read from the rendered env file on an app host, as Mastodon
// reads them), and a user with an access token for the streaming API.
import type { HostFile } from "../../../src/plan/types";
import { shellQuote } from "../../../src/plan/render/shell";
import type { BootedStack } from "./stack";
import type { Endpoint } from "./traffic";

export function proxyEndpoint(stack: BootedStack): Endpoint {
  const balancer = stack.managed?.services.balancer;
  if (balancer) return { address: balancer.address, domain: stack.program.plan.stack.webDomain };
  const proxy = stack.program.plan.hosts.find((h) => h.roles.includes("proxy"));
  if (!proxy) throw new Error("the stack has no proxy host");
  const a = stack.program.offline.hostAddresses[proxy.name]!;
  return { address: a.publicIpv4 ?? a.privateAddress, domain: stack.program.plan.stack.webDomain };
}

/** The files the program sent to a host (secrets filled), as the converge step wrote them. */
export function filesOf(stack: BootedStack, host: string): HostFile[] {
  return stack.program.offline.hostFiles[host] ?? [];
}

export function appHosts(stack: BootedStack): string[] {
  return stack.program.plan.hosts.filter((h) => h.processes.length > 0).map((h) => h.name);
}

/** Hosts and the template instances (mastodon-streaming@PORT…) the plan runs on them. */
export function plannedInstances(stack: BootedStack, host: string): string[] {
  const h = stack.program.plan.hosts.find((x) => x.name === host)!;
  return h.processes.map((p) => p.unit).filter((u) => u.includes("@"));
}

/** The rendered env file's value, as the host has it. */
export async function envValue(stack: BootedStack, host: string, key: string): Promise<string> {
  const r = await stack.machines[host]!.ssh(`sed -n 's/^${key}=//p' /etc/mastodon/env.production`);
  return r.stdout.trim();
}

function redisHost(stack: BootedStack): string {
  const h = stack.program.plan.hosts.find((x) => x.roles.includes("redis"));
  if (!h) throw new Error("no self-hosted redis in this stack");
  return h.name;
}

/** PUBLISH on the instance's Redis, from the Redis host with the password and TLS the app hosts use. */
export async function publish(stack: BootedStack, channel: string, message: string): Promise<number> {
  if (stack.spec.redis.managed && stack.managed) return stack.managed.services.publish(stack.managed.machine, channel, message);
  const app = appHosts(stack)[0]!;
  const url = new URL(await envValue(stack, app, "REDIS_URL"));
  const tls = url.protocol === "rediss:" ? "--tls --cacert /usr/local/share/ca-certificates/mastodon-internal-ca.crt" : "";
  // The password travels on stdin into REDISCLI_AUTH, never on a command line.
  const r = await stack.machines[redisHost(stack)]!.ssh(
    `IFS= read -r REDISCLI_AUTH; export REDISCLI_AUTH; redis-cli ${tls} -h ${shellQuote(url.hostname)} -p ${shellQuote(url.port || "6379")} PUBLISH ${shellQuote(channel)} ${shellQuote(message)}`,
    `${decodeURIComponent(url.password)}\n`,
  );
  if (r.code !== 0) throw new Error(`PUBLISH failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** A user, its account and an access token in the instance's database (as Mastodon would have them). */
export async function createStreamingUser(stack: BootedStack, token: string): Promise<number> {
  const db = stack.spec.postgres.database;
  const sql = [
    "INSERT INTO accounts (username) VALUES ('harness') RETURNING id \\gset",
    "INSERT INTO users (account_id, email, chosen_languages) VALUES (:id, 'harness@example.invalid', NULL) RETURNING id AS uid \\gset",
    `INSERT INTO oauth_access_tokens (token, resource_owner_id, scopes) VALUES ('${token}', :uid, 'read write') ;`,
    "SELECT :id;",
  ].join("\n");
  if (stack.spec.postgres.managed && stack.managed) return Number((await stack.managed.services.psql(stack.managed.machine, db, sql)).trim().split("\n").pop());
  const pg = stack.program.plan.hosts.find((x) => x.roles.includes("postgres"));
  if (!pg) throw new Error("no self-hosted postgres in this stack");
  const r = await stack.machines[pg.name]!.ssh(`runuser -u postgres -- psql -X -q -t -A -v ON_ERROR_STOP=1 -d ${shellQuote(db)} -f -`, `${sql}\n`);
  if (r.code !== 0) throw new Error(`creating the streaming user failed: ${r.stderr}`);
  return Number(r.stdout.trim().split("\n").pop());
}
