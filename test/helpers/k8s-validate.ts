// Offline OpenAPI validation of Kubernetes objects with kubernetes-models: the class for each
// apiVersion/kind validates the object against the API's schema (or the CRD's, for KEDA,
// cert-manager and the Gateway API) and throws on the first mismatch.
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Gateway, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1";

interface Validating {
  validate(): void;
}
type Ctor = new (data: never) => Validating;

const MODELS: Record<string, Ctor> = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "gateway.networking.k8s.io/v1/Gateway": Gateway,
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication,
  "cert-manager.io/v1/ClusterIssuer": ClusterIssuer,
};

/** Throws with the object's kind/name and the schema's complaint when `obj` is not a valid object of its kind. */
export function validateObject(obj: { apiVersion: string; kind: string; metadata?: { name?: string } }): void {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no model to validate ${key} (${obj.metadata?.name}) with: add it to test/helpers/k8s-validate.ts`);
  try {
    new Model(structuredClone(obj) as never).validate();
  } catch (e) {
    throw new Error(`${obj.kind}/${obj.metadata?.name}: ${(e as Error).message}`);
  }
}
