// The Kubernetes tier's cloud side under mocks (stacks/kubernetes.yaml, and a second node pool):
// the DOKS cluster in the VPC with its autoscaled pools and the provider that reaches it; the
// managed services trusting exactly the cluster; no droplet, no balancer or firewall of ours,
// nothing but the Gateway's 80/443 facing the Internet; DNS at the Gateway's address.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { addon, byName, clusterId, gatewayAddress, kubernetesObjects, raw, runKubernetesStack, runTwoPools, T, type Obj } from "../helpers/kubernetes-program";
import { inputs, one, ofType, type ProgramRun } from "../helpers/program";
import { validateObject } from "../helpers/k8s-validate";

let k8s: ProgramRun;
let twoPools: ProgramRun;

before(async () => {
  k8s = await runKubernetesStack();
  twoPools = await runTwoPools();
});

describe("kubernetes: the DOKS cluster", () => {
  it("puts the cluster in the stack's VPC and region with VPC-native subnets, the newest patch of the planned minor, and patch upgrades in a window with a surge node", () => {
    const c = inputs(one(k8s, T.cluster, "large-cluster"));
    const k = k8s.plan.kubernetes!;
    assert.deepEqual(
      [c.name, c.region, c.vpcUuid, c.clusterSubnet, c.serviceSubnet, c.ha, c.autoUpgrade, c.surgeUpgrade],
      ["large-k8s", "tor1", `${one(k8s, T.vpc, "large-vpc").name}-id`, k.podCidr, k.serviceCidr, k.highAvailability, true, true],
    );
    // The mocked versions data source answers for the prefix it was asked: 1.34. → 1.34.2-do.0.
    assert.equal(c.version, "1.34.2-do.0");
    assert.deepEqual(c.maintenancePolicy, { day: "sunday", startTime: "04:00" });
    assert.equal(c.destroyAllAssociatedResources, undefined, "destroying the cluster must not take volumes and balancers it did not create");
  });

  it("makes the first planned pool the cluster's own, autoscaled between the planned minimum and maximum with no fixed count", () => {
    const pool = inputs(one(k8s, T.cluster, "large-cluster")).nodePool as Obj;
    const planned = k8s.plan.kubernetes!.nodePools[0]!;
    assert.deepEqual([pool.name, pool.size, pool.autoScale, pool.minNodes, pool.maxNodes, pool.nodeCount], [planned.name, planned.size, true, 3, 8, undefined]);
    assert.deepEqual([planned.minNodes, planned.maxNodes], [3, 8]);
    assert.deepEqual(pool.labels, { "mastodon-stack/pool": "apps" });
    assert.equal(ofType(k8s, T.nodePool).length, 0);
  });

  it("adds every further pool as a node pool of the cluster, named <name>-pool-<pool>, autoscaled as planned", () => {
    assert.deepEqual(ofType(twoPools, T.nodePool).map((p) => p.name), ["large-cluster-pool-workers"]);
    const p = inputs(one(twoPools, T.nodePool, "large-cluster-pool-workers"));
    const planned = twoPools.plan.kubernetes!.nodePools.find((x) => x.name === "workers")!;
    assert.deepEqual([p.clusterId, p.name, p.size, p.autoScale, p.minNodes, p.maxNodes, p.nodeCount], [clusterId(twoPools), "workers", planned.size, true, planned.minNodes, planned.maxNodes, undefined]);
    assert.equal((inputs(one(twoPools, T.cluster, "large-cluster")).nodePool as Obj).name, "apps");
  });

  it("talks to the cluster through a provider whose kubeconfig is a secret, replaced only with the cluster", () => {
    const providers = ofType(k8s, T.provider);
    assert.equal(providers.length, 1);
    const p = providers[0]!;
    assert.deepEqual(p.secretInputs, ["kubeconfig"]);
    assert.equal(inputs(p).kubeconfig, "<redacted>");
    assert.equal(inputs(p).clusterIdentifier, clusterId(k8s));
    assert.match(String(raw(p).kubeconfig), /token: mock-k8s-token-/);
    // Every object on the cluster goes through it.
    const objects = kubernetesObjects(k8s);
    assert.ok(objects.length > 20);
    for (const o of objects) assert.equal(o.provider, p.urn, `${o.type} ${o.name}`);
  });

  it("exports the cluster's id and endpoint and the Gateway's address, never a kubeconfig or its token", () => {
    assert.equal(k8s.exports.clusterId, clusterId(k8s));
    assert.equal(k8s.exports.clusterEndpoint, "https://large-cluster-id.k8s.ondigitalocean.example");
    assert.equal(k8s.exports.gatewayAddress, gatewayAddress(k8s));
    assert.ok(!JSON.stringify(k8s.exports).includes("mock-k8s-token"));
    assert.deepEqual([k8s.hostAddresses, k8s.hostFiles, k8s.sshKnownHosts], [{}, {}, ""]);
  });
});

