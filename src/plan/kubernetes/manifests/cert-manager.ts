// Let's Encrypt certificates for the Gateway's listeners: cert-manager watches the Gateway's
// `cert-manager.io/cluster-issuer` annotation and proves each name over HTTP-01 through a route
// it attaches to the Gateway's HTTP listener.
import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import { kubernetesOf } from "../chart-values";
import { CLUSTER_ISSUER, GATEWAY_NAME, HTTP_LISTENER, ownLabels } from "../names";

/** Let's Encrypt's production ACME directory (the VM tier's certbot uses the same CA). */
export const LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

export function clusterIssuer(spec: Spec, plan: Plan): IClusterIssuer & { metadata: { name: string } } {
  const k = kubernetesOf(plan);
  const email = spec.mastodon.admin?.email;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: CLUSTER_ISSUER, labels: ownLabels(k.release, "certificates") },
    spec: {
      acme: {
        server: LETS_ENCRYPT,
        // Expiry warnings go to the admin; ACME accounts need no address, so none without one.
        ...(email ? { email } : {}),
        privateKeySecretRef: { name: `${CLUSTER_ISSUER}-account-key` },
        solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, namespace: k.namespace, sectionName: HTTP_LISTENER }] } } }],
      },
    },
  };
}
