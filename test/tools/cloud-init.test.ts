// Every host's user-data against cloud-init's own schema, the SSH hardening against sshd's
// parser, and the gateway's NAT ruleset against nft's; plus what each host's roles must get.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse } from "yaml";
import type { PlannedHost } from "../../src/plan/types";
import { buildPlan } from "../../src/plan";
import { loadStack, parseStack } from "../../src/spec/load";
import { EXAMPLES, examplePlan, ROOT } from "../helpers/plans";
import { edited } from "../helpers/stacks";
import { requireTool } from "../helpers/tools";

const dir = mkdtempSync(join(tmpdir(), "cloud-init-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface WriteFile {
  path: string;
  content: string;
}
interface CloudConfig {
  hostname: string;
  packages: string[];
  users: (string | { name: string; homedir?: string })[];
  write_files: WriteFile[];
  runcmd?: string[][];
  bootcmd?: string[][];
}

function config(host: PlannedHost): CloudConfig {
  assert.ok(host.userData.startsWith("#cloud-config\n"), `${host.name}: user-data must start with #cloud-config`);
  return parse(host.userData, { version: "1.1" }) as CloudConfig;
}

function writeFile(cfg: CloudConfig, path: string): string | undefined {
  return cfg.write_files.find((f) => f.path === path)?.content;
}

/** `cloud-init schema` (22.4 and later; `devel schema` only in older releases). */
function schema(file: string) {
  return spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
}

for (const name of EXAMPLES) {
  test(`${name}: every host's user-data passes cloud-init schema`, (t) => {
    if (!requireTool(t, "cloud-init", "cloud-init")) return;
    for (const host of examplePlan(name).hosts) {
      const file = join(dir, `${name}-${host.name}.yaml`);
      writeFileSync(file, host.userData);
      const r = schema(file);
      assert.equal(r.status, 0, `${name}/${host.name}: cloud-init schema failed:\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /Valid cloud-config/);
      assert.doesNotMatch(host.userData, /\{\{secret:/, `${name}/${host.name}: user-data holds a secret marker`);
    }
  });
}

test("a 4.6 release gets Node 24 from NodeSource, its key pinned by fingerprint, without Debian's corepack; 4.5 stays on Debian's Node", (t) => {
  if (!requireTool(t, "cloud-init", "cloud-init")) return;
  const v46 = buildPlan(parseStack(edited("hobby", (d) => (d.mastodon.version = "v4.6.5")), "hobby.yaml"));
  for (const host of v46.hosts) {
    const cfg = config(host) as CloudConfig & { apt?: { sources?: Record<string, { source: string; keyid: string }> } };
    const file = join(dir, `v46-${host.name}.yaml`);
    writeFileSync(file, host.userData);
    const r = schema(file);
    assert.equal(r.status, 0, `${host.name}: cloud-init schema failed:\n${r.stdout}${r.stderr}`);
    if (host.processes.length === 0) {
      assert.equal(cfg.apt, undefined, `${host.name} runs no Mastodon process and needs no Node`);
      continue;
    }
    assert.deepEqual(cfg.apt?.sources?.nodesource, {
      source: "deb [signed-by=$KEY_FILE] https://deb.nodesource.com/node_24.x nodistro main",
      keyid: "6F71F525282841EEDAF851B42F59B5F99B1BE0B4",
      keyserver: "keyserver.ubuntu.com",
    });
    assert.ok(cfg.packages.includes("nodejs") && !cfg.packages.includes("node-corepack"), cfg.packages.join(" "));
  }
  for (const host of examplePlan("hobby").hosts) {
    const cfg = config(host) as CloudConfig & { apt?: unknown };
    assert.equal(cfg.apt, undefined);
    if (host.processes.length > 0) assert.ok(cfg.packages.includes("node-corepack"));
  }
});

test("cloud-init schema rejects an invalid cloud-config (the check can fail)", (t) => {
  if (!requireTool(t, "cloud-init", "cloud-init")) return;
  const file = join(dir, "invalid.yaml");
  writeFileSync(file, "#cloud-config\nhostname: [web]\npackages: nginx\nwrite_files:\n  - content: no path\n");
  const r = schema(file);
  assert.notEqual(r.status, 0, `an invalid cloud-config passed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout + r.stderr, /schema errors/i);
});

test("the SSH drop-in wins over a later PasswordAuthentication yes (sshd -T)", (t) => {
  if (!requireTool(t, "/usr/sbin/sshd", "openssh-server") || !requireTool(t, "ssh-keygen", "openssh-client")) return;
  // sshd -T insists on its privilege-separation directory, which ssh.service normally creates.
  if (!existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755 });
  const dropIn = writeFile(config(examplePlan("prod").hosts[0]!), "/etc/ssh/sshd_config.d/10-mastodon-stack.conf");
  assert.ok(dropIn);
  writeFileSync(join(dir, "drop-in.conf"), dropIn);
  const key = join(dir, "host_key");
  assert.equal(spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status, 0);
  // As Debian's sshd_config: the drop-ins are included first, then the main file's own settings.
  writeFileSync(join(dir, "sshd_config"), `Include ${join(dir, "drop-in.conf")}\nPasswordAuthentication yes\nPermitRootLogin yes\nHostKey ${key}\n`);
  const r = spawnSync("/usr/sbin/sshd", ["-T", "-f", join(dir, "sshd_config")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  for (const line of ["passwordauthentication no", "kbdinteractiveauthentication no", "permitrootlogin without-password", "x11forwarding no"]) {
    assert.ok(r.stdout.split("\n").includes(line), `sshd -T lacks "${line}"`);
  }
});

test("hobby: IPv6-only hosts route IPv4 via the network gateway; the gateway forwards and masquerades (nft -c)", (t) => {
  const plan = examplePlan("hobby");
  for (const host of plan.hosts.filter((h) => h.ipv6Only)) {
    const boot = config(host).bootcmd?.flat().join(" ") ?? "";
    assert.match(boot, /ip -4 route replace default via 10\.10\.0\.1 /, `${host.name}: no IPv4 default route`);
  }
  const gw = config(plan.hosts.find((h) => h.name === "web")!);
  assert.equal(gw.bootcmd, undefined);
  assert.ok(gw.packages.includes("nftables"));
  assert.match(writeFile(gw, "/etc/sysctl.d/60-mastodon-stack.conf")!, /^net\.ipv4\.ip_forward = 1$/m);
  assert.ok(gw.runcmd?.some((c) => c.join(" ") === "systemctl enable --now mastodon-ipv4-egress.service"));
  const ruleset = writeFile(gw, "/etc/mastodon/ipv4-egress.nft")!;
  assert.match(ruleset, /ip saddr 10\.10\.0\.0\/16 ip daddr != 10\.10\.0\.0\/16 masquerade/);
  if (!requireTool(t, "nft", "nftables")) return;
  const file = join(dir, "egress.nft");
  writeFileSync(file, ruleset);
  const r = spawnSync("nft", ["-c", "-f", file], { encoding: "utf8" });
  assert.equal(r.status, 0, `nft -c rejected the ruleset:\n${r.stderr}`);
});

test("packages, users and kernel settings follow each host's roles", () => {
  const prod = examplePlan("prod");
  for (const host of prod.hosts) {
    const cfg = config(host);
    assert.equal(cfg.hostname, host.name);
    assert.ok(cfg.users.includes("default"), "the image's admin user, with the provider's SSH keys");
    const app = host.processes.length > 0;
    assert.equal(cfg.users.some((u) => typeof u === "object" && u.name === "mastodon" && u.homedir === "/home/mastodon"), app);
    assert.equal(cfg.packages.includes("libjemalloc2") && cfg.packages.includes("ruby") && cfg.packages.includes("libvips-tools"), app);
    assert.equal(cfg.packages.includes("nginx"), host.roles.includes("proxy"));
    assert.ok(cfg.packages.includes("unattended-upgrades"));
  }
  // The maintenance host runs the backups: pg_dump and rclone.
  assert.ok(config(prod.hosts.find((h) => h.name === "worker-1")!).packages.includes("rclone"));
  const data = config(examplePlan("hobby").hosts.find((h) => h.name === "data")!);
  assert.ok(data.packages.includes("redis-server") && data.packages.includes("pgbouncer"));
  assert.match(writeFile(data, "/etc/sysctl.d/60-mastodon-stack.conf")!, /^vm\.overcommit_memory = 1$/m);
  // By default the data host runs Debian 13's own PostgreSQL 17: no third-party source.
  assert.ok(data.packages.includes("postgresql-17"));
  assert.ok(!(data.runcmd ?? []).some((c) => c.join(" ").includes("apt.postgresql.org")));
  // An explicit other major (15) comes from PGDG, whose source postgresql-common's own script adds first.
  const spec = loadStack(join(ROOT, "stacks", "hobby.yaml"));
  const pg15 = buildPlan({ ...spec, postgres: { ...spec.postgres, selfHosted: { host: "data", version: "15" } } });
  const cmds = (config(pg15.hosts.find((h) => h.name === "data")!).runcmd ?? []).map((c) => c.join(" "));
  const pgdg = cmds.indexOf("/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y");
  assert.ok(pgdg >= 0 && cmds.indexOf("env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15") > pgdg);
});
