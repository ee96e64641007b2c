// Every policy of the pack, built for one stack's context. Pure: nothing here starts the
// PolicyPack's server, so tests call each policy's validateResource and remediateResource directly.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { PackContext } from "./context";
import { dataIsProtected } from "./rules/data";
import { internetReachesOnlyTheWeb } from "./rules/internet";
import { poolsInTransactionMode } from "./rules/pools";
import { hostsOnPrivateNetwork } from "./rules/private-network";
import { secretsOnlyInSecretInputs } from "./rules/secrets";

export function mastodonPolicies(ctx: PackContext): ResourceValidationPolicy[] {
  return [internetReachesOnlyTheWeb(ctx), poolsInTransactionMode(ctx), dataIsProtected(ctx), hostsOnPrivateNetwork, secretsOnlyInSecretInputs(ctx)];
}
