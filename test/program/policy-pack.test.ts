// The policy pack (policy/) judged on what the mocked program registers: every shipped stack
// passes every policy, and each mutated resource — a port opened to the Internet, a session pool,
// data left unprotected, a host off the private network, a secret in the open — is reported by
// exactly the policy that guards it, with its exact message, and by no other.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { PackContext } from "../../policy/context";
import { mastodonPolicies } from "../../policy/policies";
import { needlesFor, secretIn } from "../../policy/rules/recognise";
import { SECRET_INPUTS } from "../../policy/rules/secrets";
import type { RecordedResource } from "../../src/program/mocks";
import { parseStack } from "../../src/spec/load";
import { judged, mutated, recordStack, remediations, violations, type RecordedStack } from "../helpers/policy";
import { edited } from "../helpers/stacks";

const STACKS = ["prod", "hobby", "single", "kubernetes"] as const;
const stacks: Record<string, RecordedStack> = {};

before(async () => {
  for (const s of STACKS) stacks[s] = await recordStack(s);
});

const INTERNET = "internet-reaches-only-the-web";
const POOLS = "pools-in-transaction-mode";
const DATA = "data-is-protected";
const NETWORK = "hosts-on-private-network";
const SECRETS = "secrets-only-in-secret-inputs";

const WEB_ONLY = "only the web (tcp and udp 80, 443) may be open to it — SSH comes from network.adminCidrs (or anywhere with network.sshFromAnywhere: true), data ports from the private network";
const IN_THE_OPEN = "secrets travel only in inputs made for them (a command's stdin or connection, a TLS resource's private key, a Kubernetes Secret's data), which Pulumi encrypts — never in a command line, user data, a tag or a name";
const unprotected = (what: string, stack: string) => `${what} holds the instance's data but is not protected: pulumi destroy or a replacing change would delete it. Only protectData: false in the stack file allows that, and stacks/${stack}.yaml keeps it true`;

async function verdicts(stack: string, resources: readonly RecordedResource[], context: Partial<PackContext> = {}) {
  return violations(mastodonPolicies({ ...stacks[stack]!.context, ...context }), resources);
}

describe("policy pack: the shipped stacks", () => {
  for (const name of STACKS) {
    it(`${name} passes every policy, and each policy judged what it guards`, async () => {
      const s = stacks[name]!;
      const policies = mastodonPolicies(s.context);
      assert.deepEqual(await violations(policies, s.resources), []);
      assert.deepEqual(await remediations(policies, s.resources), [], "a recognisable secret arrived unmarked");
      const want = {
        prod: { [INTERNET]: 7, [POOLS]: 1, [DATA]: 2, [NETWORK]: 10 },
        hobby: { [INTERNET]: 2, [POOLS]: 0, [DATA]: 2, [NETWORK]: 3 },
        single: { [INTERNET]: 2, [POOLS]: 0, [DATA]: 2, [NETWORK]: 1 },
        // Three database firewalls and the Gateway; the pool; the Postgres cluster and the bucket; three database clusters and the Kubernetes cluster.
        kubernetes: { [INTERNET]: 4, [POOLS]: 1, [DATA]: 2, [NETWORK]: 4 },
      }[name];
      // A provider's own configuration (the cluster's kubeconfig) is not the secrets policy's to judge.
      const judgedBySecrets = s.resources.filter((r) => !r.type.startsWith("pulumi:providers:")).length;
      assert.deepEqual(await judged(policies, s.resources), { ...want, [SECRETS]: judgedBySecrets });
    });
  }

  it("reads each stack's file and the secret config its program needs", () => {
    assert.deepEqual([...stacks.prod!.context.secrets.keys()], ["mastodon-stack:sshPrivateKey", "mastodon-stack:smtpPassword", "mastodon-stack:backupAccessKey", "mastodon-stack:backupSecretKey"]);
    assert.deepEqual([...stacks.hobby!.context.secrets.keys()], ["mastodon-stack:sshPrivateKey", "mastodon-stack:r2AccessKeyId", "mastodon-stack:r2SecretAccessKey"]);
    // No hosts, no SSH key: the Kubernetes tier needs only the SMTP password.
    assert.deepEqual([...stacks.kubernetes!.context.secrets.keys()], ["mastodon-stack:smtpPassword"]);
    for (const name of STACKS) assert.deepEqual([stacks[name]!.context.source, stacks[name]!.context.protectData, stacks[name]!.context.sshFromAnywhere], [{ file: `stacks/${name}.yaml` }, true, false]);
  });

  it("names every input the program sends as a secret among the inputs made for secrets, and the program marks every one holding a secret", () => {
    for (const name of STACKS) {
      const { resources, context } = stacks[name]!;
      const needles = needlesFor(context.secrets);
      for (const r of resources) {
        // A provider's configuration carries its credentials (the cluster's kubeconfig), as the policy knows.
        if (r.type.startsWith("pulumi:providers:")) continue;
        const made = SECRET_INPUTS[r.type] ?? [];
        for (const k of r.secretInputs) assert.ok(made.includes(k), `${name}: ${r.type} sends ${k} as a secret, which the pack does not expect`);
        for (const k of made) {
          const held = secretIn((r.rawInputs as Record<string, unknown>)[k], needles);
          if (held) assert.ok(r.secretInputs.includes(k), `${name}: ${r.name}.${k} holds ${held} but was sent plain`);
        }
      }
    }
  });
});

