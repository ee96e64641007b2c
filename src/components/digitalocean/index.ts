import type { ProviderFactory } from "../contract";

// Placeholder while the digitalocean components are written.
export const createDigitalOcean: ProviderFactory = () => {
  throw new Error("digitalocean components are not written yet");
};
