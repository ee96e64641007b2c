// Inbound firewall rules of any provider in one shape, so the safety assertions (nothing but the
// web open to the world, SSH only from the admins) are written once for every stack.
import type { ProgramRun } from "./program";

export interface InboundRule {
  firewall: string;
  protocol: string;
  /** Inclusive port range; 0–65535 when the rule has no port (icmp) or "all". */
  from: number;
  to: number;
  /** Address sources; load balancers as "lb:<uid>". */
  sources: string[];
}

function range(p: unknown): [number, number] {
  if (p === undefined || p === null || p === "" || p === "all" || p === "any") return [0, 65535];
  const [a, b] = String(p).split("-").map(Number);
  return [a!, b ?? a!];
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function inboundRules(run: ProgramRun): InboundRule[] {
  const out: InboundRule[] = [];
  for (const r of run.resources) {
    const i = r.inputs as Obj;
    if (r.type === "digitalocean:index/firewall:Firewall") {
      for (const rule of list(i.inboundRules)) {
        const [from, to] = range(rule.portRange);
        out.push({ firewall: r.name, protocol: String(rule.protocol), from, to, sources: [...strings(rule.sourceAddresses), ...strings(rule.sourceLoadBalancerUids).map((u) => `lb:${u}`), ...strings(rule.sourceTags).map((t) => `tag:${t}`)] });
      }
    }
    if (r.type === "hcloud:index/firewall:Firewall") {
      for (const rule of list(i.rules).filter((x) => x.direction === "in")) {
        const [from, to] = range(rule.port);
        out.push({ firewall: r.name, protocol: String(rule.protocol), from, to, sources: strings(rule.sourceIps) });
      }
    }
  }
  return out;
}

export const WORLD = ["0.0.0.0/0", "::/0"];

export function covers(rule: InboundRule, port: number): boolean {
  return rule.protocol !== "icmp" && rule.from <= port && port <= rule.to;
}