describe("policy pack: only the web open to the Internet", () => {
  const sshToWorld = () => mutated(stacks.prod!.resources, "prod-firewalls-base", (_r, i) => ((i.inboundRules as { sourceAddresses: string[] }[])[0]!.sourceAddresses = ["0.0.0.0/0"]));

  it("reports SSH open to 0.0.0.0/0 on a DigitalOcean firewall", async () => {
    assert.deepEqual(await verdicts("prod", sshToWorld()), [{ policy: INTERNET, resource: "prod-firewalls-base", message: `inbound rule 1 opens tcp 22 (SSH) to the Internet (0.0.0.0/0): ${WEB_ONLY}` }]);
  });

  it("accepts SSH from anywhere when the stack file says network.sshFromAnywhere: true", async () => {
    assert.deepEqual(await verdicts("prod", sshToWorld(), { sshFromAnywhere: true }), []);
  });

  it("reports a data port, a wide range and a half-Internet source, never the VPC-only rules beside them", async () => {
    const opened = mutated(stacks.prod!.resources, "prod-firewalls-web", (_r, i) => {
      const rules = i.inboundRules as Record<string, unknown>[];
      rules.push({ protocol: "tcp", portRange: "25060", sourceAddresses: ["10.10.0.0/16", "::/0"] });
      rules.push({ protocol: "udp", portRange: "1-65535", sourceAddresses: ["128.0.0.0/1"] });
    });
    assert.deepEqual(await verdicts("prod", opened, { sshFromAnywhere: true }), [
      { policy: INTERNET, resource: "prod-firewalls-web", message: `inbound rule 2 opens tcp 25060 (managed Postgres) to the Internet (::/0): ${WEB_ONLY}` },
      { policy: INTERNET, resource: "prod-firewalls-web", message: `inbound rule 3 opens udp 1-65535 to the Internet (128.0.0.0/1): ${WEB_ONLY}` },
    ]);
  });

  it("reports a managed database firewall trusting an address range that covers the Internet, not the droplets beside it", async () => {
    const opened = mutated(stacks.prod!.resources, "prod-postgres-firewall", (_r, i) => (i.rules as Record<string, unknown>[]).push({ type: "ipAddr", value: "0.0.0.0/0" }, { type: "ipAddr", value: "203.0.113.7/32" }));
    const rules = (inputs: RecordedResource[]) => ((inputs.find((r) => r.name === "prod-postgres-firewall")!.rawInputs as { rules: unknown[] }).rules.length);
    assert.deepEqual(await verdicts("prod", opened), [
      {
        policy: INTERNET,
        resource: "prod-postgres-firewall",
        message: `database firewall rule ${rules(opened) - 1} trusts 0.0.0.0/0, which covers the Internet: the managed database would take connections from anywhere — it trusts only what runs Mastodon (the application droplets, or the Kubernetes cluster)`,
      },
    ]);
  });

  it("reports Postgres open to ::/0 on a Hetzner firewall, and ignores outbound rules", async () => {
    const opened = mutated(stacks.hobby!.resources, "hobby-firewalls-proxy", (_r, i) => {
      const rules = i.rules as Record<string, unknown>[];
      rules.push({ direction: "out", protocol: "tcp", port: "any", destinationIps: ["::/0"] });
      rules.push({ direction: "in", protocol: "tcp", port: "5432", sourceIps: ["::/0"] });
    });
    assert.deepEqual(await verdicts("hobby", opened), [{ policy: INTERNET, resource: "hobby-firewalls-proxy", message: `rule 4 opens tcp 5432 (Postgres) to the Internet (::/0): ${WEB_ONLY}` }]);
  });
});

