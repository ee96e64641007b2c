// Secrets a policy can recognise by value: the stack's secret config values and PEM private keys,
// as written and base64-encoded — the converge bundle carries every file base64-encoded, and
// cloud-init may carry files so too. A value's base64 form depends on where in the encoded data it
// starts (its offset modulo 3), so each is searched as three "cores": the characters of its
// encoding that no neighbouring byte touches. The shortest secret searched (8 bytes) still leaves
// a core of 10 characters, which an unrelated input matches only by a vanishing chance.
import { Secret } from "@pulumi/policy";

export interface Needle {
  text: string;
  /** What finding it means, for a message: never the value itself. */
  what: string;
  /** A config secret's value (it names the secret), not a key's armour. */
  configured: boolean;
}

/** The parts of `text`'s base64 encoding that do not depend on the bytes around it, one per alignment. */
export function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Character i covers bits [6i, 6i+6): keep those after the padding bytes and before the end.
    return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
  });
}

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** Every PEM private key's armour ends so ("-----BEGIN EC PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"). */
const PEM_TAIL = "PRIVATE KEY-----";

export function needlesFor(secrets: ReadonlyMap<string, string>): Needle[] {
  const out: Needle[] = [];
  for (const [name, value] of secrets) {
    out.push({ text: value, what: `the value of the secret config ${name}`, configured: true });
    for (const core of base64Cores(value)) out.push({ text: core, what: `the value of the secret config ${name}, base64-encoded`, configured: true });
  }
  for (const core of base64Cores(PEM_TAIL)) out.push({ text: core, what: "a private key (PEM), base64-encoded", configured: false });
  return out;
}

/** The recognisable secret a sent value holds, if any; parts already marked secret are skipped. */
export function secretIn(value: unknown, needles: readonly Needle[]): string | undefined {
  if (value instanceof Secret) return undefined;
  if (typeof value === "string") {
    // A config secret first: it says which one (an SSH key in config is a PEM key as well).
    const configured = needles.find((n) => n.configured && value.includes(n.text));
    if (configured) return configured.what;
    if (PEM_PRIVATE_KEY.test(value)) return "a private key (PEM)";
    // No config secret matched above: only the key armour's cores are left to look for.
    return needles.find((n) => !n.configured && value.includes(n.text))?.what;
  }
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) {
      const found = secretIn(v, needles);
      if (found) return found;
    }
  }
  return undefined;
}
