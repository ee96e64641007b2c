// Small things every Hetzner component needs: ids in the type the provider's arguments want,
// and the labels that let an admin find a stack's resources in the Console or with
// `hcloud server list -l stack=<name>`.
import * as pulumi from "@pulumi/pulumi";

/**
 * Hetzner ids are integers, but Pulumi carries every resource id as a string, and most hcloud
 * arguments that reference another resource (networkId, serverId, firewallIds, …) are typed
 * number. Subnet ids and a load balancer service's loadBalancerId stay strings: pass those as is.
 */
export function hcloudId(id: pulumi.Input<string>): pulumi.Output<number> {
  return pulumi.output(id).apply((v) => Number(v));
}

/**
 * Label values may not hold commas or spaces (docs.hetzner.cloud/reference/cloud#labels), so a
 * host's roles become one key each (`role-proxy=true`), which also makes them selectable.
 */
export function stackLabels(stack: string, roles: readonly string[] = []): Record<string, string> {
  return { stack, ...Object.fromEntries(roles.map((r) => [`role-${r}`, "true"])) };
}
