// The Pulumi program. It plans the stack file named in the Pulumi config and exports what the
// plan decided. Cloud resources (components) attach to this plan; nothing here re-decides sizing.
import * as pulumi from "@pulumi/pulumi";
import { buildPlan } from "./plan";
import { loadStack } from "./spec/load";

const config = new pulumi.Config();
const stackFile = config.get("stackFile") ?? `stacks/${pulumi.getStack()}.yaml`;
const plan = buildPlan(loadStack(stackFile));

export const instanceUrl = `https://${plan.stack.webDomain}`;
export const monthlyCost = { ...plan.cost.total };
export const hosts = plan.hosts.map((h) => ({ name: h.name, size: h.size, roles: h.roles, processes: h.processes.map((p) => p.unit) }));
export const connectionBudget = { clients: plan.budget.clientTotal, reserve: plan.budget.reserve, pool: plan.budget.poolSize ?? null, databaseLimit: plan.budget.databaseLimit };