describe("policy pack: the Kubernetes tier's exposure", () => {
  it("reports a Gateway listener on a data port, never its 80 and 443", async () => {
    const opened = mutated(stacks.kubernetes!.resources, "large-k8s-routing-gateway", (_r, i) => (i.spec as { listeners: unknown[] }).listeners.push({ name: "postgres", protocol: "TCP", port: 5432 }));
    const n = (opened.find((r) => r.name === "large-k8s-routing-gateway")!.rawInputs as { spec: { listeners: unknown[] } }).spec.listeners.length;
    assert.deepEqual(await verdicts("kubernetes", opened), [{ policy: INTERNET, resource: "large-k8s-routing-gateway", message: `listener ${n} opens tcp 5432 (Postgres) to the Internet (0.0.0.0/0, ::/0): ${WEB_ONLY}` }]);
  });

  it("reports a load-balanced Service opening a data port to the Internet, and accepts one narrowed to the admins", async () => {
    const gateway = stacks.kubernetes!.resources.find((r) => r.name === "large-k8s-routing-gateway")!;
    const service = (spec: Record<string, unknown>): RecordedResource => ({
      ...structuredClone(gateway),
      type: "kubernetes:core/v1:Service",
      name: "large-valkey-exposed",
      rawInputs: { apiVersion: "v1", kind: "Service", metadata: { name: "valkey", namespace: "mastodon" }, spec },
    });
    const open = service({ type: "LoadBalancer", ports: [{ port: 443 }, { port: 25061, protocol: "TCP" }] });
    assert.deepEqual(await verdicts("kubernetes", [open]), [{ policy: INTERNET, resource: "large-valkey-exposed", message: `port 2 opens tcp 25061 (managed pool and Valkey) to the Internet (0.0.0.0/0, ::/0): ${WEB_ONLY}` }]);
    assert.deepEqual(await verdicts("kubernetes", [service({ type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.7/32"], ports: [{ port: 25061 }] })]), []);
    assert.deepEqual(await verdicts("kubernetes", [service({ type: "ClusterIP", ports: [{ port: 25061 }] })]), []);
  });

  it("reports a Kubernetes cluster outside the stack's VPC", async () => {
    const outside = mutated(stacks.kubernetes!.resources, "large-cluster", (_r, i) => delete i.vpcUuid, ":KubernetesCluster");
    assert.deepEqual(await verdicts("kubernetes", outside), [
      { policy: NETWORK, resource: "large-cluster", message: "the Kubernetes cluster has no vpcUuid: its nodes would join the region's default VPC, shared with every other droplet of the account, instead of the stack's" },
    ]);
  });

  it("reports the SMTP password written into the chart's values instead of its Secret", async () => {
    const leaked = mutated(stacks.kubernetes!.resources, "large-k8s-release", (_r, i) => ((i.values as { mastodon: { extraEnvVars: Record<string, string> } }).mastodon.extraEnvVars.SMTP_PASSWORD = "offline-smtpPassword"), "helm.sh/v3:Release");
    assert.deepEqual(await verdicts("kubernetes", leaked), [{ policy: SECRETS, resource: "large-k8s-release", message: `values holds the value of the secret config mastodon-stack:smtpPassword: ${IN_THE_OPEN}` }]);
  });
});

describe("policy pack: transaction pools", () => {
  it("a session pool passes only when the stack file asks for session mode (the planner then sizes the pool for every client)", async () => {
    const session = mutated(stacks.prod!.resources, "prod-postgres-pool", (_r, i) => (i.mode = "session"));
    assert.deepEqual(await verdicts("prod", session, { sessionPool: true }), []);
    const statement = mutated(stacks.prod!.resources, "prod-postgres-pool", (_r, i) => (i.mode = "statement"));
    assert.deepEqual((await verdicts("prod", statement, { sessionPool: true })).map((v) => v.policy), [POOLS]);
  });

  it("reports a pool in session mode the stack file did not ask for", async () => {
    const session = mutated(stacks.prod!.resources, "prod-postgres-pool", (_r, i) => (i.mode = "session"));
    assert.deepEqual(await verdicts("prod", session), [
      {
        policy: POOLS,
        resource: "prod-postgres-pool",
        message: "the pool runs in session mode; Mastodon's must run in transaction mode (postgres.pool.mode: transaction): statement mode splits its transactions, session mode gives every client a server connection of its own, which the connection budget does not provide",
      },
    ]);
  });
});

describe("policy pack: protected data", () => {
  const unprotect = (r: RecordedResource) => (r.protect = false);

  it("reports an unprotected volume, media bucket, Postgres cluster and server keeping Postgres on its disk", async () => {
    assert.deepEqual(await verdicts("single", mutated(stacks.single!.resources, "single-hosts-box-data", unprotect, ":Volume")), [{ policy: DATA, resource: "single-hosts-box-data", message: unprotected("the volume", "single") }]);
    assert.deepEqual(await verdicts("prod", mutated(stacks.prod!.resources, "prod-media", unprotect, ":SpacesBucket")), [{ policy: DATA, resource: "prod-media", message: unprotected("the Spaces bucket", "prod") }]);
    assert.deepEqual(await verdicts("prod", mutated(stacks.prod!.resources, "prod-postgres", unprotect, ":DatabaseCluster")), [{ policy: DATA, resource: "prod-postgres", message: unprotected("the Postgres cluster", "prod") }]);
    assert.deepEqual(await verdicts("hobby", mutated(stacks.hobby!.resources, "hobby-hosts-data", unprotect, ":Server")), [
      { policy: DATA, resource: "hobby-hosts-data", message: unprotected("the server keeping Postgres on its own disk", "hobby") },
    ]);
  });

  it("lets a stack whose file sets protectData: false go unprotected, and only then", async () => {
    const open = await recordStack("hobby", parseStack(edited("hobby", (d) => (d.protectData = false)), "hobby.yaml"));
    assert.deepEqual(await verdicts("hobby", open.resources, { protectData: false }), []);
    assert.deepEqual(await verdicts("hobby", open.resources), [
      { policy: DATA, resource: "hobby-hosts-data", message: unprotected("the server keeping Postgres on its own disk", "hobby") },
      { policy: DATA, resource: "hobby-media", message: unprotected("the R2 bucket", "hobby") },
    ]);
  });
});

describe("policy pack: every host on the private network", () => {
  it("reports a droplet without vpcUuid", async () => {
    const outside = mutated(stacks.prod!.resources, "prod-hosts-web-1", (_r, i) => delete i.vpcUuid);
    assert.deepEqual(await verdicts("prod", outside), [
      { policy: NETWORK, resource: "prod-hosts-web-1", message: "the droplet has no vpcUuid: it would join the region's default VPC, shared with every other droplet of the account, instead of the stack's" },
    ]);
  });

  it("reports a Hetzner server with no network", async () => {
    const outside = mutated(stacks.hobby!.resources, "hobby-hosts-workers", (_r, i) => (i.networks = []));
    assert.deepEqual(await verdicts("hobby", outside), [
      { policy: NETWORK, resource: "hobby-hosts-workers", message: "the server joins no private network (no networks entry with a networkId): the plan's private addresses, which every internal connection dials, would not exist" },
    ]);
  });
});

describe("policy pack: secrets only in inputs made for them", () => {
  it("reports a secret config value in a droplet's user data, naming the config, never the value", async () => {
    const leaked = mutated(stacks.prod!.resources, "prod-hosts-web-1", (_r, i) => (i.userData = `${String(i.userData)}\nSMTP_PASSWORD=offline-smtpPassword\n`));
    const found = await verdicts("prod", leaked);
    assert.deepEqual(found, [{ policy: SECRETS, resource: "prod-hosts-web-1", message: `userData holds the value of the secret config mastodon-stack:smtpPassword: ${IN_THE_OPEN}` }]);
  });

  it("reports a private key on a command line", async () => {
    const leaked = mutated(stacks.hobby!.resources, "hobby-host-data-boot", (_r, i) => (i.create = "printf '%s' '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn…\n-----END OPENSSH PRIVATE KEY-----' > /root/key"));
    assert.deepEqual(await verdicts("hobby", leaked), [{ policy: SECRETS, resource: "hobby-host-data-boot", message: `create holds a private key (PEM): ${IN_THE_OPEN}` }]);
  });

  it("marks a secret-carrying input that arrived plain as secret, which no validation can see", async () => {
    // web's bundle holds the R2 keys (media uploads), which the pack recognises by value.
    const plain = mutated(stacks.hobby!.resources, "hobby-host-web-converge", (r) => (r.secretInputs = r.secretInputs.filter((k) => k !== "stdin")));
    const policies = mastodonPolicies(stacks.hobby!.context);
    assert.deepEqual(await violations(policies, plain), []);
    assert.deepEqual(await remediations(policies, plain), [{ policy: SECRETS, resource: "hobby-host-web-converge", message: "stdin marked secret" }]);
  });
});
