// The first admin account of a new instance and the registrations mode, set with tootctl in the
// same environment the units get (systemd-run reads the env files exactly as systemd does for
// the services). The options are upstream's (src/catalog/tootctl.ts; a test checks them).
import { PATHS } from "../../plan/render/context";
import { shellQuote } from "../../plan/render/shell";

/** tootctl's arguments as this module passes them, for the options check. */
export function tootctlCall(args: string[]): string {
  return [
    "systemd-run --quiet --wait --pipe --collect",
    "-p User=mastodon -p Group=mastodon",
    `-p WorkingDirectory=${PATHS.live}`,
    "-p EnvironmentFile=/etc/mastodon/env.production",
    "-p EnvironmentFile=/etc/mastodon/env.maintenance",
    "-E RAILS_ENV=production",
    "/usr/bin/bundle exec bin/tootctl",
    ...args.map(shellQuote),
  ].join(" ");
}

/** The tootctl arguments of the owner account: created (approved, so registrations in approval mode do not leave it pending), or made owner. */
export function adminArgs(username: string, email: string): { create: string[]; modify: string[] } {
  return {
    create: ["accounts", "create", username, "--email", email, "--confirmed", "--approve", "--role", "Owner"],
    modify: ["accounts", "modify", username, "--role", "Owner", "--confirm", "--approve"],
  };
}

/** Creates the owner account and prints its generated password; an existing one is made owner instead. */
export function adminCommand(username: string, email: string): string {
  const a = adminArgs(username, email);
  return `${tootctlCall(a.create)} || ${tootctlCall(a.modify)}`;
}

/** The stack's `registrations` as tootctl names the modes (upstream's `close` sets "none"). */
export function registrationsArgs(mode: "open" | "approval" | "closed"): string[] {
  return ["settings", "registrations", { open: "open", approval: "approved", closed: "close" }[mode]];
}

export function registrationsCommand(mode: "open" | "approval" | "closed"): string {
  return tootctlCall(registrationsArgs(mode));
}
