// Resources whose loss loses the instance's data — the Postgres cluster or the host that keeps
// Postgres on its own disk, data volumes, media buckets — are created with Pulumi's `protect`
// unless the stack file turns it off: `pulumi destroy`, or an edit that would replace one, then
// stops with an error instead of deleting data. `pulumi state unprotect` lifts it deliberately.
import type { PlannedHost } from "../plan/types";

export interface Protection {
  protect?: true;
}

export function dataProtection(enabled: boolean): Protection {
  return enabled ? { protect: true } : {};
}

/** A host whose own disk is the only copy of the database (self-hosted Postgres without a volume). */
export function keepsDataOnDisk(host: Pick<PlannedHost, "roles" | "volumeGb">): boolean {
  return host.roles.includes("postgres") && host.volumeGb === undefined;
}

/**
 * How such a host says so on the provider's side, so the policy pack (policy/) can demand
 * `protect` of it without knowing the plan: a DigitalOcean tag (a colon cannot occur in a stack
 * name, so no stack's own tag can collide) and a Hetzner label. Set whatever protectData says:
 * it states a fact about the disk, not a wish.
 */
export const DATA_ON_DISK = { tag: "mastodon:data-on-disk", label: "data-on-disk", value: "true" } as const;
