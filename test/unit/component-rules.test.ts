// The pure decisions the components render: firewall groups, DNS records, user secrets, and the
// spec rules they rely on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dnsRecords, relativeName } from "../../src/components/dns-records";
import { firewallGroups, type FirewallGroup } from "../../src/components/firewall-rules";
import { userSecretNeeds } from "../../src/components/user-secrets";
import { buildPlan } from "../../src/plan";
import { parseStack } from "../../src/spec/load";
import { examplePlan, ROOT } from "../helpers/plans";
import { edited, issuesOf } from "../helpers/stacks";
import { loadStack } from "../../src/spec/load";
import { join } from "node:path";

const spec = (name: string) => loadStack(join(ROOT, "stacks", `${name}.yaml`));
const group = (groups: FirewallGroup[], g: string) => groups.find((x) => x.group === g);

describe("firewall groups", () => {
  it("prod: SSH from the admins everywhere, the web only from the load balancer, internal ports only from the VPC", () => {
    const groups = firewallGroups(spec("prod"), examplePlan("prod"));
    assert.deepEqual(group(groups, "base")!.rules[0], { protocol: "tcp", ports: "22", source: "admin", why: "SSH for pulumi up and admins, from network.adminCidrs only" });
    assert.deepEqual(group(groups, "base")!.hosts, ["edge-1", "edge-2", "web-1", "web-2", "worker-1", "worker-2"]);
    const proxy = group(groups, "proxy")!;
    assert.deepEqual(proxy.hosts, ["edge-1", "edge-2"]);
    assert.deepEqual(proxy.rules.map((r) => [r.ports, r.source]), [["80", "loadBalancer"], ["443", "loadBalancer"], ["8042", "private"]]);
    assert.deepEqual(group(groups, "web")!.rules.map((r) => [r.ports, r.source]), [["3000", "private"]]);
    assert.deepEqual(group(groups, "streaming")!.rules.map((r) => [r.ports, r.source]), [["4000", "private"]]);
    // Managed data services: no data-port group on any droplet.
    assert.deepEqual(groups.map((g) => g.group).sort(), ["base", "proxy", "streaming", "web"]);
  });

  it("single box: nothing internal is opened, the web is open to users", () => {
    const groups = firewallGroups(spec("single"), examplePlan("single"));
    assert.deepEqual(groups.map((g) => g.group), ["base", "proxy"]);
    assert.deepEqual(group(groups, "proxy")!.rules.map((r) => r.source), ["world", "world"]);
  });

  it("hobby: Redis only on its TLS port, Postgres from the private network", () => {
    const groups = firewallGroups(spec("hobby"), examplePlan("hobby"));
    assert.deepEqual(group(groups, "redis")!.rules.map((r) => r.ports), ["6380"]);
    assert.deepEqual(group(groups, "postgres")!.rules.map((r) => [r.ports, r.source]), [["5432", "private"]]);
    for (const g of groups) for (const r of g.rules) if (r.source === "world") assert.ok(r.protocol === "icmp" || ["80", "443"].includes(r.ports!));
  });

  it("without encryptInternal, Redis's plain port is the one opened", () => {
    const s = parseStack(edited("hobby", (d) => (d.network.encryptInternal = false)), "h.yaml");
    assert.deepEqual(group(firewallGroups(s, buildPlan(s)), "redis")!.rules.map((r) => r.ports), ["6379"]);
  });
});

describe("DNS records", () => {
  it("prod: the web domain at the apex to the balancer, and the mail records the admin gave", () => {
    const records = dnsRecords(spec("prod"), { ipv4: ["198.51.100.9"], ipv6: [] });
    assert.deepEqual(
      records.map((r) => [r.type, r.name, r.value]),
      [
        ["A", "example.social", "198.51.100.9"],
        ["TXT", "example.social", "v=spf1 include:mailgun.org ~all"],
        ["TXT", "mx._domainkey.example.social", "k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC3example"],
        ["TXT", "_dmarc.example.social", "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.social"],
      ],
    );
    assert.equal(new Set(records.map((r) => r.key)).size, records.length);
  });

  it("web domain and local domain both point at every proxy, IPv4 and IPv6", () => {
    const s = parseStack(edited("single", (d) => (d.webDomain = "social.single.example.social")), "s.yaml");
    const records = dnsRecords(s, { ipv4: ["a"], ipv6: ["b"] });
    assert.deepEqual(records.map((r) => `${r.type} ${r.name}`), ["A social.single.example.social", "AAAA social.single.example.social", "A single.example.social", "AAAA single.example.social"]);
  });

  it("names relative to the zone", () => {
    assert.equal(relativeName("example.social", "example.social"), "@");
    assert.equal(relativeName("_dmarc.example.social", "example.social"), "_dmarc");
  });
});

