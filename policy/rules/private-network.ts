// Every host and managed service sits on the stack's private network. A droplet, database
// cluster, Kubernetes cluster or load balancer created without a VPC lands in the region's
// default VPC, shared with every other droplet of the account — and the firewalls open internal
// ports to "the private network" by its range. A Hetzner server without a network has no private address at all, and
// the plan's addresses, which every internal connection dials, would not exist. The program
// attaches servers in their own `networks` argument (never with a separate ServerNetwork, which a
// check of one resource cannot see), so that is where this looks.
//
// An id computed from the network resource is not known during a preview: being given one is
// what counts, so these read what the engine sent rather than the value (see ./inputs.ts).
import * as digitalocean from "@pulumi/digitalocean";
import * as hcloud from "@pulumi/hcloud";
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { isGiven, sentInput } from "./inputs";

const NETWORK_POLICY = "hosts-on-private-network";

const NETWORK_MESSAGES = {
  droplet: "the droplet has no vpcUuid: it would join the region's default VPC, shared with every other droplet of the account, instead of the stack's",
  cluster: "the database cluster has no privateNetworkUuid: it would sit in the region's default VPC, shared with every other droplet of the account, instead of the stack's",
  loadBalancer: "the load balancer has no vpcUuid: it would reach the proxies from the region's default VPC instead of the stack's",
  kubernetes: "the Kubernetes cluster has no vpcUuid: its nodes would join the region's default VPC, shared with every other droplet of the account, instead of the stack's",
  server: "the server joins no private network (no networks entry with a networkId): the plan's private addresses, which every internal connection dials, would not exist",
} as const;

/** DigitalOcean resources that join a VPC, and the input naming it. */
const IN_A_VPC: readonly { is: (args: ResourceValidationArgs) => boolean; input: string; message: string }[] = [
  { is: (a) => a.isType(digitalocean.Droplet), input: "vpcUuid", message: NETWORK_MESSAGES.droplet },
  { is: (a) => a.isType(digitalocean.DatabaseCluster), input: "privateNetworkUuid", message: NETWORK_MESSAGES.cluster },
  { is: (a) => a.isType(digitalocean.LoadBalancer), input: "vpcUuid", message: NETWORK_MESSAGES.loadBalancer },
  { is: (a) => a.isType(digitalocean.KubernetesCluster), input: "vpcUuid", message: NETWORK_MESSAGES.kubernetes },
];

export const hostsOnPrivateNetwork: ResourceValidationPolicy = {
  name: NETWORK_POLICY,
  description: "Every droplet, DigitalOcean database cluster, Kubernetes cluster and load balancer is in a VPC; every Hetzner server has a private network in its networks.",
  validateResource: (args, report) => {
    const vpc = IN_A_VPC.find((x) => x.is(args));
    if (vpc) {
      if (!isGiven(sentInput(args.props, vpc.input))) report(vpc.message);
      return;
    }
    const server = args.asType(hcloud.Server);
    if (!server) return args.notApplicable("not a host or a managed service");
    // The list itself is read through the SDK (an unknown list can't be judged before `up`), each entry's id as sent.
    const networks = server.networks ?? [];
    if (!networks.some((n) => isGiven(sentInput(n, "networkId")))) report(NETWORK_MESSAGES.server);
  },
};
