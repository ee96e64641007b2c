// What reaches a resource from outside, in provider-neutral inbound rules (./internet.ts judges
// them): a Cloud Firewall's rules say it themselves; on the Kubernetes tier the Gateway's
// listeners and a LoadBalancer Service's ports face the Internet through the load balancer
// DigitalOcean makes for them (from anywhere, unless the Service narrows its source ranges); a
// managed database's firewall admits an address range to every port the cluster serves.
import type { ResourceValidationArgs } from "@pulumi/policy";
import { WORLD } from "../../src/components/firewall-rules";

/** One inbound rule in provider-neutral terms. */
export interface Inbound {
  protocol: string;
  /** "22", "8000-9000", "any"; absent when the provider takes none (icmp) or it was left out. */
  ports: string | undefined;
  sources: readonly string[];
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === "object") as Obj[]) : []);
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" ? (v as Obj) : {});

/** Gateway API Gateways (v1 and the older v1beta1) as CustomResources. */
const GATEWAY_TYPE = /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:Gateway$/;
const SERVICE_TYPE = "kubernetes:core/v1:Service";
export const DATABASE_FIREWALL_TYPE = "digitalocean:index/databaseFirewall:DatabaseFirewall";

/** Gateway listener protocols carried over UDP; HTTP, HTTPS, TLS and TCP are TCP. */
const UDP_LISTENERS = new Set(["UDP"]);

/** The inbound rules a Kubernetes object exposes, with what to call one in a message; undefined when it exposes nothing. */
export function clusterExposure(args: Pick<ResourceValidationArgs, "type" | "props">): { label: string; rules: Inbound[] } | undefined {
  const spec = obj(args.props.spec);
  if (GATEWAY_TYPE.test(args.type)) {
    const rules = list(spec.listeners).map((l) => ({ protocol: UDP_LISTENERS.has(String(l.protocol)) ? "udp" : "tcp", ports: String(l.port), sources: WORLD }));
    return { label: "listener", rules };
  }
  if (args.type === SERVICE_TYPE && spec.type === "LoadBalancer") {
    const ranges = Array.isArray(spec.loadBalancerSourceRanges) && spec.loadBalancerSourceRanges.length > 0 ? spec.loadBalancerSourceRanges.map(String) : WORLD;
    const rules = list(spec.ports).map((p) => ({ protocol: String(p.protocol ?? "TCP").toLowerCase(), ports: String(p.port), sources: ranges }));
    return { label: "port", rules };
  }
  return undefined;
}

/** The address ranges a managed database's firewall admits (its `ipAddr` rules), by rule number. */
export function databaseAddressRules(props: Obj): { rule: number; source: string }[] {
  return list(props.rules).flatMap((r, i) => (r.type === "ipAddr" ? [{ rule: i + 1, source: String(r.value) }] : []));
}