describe("user secrets", () => {
  it("maps config names onto the plan's markers", () => {
    assert.deepEqual(userSecretNeeds(spec("prod")).map((n) => `${n.marker}<-${n.config}`), ["SMTP_PASSWORD<-smtpPassword", "BACKUP_ACCESS_KEY_ID<-backupAccessKey", "BACKUP_SECRET_ACCESS_KEY<-backupSecretKey"]);
    assert.deepEqual(userSecretNeeds(spec("hobby")).map((n) => `${n.marker}<-${n.config}`), ["S3_ACCESS_KEY_ID<-r2AccessKeyId", "S3_SECRET_ACCESS_KEY<-r2SecretAccessKey"]);
  });
});

describe("spec rules for components", () => {
  it("a TLS-terminating balancer needs DigitalOcean DNS", () => {
    const issues = issuesOf(edited("prod", (d) => {
      d.loadBalancer.tls = "terminate";
      d.dns = { provider: "none" };
      delete d.mail.records;
    }));
    assert.deepEqual(issues.map((i) => [i.path, i.message]), [["loadBalancer.tls", "a TLS-terminating load balancer needs a provider-managed certificate, which needs the zone on DigitalOcean DNS"]]);
  });

  it("a TLS-terminating balancer refuses names its certificate cannot cover, where they are written", () => {
    const issues = issuesOf(edited("prod", (d) => {
      d.loadBalancer.tls = "terminate";
      d.webDomain = "social.example.social";
      d.alternateDomains = ["www.example.social", "example.org"];
    }));
    assert.deepEqual(issues.map((i) => [i.path, i.message, i.fix]), [[
      "alternateDomains[1]",
      '"example.org" is outside the DNS zone "example.social", so the TLS-terminating load balancer\'s certificate (issued through DigitalOcean DNS) cannot cover it',
      "use loadBalancer.tls: passthrough (the proxies' own certificates cover names in any zone), move the name into the zone, or remove it",
    ]]);
    // The same names with passthrough: the proxies' certbot covers them, so nothing is refused.
    assert.doesNotThrow(() => parseStack(edited("prod", (d) => ((d.webDomain = "social.example.social"), (d.alternateDomains = ["example.org"]))), "prod.yaml"));
  });

  it("the web domain must be in the DNS zone", () => {
    const issues = issuesOf(edited("prod", (d) => (d.dns.zone = "other.example")));
    assert.deepEqual(issues.map((i) => i.path), ["domain", "mail.records"]);
    assert.match(issues[0]!.message, /"example.social" is not inside the DNS zone "other.example"/);
  });

  it("mail records need a DNS provider, and well-formed values", () => {
    assert.deepEqual(issuesOf(edited("prod", (d) => (d.dns = { provider: "none" }))).map((i) => i.path), ["mail.records"]);
    const bad = issuesOf(edited("prod", (d) => (d.mail.records.spf = "include:mailgun.org")));
    assert.deepEqual(bad.map((i) => [i.path, i.message]), [["mail.records.spf", 'must start with "v=spf1 "']]);
  });
});

describe("private network size", () => {
  it("refuses a network too small for the plan's addresses, or not on its boundary", () => {
    assert.deepEqual(issuesOf(edited("hobby", (d) => (d.network.privateCidr = "10.10.1.0/24"))).map((i) => [i.path, i.message]), [
      ["network.privateCidr", "/24 is too small for the stack's 3 hosts: hosts get addresses from x.y.1.10 upward and x.y.0.x is kept for the gateway and load balancer"],
    ]);
    assert.deepEqual(issuesOf(edited("hobby", (d) => (d.network.privateCidr = "10.10.1.0/16"))).map((i) => i.message), ["10.10.1.0/16 does not start on a network boundary"]);
    parseStack(edited("hobby", (d) => (d.network.privateCidr = "192.168.4.0/22")), "h.yaml");
  });
});

describe("names outside the DNS zone", () => {
  it("are planned with a warning to point them by hand, not refused", () => {
    const s = parseStack(edited("single", (d) => (d.alternateDomains = ["single.example.org"])), "s.yaml");
    assert.ok(buildPlan(s).warnings.includes("single.example.org is outside the DNS zone single.example.social: point it at the instance yourself. It gets a certificate of its own, issued once it points here (certbot.timer tries twice a day); until then only single.example.org fails, and the certificate for single.example.social and the zone's other names is issued without it"));
    assert.deepEqual(dnsRecords(s, { ipv4: ["a"], ipv6: [] }).map((r) => r.name), ["single.example.social"]);
  });
});
