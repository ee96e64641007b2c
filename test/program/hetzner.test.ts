// The Hetzner components under mocks, asserted on the inputs the provider would receive: the
// single box, the three-server hobby layout with IPv6-only hosts, and single behind a load balancer.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DATA_PORTS } from "../../src/components/firewall-rules";
import { buildPlan } from "../../src/plan";
import type { RecordedResource } from "../../src/program/mocks";
import { mockState } from "../../src/program/mock-state/index";
import { parseStack } from "../../src/spec/load";
import { covers, inboundRules, WORLD, type InboundRule } from "../helpers/firewall";
import { inputs, one, ofType, runProgram, runStack, type ProgramRun } from "../helpers/program";
import { edited } from "../helpers/stacks";

const T = {
  server: "hcloud:index/server:Server",
  primaryIp: "hcloud:index/primaryIp:PrimaryIp",
  volume: "hcloud:index/volume:Volume",
  attachment: "hcloud:index/volumeAttachment:VolumeAttachment",
  firewall: "hcloud:index/firewall:Firewall",
  network: "hcloud:index/network:Network",
  subnet: "hcloud:index/networkSubnet:NetworkSubnet",
  route: "hcloud:index/networkRoute:NetworkRoute",
  placement: "hcloud:index/placementGroup:PlacementGroup",
  lb: "hcloud:index/loadBalancer:LoadBalancer",
  lbNetwork: "hcloud:index/loadBalancerNetwork:LoadBalancerNetwork",
  lbTarget: "hcloud:index/loadBalancerTarget:LoadBalancerTarget",
  lbService: "hcloud:index/loadBalancerService:LoadBalancerService",
  dns: "cloudflare:index/dnsRecord:DnsRecord",
} as const;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v ?? {}) as Obj;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

type Run = "single" | "hobby" | "balanced";
const runs = {} as Record<Run, ProgramRun>;

/** single with an edge tier of two proxies behind a load balancer. */
function balancedSpec() {
  const text = edited("single", (d) => {
    d.name = "balanced";
    d.hosts.push({ name: "edge", size: "cx23", count: 2, roles: ["proxy"] });
    d.loadBalancer = { enabled: true };
  });
  return parseStack(text, "balanced.yaml");
}

before(async () => {
  runs.single = await runStack("single");
  runs.hobby = await runStack("hobby");
  const spec = balancedSpec();
  runs.balanced = await runProgram(spec, buildPlan(spec));
});

const server = (r: ProgramRun, host: string) => one(r, T.server, `${r.spec.name}-hosts-${host}`);
/** The inbound rules of the firewalls a server is created with (firewallIds carry their ids). */
function rulesOf(r: ProgramRun, s: RecordedResource): InboundRule[] {
  const attached = new Set(ofType(r, T.firewall).filter((f) => s.dependencies.includes(f.urn)).map((f) => f.name));
  return inboundRules(r).filter((rule) => attached.has(rule.firewall));
}
const describeRule = (x: InboundRule) => `${x.protocol} ${x.from === 0 && x.to === 65535 ? "-" : x.from === x.to ? x.from : `${x.from}-${x.to}`} ${[...x.sources].sort().join(",")}`;

function commonChecks(name: Run) {
  it("parents every hcloud resource on one of our mastodon:* components", () => {
    const r = runs[name];
    const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
    const hcloud = r.resources.filter((x) => x.type.startsWith("hcloud:"));
    assert.ok(hcloud.length > 0);
    for (const x of hcloud) assert.match(byUrn.get(x.parent)?.type ?? "none", /^mastodon:(network|hosts|firewall|loadbalancer):Hetzner[A-Za-z]+$/, `${x.type} ${x.name}`);
  });

  it("opens no data port and no SSH to the world", () => {
    for (const rule of inboundRules(runs[name])) {
      for (const port of DATA_PORTS) if (covers(rule, port)) assert.ok(!rule.sources.some((s) => WORLD.includes(s)), `${rule.firewall} opens ${port} to the world`);
    }
  });

  it("fills every marker in the host files", () => {
    const r = runs[name];
    for (const h of r.plan.hosts) for (const f of r.hostFiles[h.name]!) assert.ok(!f.content.includes("{{"), `${h.name}:${f.path} still has a marker`);
  });

  it("creates every server from Debian 12 in the stack's location, on the network at the plan's address, after its subnet", () => {
    const r = runs[name];
    const subnet = one(r, T.subnet, `${r.spec.name}-network-subnet`);
    for (const h of r.plan.hosts) {
      const s = server(r, h.name);
      const i = inputs(s);
      assert.deepEqual([i.image, i.location, i.serverType, i.userData, i.sshKeys], ["debian-13", r.spec.provider.region, h.size, h.userData, ["offline-ssh-key"]]);
      assert.deepEqual(list(i.networks).map((n) => n.ip), [h.privateAddress]);
      assert.ok(s.dependencies.includes(subnet.urn), `${h.name} is not ordered after the subnet`);
      assert.ok(ofType(r, T.placement).some((p) => s.dependencies.includes(p.urn)), `${h.name} has no placement group`);
    }
  });
}

