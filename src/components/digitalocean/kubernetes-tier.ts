// DigitalOcean for the Kubernetes tier: the VPC, the cluster in it, and the managed data services
// trusting the cluster. No droplets, no Cloud Firewalls of ours (DOKS manages its nodes' own) and
// no load balancer resource: the cluster's Gateway makes its Service, and DigitalOcean's cloud
// controller makes the balancer for it.
import type { ProviderFactory } from "../contract";
import { createDataServices } from "./data-services";
import { DigitalOceanKubernetes } from "./kubernetes";
import { DigitalOceanNetwork } from "./network";
import { trustedCluster } from "./trusted-sources";

export const createDigitalOceanKubernetes: ProviderFactory = (name, { spec, plan }, opts) => {
  const k = plan.kubernetes;
  if (!k) throw new Error("createDigitalOceanKubernetes needs a plan with a Kubernetes tier");
  const region = spec.provider.region;
  const stack = spec.name;
  const network = new DigitalOceanNetwork(`${name}-vpc`, { vpcName: `${stack}-${region}`, region, ipRange: spec.network.privateCidr }, opts);
  const cluster = new DigitalOceanKubernetes(`${name}-cluster`, { stack, region, vpcId: network.vpcId, plan: k }, opts);
  // Every node, including those the autoscaler adds later, reaches the data services; nothing else does.
  const data = createDataServices(name, { spec, plan, vpcId: network.vpcId, trusted: trustedCluster(cluster.clusterId) }, opts);
  return {
    ...data,
    hosts: {},
    ingress: { ipv4: [], ipv6: [] },
    cluster: { id: cluster.clusterId, endpoint: cluster.endpoint, provider: cluster.provider },
    exports: { ...data.exports, clusterId: cluster.clusterId, clusterEndpoint: cluster.endpoint },
  };
};
