// Reading a resource's inputs the way the policy SDK hands them over. During a preview an input
// computed from another resource's output is not known yet, and reading it through the SDK's
// `props` throws: the SDK turns that into an advisory "can't run during preview" instead of a
// verdict (the check then runs at `pulumi up`, before the resource is created). Where a policy
// needs to know only that an input is there — a droplet's VPC id — or must look inside values
// without tripping on unknown parts, it reads what the engine sent instead: the value, or the
// engine's placeholder string for one not known yet. The SDK's proxies intercept property reads
// only, so getOwnPropertyDescriptor reaches that sent value.

/** A top-level input as the engine sent it (a placeholder string when not known yet). */
export function sentInput(props: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(props, key)?.value;
}

/** Given at all: not absent, not null, not an empty string or list. */
export function isGiven(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  return !Array.isArray(value) || value.length > 0;
}