describe("hetzner: single", () => {
  commonChecks("single");

  it("is one ccx33 server with both public addresses as primary IPs that outlive it", () => {
    const r = runs.single;
    assert.equal(ofType(r, T.server).length, 1);
    const i = inputs(server(r, "box"));
    const net = list(i.publicNets)[0]!;
    assert.deepEqual([i.serverType, net.ipv4Enabled, net.ipv6Enabled], ["ccx33", true, true]);
    const ips = ofType(r, T.primaryIp).map(inputs);
    assert.deepEqual(ips.map((p) => p.type).sort(), ["ipv4", "ipv6"]);
    for (const p of ips) assert.deepEqual([p.autoDelete, p.assigneeType, p.location], [false, "server", "hel1"]);
  });

  it("attaches a 60 GB ext4 volume to the box, not automounted", () => {
    const r = runs.single;
    const [volume] = ofType(r, T.volume);
    assert.ok(volume);
    assert.deepEqual([inputs(volume).size, inputs(volume).format, inputs(volume).location, inputs(volume).name], [60, "ext4", "hel1", "single-box-data"]);
    const [attachment] = ofType(r, T.attachment);
    assert.ok(attachment);
    assert.equal(inputs(attachment).automount, false);
    assert.ok(attachment.dependencies.includes(volume.urn) && attachment.dependencies.includes(server(r, "box").urn));
  });

  it("lets SSH in from the admin CIDRs, the web from the world, and nothing else", () => {
    const r = runs.single;
    const rules = rulesOf(r, server(r, "box")).map(describeRule).sort();
    assert.deepEqual(rules, ["icmp - 0.0.0.0/0,::/0", "tcp 22 2001:db8::/64,203.0.113.7/32", "tcp 443 0.0.0.0/0,::/0", "tcp 80 0.0.0.0/0,::/0"]);
    assert.equal(inboundRules(r).length, rules.length, "a firewall not attached to the box has rules");
  });

  it("keeps media on R2 with the custom domain files.single.example.social", () => {
    const r = runs.single;
    assert.equal(ofType(r, "cloudflare:index/r2Bucket:R2Bucket").length, 1);
    const domains = ofType(r, "cloudflare:index/r2CustomDomain:R2CustomDomain").map((d) => inputs(d).domain);
    assert.deepEqual(domains, ["files.single.example.social"]);
  });

  it("points A and AAAA for single.example.social at the box's primary addresses", () => {
    const r = runs.single;
    const records = ofType(r, T.dns).map(inputs).filter((d) => d.name === "single.example.social");
    const content = (type: string) => records.filter((d) => d.type === type).map((d) => d.content);
    assert.deepEqual(content("A"), [mockState(T.primaryIp, "single-hosts-box-ipv4", { type: "ipv4" }).ipAddress]);
    // ::1 of the IPv6 primary IP's /64: where the server answers.
    const v6 = String(mockState(T.primaryIp, "single-hosts-box-ipv6", { type: "ipv6" }).ipAddress);
    assert.deepEqual(content("AAAA"), [`${v6}1`]);
  });

  it("keeps its private network (a host added later joins it without touching the box) but nothing listens on it, and there is no egress route", () => {
    const r = runs.single;
    assert.equal(ofType(r, T.network).length, 1);
    assert.equal(ofType(r, T.route).length, 0);
    // No other host dials the box's services: they listen on loopback only.
    assert.deepEqual(r.hostFiles.box!.filter((f) => f.content.includes(r.plan.hosts[0]!.privateAddress)).map((f) => f.path), []);
  });
});

