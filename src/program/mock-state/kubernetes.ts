// What the mocked Kubernetes provider answers: every object comes back with the metadata the API
// server adds (uid, resourceVersion) and, where the program reads them, the statuses controllers
// write — a Helm release deployed, the Gateway given its load balancer's address.
import { octet, type Computed, type State } from "./octet";

/** The API server's additions to any object's metadata. */
export function kubernetesObject(name: string, inputs: State): State {
  const metadata = (inputs.metadata ?? {}) as State;
  return { metadata: { ...metadata, uid: `${name}-uid`, resourceVersion: "1", generation: 1 } };
}

export const KUBERNETES: Computed = {
  "kubernetes:helm.sh/v3:Release": (n, i) => ({
    status: {
      name: i.name ?? n,
      namespace: i.namespace ?? "default",
      chart: i.chart,
      version: i.version,
      appVersion: "mock",
      revision: 1,
      status: "deployed",
    },
  }),
  // Cilium's Gateway controller writes the address of the load balancer DigitalOcean made for it.
  "kubernetes:gateway.networking.k8s.io/v1:Gateway": (n, i) => ({
    ...kubernetesObject(n, i),
    status: {
      addresses: [{ type: "IPAddress", value: `198.51.100.${octet(n, "gateway")}` }],
      conditions: [{ type: "Programmed", status: "True", reason: "Programmed" }],
    },
  }),
};
