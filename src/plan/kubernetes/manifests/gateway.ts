// The cluster's entry: a Gateway on DOKS's managed Gateway API (Cilium), which provisions the
// DigitalOcean load balancer; TLS ends here with certificates cert-manager issues for the
// listeners' hostnames (its gateway-shim reads the annotation). The chart's HTTPRoutes attach
// to the HTTPS listeners; plain HTTP only redirects (and answers ACME challenges).
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { webDomainOf } from "../../../spec/dns";
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import { appHostnames, kubernetesOf, redirectHostnames } from "../chart-values";
import { CLUSTER_ISSUER, GATEWAY_NAME, HTTP_LISTENER, httpsListener, ownLabels, TLS_SECRET } from "../names";

/**
 * DOKS's managed Gateway API is Cilium's, whose GatewayClass is `cilium` (controller
 * io.cilium/gateway-controller): https://docs.digitalocean.com/products/kubernetes/how-to/use-gateway-api/
 * (validated there 2026-02-09) and https://docs.cilium.io/en/stable/network/servicemesh/gateway-api/http/.
 */
export const GATEWAY_CLASS = "cilium";

type Named<X> = X & { metadata: { name: string; namespace: string } };

/** Every name the Gateway terminates TLS for: the app's, then those that only redirect. */
export function gatewayHostnames(spec: Spec): string[] {
  return [...appHostnames(spec), ...redirectHostnames(spec)];
}

export function gateway(spec: Spec, plan: Plan): Named<IGateway> {
  const k = kubernetesOf(plan);
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: GATEWAY_NAME, namespace: k.namespace, labels: ownLabels(k.release, "gateway"), annotations: { "cert-manager.io/cluster-issuer": CLUSTER_ISSUER } },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      listeners: [
        { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
        // One listener per name, all on one Secret: cert-manager then issues one certificate for every name.
        ...gatewayHostnames(spec).map((hostname) => ({
          name: httpsListener(hostname),
          protocol: "HTTPS",
          port: 443,
          hostname,
          tls: { mode: "Terminate" as const, certificateRefs: [{ kind: "Secret", name: TLS_SECRET }] },
          allowedRoutes: { namespaces: { from: "Same" as const } },
        })),
      ],
    },
  };
}

const parentRef = (namespace: string, sectionName: string) => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, namespace, sectionName });

/**
 * Plain HTTP to HTTPS for every name (the VM tier's port-80 server does the same); cert-manager's
 * ACME solver adds its own exact-path route on this listener, which wins over the prefix.
 */
export function httpsRedirectRoute(plan: Plan): Named<IHTTPRoute> {
  const k = kubernetesOf(plan);
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `${GATEWAY_NAME}-https-redirect`, namespace: k.namespace, labels: ownLabels(k.release, "gateway") },
    spec: {
      parentRefs: [parentRef(k.namespace, HTTP_LISTENER)],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/** The local domain, when the web domain differs, answers only with a redirect to the web domain (as the VM tier's nginx). */
export function webDomainRedirectRoutes(spec: Spec, plan: Plan): Named<IHTTPRoute>[] {
  const k = kubernetesOf(plan);
  const names = redirectHostnames(spec);
  if (names.length === 0) return [];
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: `${GATEWAY_NAME}-web-domain-redirect`, namespace: k.namespace, labels: ownLabels(k.release, "gateway") },
      spec: {
        parentRefs: names.map((n) => parentRef(k.namespace, httpsListener(n))),
        hostnames: names,
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", hostname: webDomainOf(spec), statusCode: 301 } }] }],
      },
    },
  ];
}
