import type { ProviderFactory } from "../contract";

// Placeholder while the hetzner components are written.
export const createHetzner: ProviderFactory = () => {
  throw new Error("hetzner components are not written yet");
};