describe("hetzner: hobby", () => {
  commonChecks("hobby");

  it("is three cx23 servers at the plan's private addresses", () => {
    const r = runs.hobby;
    assert.equal(ofType(r, T.server).length, 3);
    assert.deepEqual(r.plan.hosts.map((h) => [h.name, inputs(server(r, h.name)).serverType, list(inputs(server(r, h.name)).networks)[0]!.ip]), [
      ["data", "cx23", "10.10.1.10"],
      ["workers", "cx23", "10.10.1.11"],
      ["web", "cx23", "10.10.1.12"],
    ]);
  });

  it("gives data and workers no IPv4 at all, and web both", () => {
    const r = runs.hobby;
    const ips = ofType(r, T.primaryIp).map((p) => p.name).sort();
    assert.deepEqual(ips, ["hobby-hosts-data-ipv6", "hobby-hosts-web-ipv4", "hobby-hosts-web-ipv6", "hobby-hosts-workers-ipv6"]);
    for (const h of ["data", "workers"]) {
      const net = list(inputs(server(r, h)).publicNets)[0]!;
      assert.deepEqual([net.ipv4Enabled, "ipv4" in net, net.ipv6Enabled], [false, false, true], h);
    }
    assert.equal(list(inputs(server(r, "web")).publicNets)[0]!.ipv4Enabled, true);
  });

  it("has one network, one cloud subnet over the whole range, and 0.0.0.0/0 via web", () => {
    const r = runs.hobby;
    assert.equal(inputs(one(r, T.network, "hobby-network-network")).ipRange, "10.10.0.0/16");
    const subnet = inputs(one(r, T.subnet, "hobby-network-subnet"));
    assert.deepEqual([subnet.type, subnet.networkZone, subnet.ipRange], ["cloud", "eu-central", "10.10.0.0/16"]);
    const route = inputs(one(r, T.route, "hobby-network-ipv4-egress"));
    const web = r.plan.hosts.find((h) => h.name === "web")!;
    assert.deepEqual([route.destination, route.gateway], ["0.0.0.0/0", web.privateAddress]);
  });

  it("opens the web to the world on web only; the IPv6-only hosts take SSH and ICMP only", () => {
    const r = runs.hobby;
    assert.deepEqual(rulesOf(r, server(r, "web")).map(describeRule).sort(), ["icmp - 0.0.0.0/0,::/0", "tcp 22 203.0.113.7/32", "tcp 443 0.0.0.0/0,::/0", "tcp 80 0.0.0.0/0,::/0"]);
    for (const h of ["data", "workers"]) assert.deepEqual(rulesOf(r, server(r, h)).map(describeRule).sort(), ["icmp - 0.0.0.0/0,::/0", "tcp 22 203.0.113.7/32"], h);
    // Private-network rules (Postgres, Redis, Puma, streaming) have no public counterpart.
    assert.deepEqual(ofType(r, T.firewall).map((f) => inputs(f).name).sort(), ["hobby-base", "hobby-proxy"]);
  });
});

describe("hetzner: behind a load balancer", () => {
  commonChecks("balanced");

  it("is an lb11 on the network at x.y.0.5, targeting every proxy over its private address", () => {
    const r = runs.balanced;
    const lb = one(r, T.lb, "balanced-lb-lb");
    assert.deepEqual([inputs(lb).loadBalancerType, inputs(lb).location], ["lb11", "hel1"]);
    const attachment = one(r, T.lbNetwork, "balanced-lb-network");
    assert.equal(inputs(attachment).ip, "10.10.0.5");
    assert.ok(attachment.dependencies.includes(one(r, T.subnet, "balanced-network-subnet").urn));
    const proxies = r.plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => h.name).sort();
    assert.deepEqual(proxies, ["box", "edge-1", "edge-2"]);
    const targets = ofType(r, T.lbTarget);
    assert.deepEqual(targets.map((t) => t.name).sort(), proxies.map((p) => `balanced-lb-${p}`));
    for (const t of targets) {
      assert.deepEqual([inputs(t).type, inputs(t).usePrivateIp], ["server", true]);
      assert.ok(t.dependencies.includes(attachment.urn), `${t.name} may be created before the network attachment`);
    }
  });

  it("passes 443 and 80 through with PROXY protocol, checking health over HTTP at /health", () => {
    const r = runs.balanced;
    const services = ofType(r, T.lbService).map(inputs).sort((a, b) => Number(a.listenPort) - Number(b.listenPort));
    assert.deepEqual(services.map((s) => [s.protocol, s.listenPort, s.destinationPort, s.proxyprotocol]), [
      ["tcp", 80, 80, true],
      ["tcp", 443, 443, true],
    ]);
    const check = obj(services[0]!.healthCheck);
    assert.deepEqual([check.protocol, check.port, obj(check.http).path, obj(check.http).domain], ["http", 80, "/health", "single.example.social"]);
  });

  it("no longer opens 80 or 443 to the world on any proxy", () => {
    const r = runs.balanced;
    for (const rule of inboundRules(r)) for (const port of [80, 443]) assert.ok(!covers(rule, port), `${rule.firewall} opens ${port}`);
    assert.deepEqual(ofType(r, T.firewall).map((f) => inputs(f).name), ["balanced-base"]);
  });

  it("points the names at the load balancer and exports its address", () => {
    const r = runs.balanced;
    const lb = mockState(T.lb, "balanced-lb-lb", {});
    const records = ofType(r, T.dns).map(inputs).filter((d) => d.name === "single.example.social");
    assert.deepEqual(records.map((d) => [d.type, d.content]).sort(), [
      ["A", lb.ipv4],
      ["AAAA", lb.ipv6],
    ]);
    assert.equal(r.exports.loadBalancerAddress, lb.ipv4);
  });
});
