// Spec → Plan. Pure and deterministic: no I/O besides reading templates, no Pulumi, no clock.
import type { Spec } from "../spec/schema/stack";
import { CapacityError } from "./capacity/capacity-error";
import { budgetProblems, connectionBudget } from "./capacity/connections";
import { postgresSettings } from "./capacity/data-tuning";
import { pgbouncerHosts } from "./capacity/hosts";
import { sizeStack } from "./capacity/stack-sizing";
import { memoryProblems } from "./capacity/memory";
import { consolidation } from "./capacity/consolidation";
import { oversizedHosts } from "./capacity/rightsizing";
import { estimateCost } from "./cost";
import { makeEndpoints } from "./endpoints";
import type { RenderContext } from "./render/context";
import { renderHost } from "./render";
import { renderCloudInit } from "./render/cloud-init";
import { plannedPackages } from "./render/cloud-init/packages";
import { packageStep } from "./render/packages-step";
import { expandHosts } from "./topology";
import type { Plan, PlannedHost } from "./types";
import { servicePlan } from "./services";
import { buildKubernetesPlan } from "./kubernetes";
import { planWarnings } from "./warnings";
import { webDomainOf } from "../spec/dns";

export { CapacityError } from "./capacity/capacity-error";
export type { Plan } from "./types";

/** Sizes every host and checks memory and connections: what a plan must pass before anything renders. */
function sizeAndCheck(spec: Spec) {
  const instances = expandHosts(spec);
  const pgbouncers = pgbouncerHosts(spec, instances);
  const sizing = sizeStack(spec, instances, pgbouncers);
  const sized = sizing.hosts;
  const pgHost = sized.find((h) => h.roles.includes("postgres"));
  const budget = connectionBudget({ spec, hosts: sized, postgresVcpu: pgHost?.vcpu ?? 0 });
  const problems = [...memoryProblems(spec, sized), ...budgetProblems(budget, spec)];
  return { pgbouncers, sizing, sized, pgHost, budget, problems };
}

const fitsCapacity = (spec: Spec): boolean => {
  try {
    return sizeAndCheck(spec).problems.length === 0;
  } catch {
    // A layout the sizing itself cannot place (e.g. too small for one Puma worker) does not fit.
    return false;
  }
};

/** Builds the whole plan, or throws CapacityError with every problem and its fix. */
export function buildPlan(spec: Spec): Plan {
  if (spec.kubernetes) return buildKubernetesPlan(spec);
  const { pgbouncers, sizing, sized, pgHost, budget, problems } = sizeAndCheck(spec);
  if (problems.length > 0) throw new CapacityError(problems);

  const maxConnections = budget.databaseLimit + (spec.postgres.managed ? 0 : 3);
  const pg = pgHost
    ? postgresSettings(pgHost.allotment.postgresMb, pgHost.memoryMb, pgHost.processes.length === 0, maxConnections, pgHost.vcpu, spec.tuning.postgres?.sharedBuffersMb)
    : undefined;
  const services = servicePlan(spec, sized, pgbouncers, pg, maxConnections, budget);
  const ctx: RenderContext = {
    spec,
    hosts: sized,
    services,
    budget,
    ...(pg ? { postgres: pg } : {}),
    ...(services.redis.kind === "selfHosted" ? { redisMaxmemoryMb: services.redis.maxmemoryMb } : {}),
    ...(services.search.kind === "selfHosted" ? { searchHeapMb: services.search.heapMb } : {}),
    endpointsFor: makeEndpoints(spec, sized, pgbouncers),
  };
  const hosts: PlannedHost[] = sized.map((host) => {
    const { allotment: _a, instance: _i, sidekiqSizing: _s, ...h } = host;
    const files = renderHost(ctx, host);
    // One answer for both: the first boot installs what the packages step later keeps installed.
    const wanted = plannedPackages(ctx, host, files);
    return { ...h, files, userData: renderCloudInit(ctx, host, files, wanted), packages: packageStep(ctx, host, wanted) };
  });
  const webDomain = webDomainOf(spec);
  return {
    stack: { name: spec.name, domain: spec.domain, webDomain, provider: spec.provider.cloud, region: spec.provider.region, mastodonVersion: spec.mastodon.version },
    hosts,
    services,
    budget,
    cost: estimateCost(spec, hosts),
    sizing: { scheduler: sizing.scheduler, sidekiq: sizing.sidekiq },
    warnings: [...sizing.warnings, ...planWarnings(spec, hosts), ...oversizedHosts(spec, sized, pgbouncers), ...consolidation(spec, sized, fitsCapacity)],
  };
}
