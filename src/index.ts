// The Pulumi program `pulumi up` runs: the stack file named in the config (default
// stacks/<pulumi stack>.yaml) → spec → plan → components. A bad stack file or missing config
// throws before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { mastodonProgram, readProgramConfig } from "./program";
import { planStackFile } from "./program/plan-file";
import { stackFileFor } from "./program/stack-file";

const config = new pulumi.Config();
const { spec, plan } = planStackFile(stackFileFor(pulumi.getStack(), config.get("stackFile")));
const { outputs } = mastodonProgram(spec, plan, readProgramConfig(spec, config));

export const instanceUrl = outputs.instanceUrl;
export const monthlyCost = outputs.monthlyCost;
export const hosts = outputs.hosts;
export const sshKnownHosts = outputs.sshKnownHosts;
export const connectionBudget = outputs.connectionBudget;
export const loadBalancerAddress = outputs.exports.loadBalancerAddress;
export const databaseHost = outputs.exports.databaseHost;
export const mediaHost = outputs.exports.mediaHost;
export const warnings = plan.warnings;
/** `pulumi stack output --show-secrets adminAccount`: the first admin's generated password. */
export const adminAccount = outputs.adminAccount;
/**
 * Kubernetes tier: the cluster's id and API endpoint (`doctl kubernetes cluster kubeconfig save
 * <clusterId>` — never the kubeconfig, whose token would sit in every stack output) and the
 * address of the Gateway the DNS names point at.
 */
export const clusterId = outputs.exports.clusterId;
export const clusterEndpoint = outputs.exports.clusterEndpoint;
export const gatewayAddress = outputs.exports.gatewayAddress;
