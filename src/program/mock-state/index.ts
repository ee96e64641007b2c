// What the mocked providers answer: the inputs echoed back plus the outputs a real provider
// computes (addresses, hostnames, ports, generated values), deterministic from the name so two
// offline plans are byte-identical. One file per provider.
import { COMMON } from "./common";
import { DIGITALOCEAN } from "./digitalocean";
import { HETZNER } from "./hetzner";
import type { Computed, State } from "./octet";

const COMPUTED: Computed = { ...COMMON, ...DIGITALOCEAN, ...HETZNER };

export function mockState(type: string, name: string, inputs: State): State {
  return { ...inputs, ...(COMPUTED[type]?.(name, inputs) ?? {}) };
}
