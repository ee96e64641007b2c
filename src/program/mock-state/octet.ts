import { createHash } from "node:crypto";

export type State = Record<string, unknown>;
export type Computed = Record<string, (name: string, inputs: State) => State>;

/** A small number from a name, so mock addresses differ per resource and never change. */
export function octet(name: string, salt: string): number {
  return (createHash("sha256").update(`${salt}:${name}`).digest()[0]! % 200) + 20;
}