describe("kubernetes: the managed services trust the cluster", () => {
  it("trusts exactly the cluster (type k8s) on Postgres, Valkey and OpenSearch, and no droplet", () => {
    const fws = ofType(k8s, T.dbFirewall);
    assert.deepEqual(fws.map((f) => f.name).sort(), ["large-opensearch-firewall", "large-postgres-firewall", "large-valkey-firewall"]);
    for (const f of fws) assert.deepEqual(inputs(f).rules, [{ type: "k8s", value: clusterId(k8s) }], f.name);
  });

  it("keeps every managed cluster in the VPC, and the Postgres cluster protected", () => {
    const vpcId = `${one(k8s, T.vpc, "large-vpc").name}-id`;
    for (const c of ofType(k8s, T.database)) assert.equal(inputs(c).privateNetworkUuid, vpcId, c.name);
    assert.equal(one(k8s, T.database, "large-postgres").protect, true);
  });
});

describe("kubernetes: what faces the Internet", () => {
  it("creates no droplet, no DigitalOcean load balancer or Cloud Firewall, no SSH step and no internal CA", () => {
    for (const type of [T.droplet, T.lb, T.firewall, T.service, "command:remote:Command", "tls:index/selfSignedCert:SelfSignedCert"]) assert.equal(ofType(k8s, type).length, 0, type);
  });

  it("opens only the Gateway's 80 and 443, and no managed database to an address range", () => {
    const gw = ofType(k8s, T.gateway);
    assert.equal(gw.length, 1);
    const listeners = ((inputs(gw[0]!).spec as Obj).listeners as Obj[]).map((l) => [l.protocol, l.port]);
    assert.deepEqual([...new Set(listeners.map(([, port]) => port))].sort(), [443, 80]);
    for (const f of ofType(k8s, T.dbFirewall)) assert.ok(!(inputs(f).rules as Obj[]).some((r) => r.type === "ipAddr"), f.name);
    // Nothing anywhere names Postgres's port: the pods reach the managed pool on 25061 inside the VPC.
    assert.ok(!/"port":5432\b/.test(JSON.stringify(k8s.resources.map((r) => r.inputs))));
  });

  it("waits for the Gateway's address and points every DNS name at it, IPv4 only", () => {
    const gw = one(k8s, T.gateway, "large-k8s-routing-gateway");
    assert.equal(((inputs(gw).metadata as Obj).annotations as Obj)["pulumi.com/waitFor"], "jsonpath={.status.addresses[0].value}");
    const records = ofType(twoPools, T.dns).map(inputs);
    const a = records.filter((r) => r.type === "A");
    assert.deepEqual(a.map((r) => r.name).sort(), ["@", "social", "www"]);
    for (const r of a) assert.equal(r.value, gatewayAddress(twoPools));
    assert.equal(records.filter((r) => r.type === "AAAA").length, 0);
  });

  it("redirects plain HTTP to HTTPS, and the local domain to the web domain when they differ", () => {
    assert.deepEqual([...byName(k8s, T.route).keys()], ["mastodon-https-redirect"]);
    assert.deepEqual([...byName(twoPools, T.route).keys()].sort(), ["mastodon-https-redirect", "mastodon-web-domain-redirect"]);
    const issuer = one(k8s, T.issuer, "large-k8s-routing-issuer");
    assert.ok(issuer.dependencies.includes(addon(k8s, "cert-manager").urn), "the ClusterIssuer waits for cert-manager's CRDs");
  });
});

describe("kubernetes: every object the program registers on the cluster", () => {
  it("is valid for its API's OpenAPI schema (core, batch, autoscaling, policy, Gateway API, KEDA, cert-manager), as registered", () => {
    const checked: string[] = [];
    for (const run of [k8s, twoPools]) {
      for (const r of kubernetesObjects(run)) {
        // Helm releases are not Kubernetes objects: their values are held to the chart's contract instead.
        if (r.type === T.release) continue;
        // rawInputs: as registered, secrets revealed (the recorded inputs show a Secret's data as "<redacted>").
        const obj = raw(r) as { apiVersion: string; kind: string; metadata?: { name?: string } };
        validateObject(obj);
        checked.push(`${obj.kind}/${obj.metadata?.name}`);
      }
    }
    // The Namespace, the database-setup and tootctl Jobs and the Secrets are built in the components, not the builders: they are here too.
    for (const kind of ["Namespace/", "Job/mastodon-db-pre-", "Job/mastodon-db-post-", "Secret/", "ScaledObject/", "HorizontalPodAutoscaler/", "PodDisruptionBudget/", "Gateway/", "HTTPRoute/", "ClusterIssuer/", "TriggerAuthentication/"]) {
      assert.ok(checked.some((c) => c.startsWith(kind)), `${kind} was validated: ${checked.join(", ")}`);
    }
    assert.ok(checked.filter((c) => c.startsWith("Job/")).length >= 5, checked.join(", "));
  });

  it("and the validation refuses what the API would: a Job whose container has no image", () => {
    const job = structuredClone(inputs(kubernetesObjects(k8s).find((r) => r.type === T.job)!)) as Obj;
    delete job.spec.template.spec.containers[0].image;
    job.spec.template.spec.containers[0].name = 7;
    assert.throws(() => validateObject(job as { apiVersion: string; kind: string }), /^Error: Job\/.*containers\/0\/name must be string/);
  });
});
