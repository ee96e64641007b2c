// What the mocked providers answer: the inputs echoed back plus the outputs a real provider
// computes (addresses, hostnames, ports, generated values), deterministic from the name so two
// offline plans are byte-identical. One file per provider.
import { COMMON } from "./common";
import { DIGITALOCEAN } from "./digitalocean";
import { HETZNER } from "./hetzner";
import { KUBERNETES, kubernetesObject } from "./kubernetes";
import type { Computed, State } from "./octet";

const COMPUTED: Computed = { ...COMMON, ...DIGITALOCEAN, ...HETZNER, ...KUBERNETES };

/** Objects on a cluster (not the provider itself, nor a Helm release, which has no metadata). */
const isKubernetesObject = (type: string) => type.startsWith("kubernetes:") && type !== "kubernetes:helm.sh/v3:Release";

export function mockState(type: string, name: string, inputs: State): State {
  const computed = COMPUTED[type] ?? (isKubernetesObject(type) ? kubernetesObject : undefined);
  return { ...inputs, ...(computed?.(name, inputs) ?? {}) };
}
