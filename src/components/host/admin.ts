// The first admin account of a new instance, created with tootctl in the same environment the
// units get (systemd-run reads the env files exactly as systemd does for the services).
import { PATHS } from "../../plan/render/context";
import { shellQuote } from "../../plan/render/shell";


function tootctl(args: string[]): string {
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

/** Creates the owner account and prints its generated password; an existing one is made owner instead. */
export function adminCommand(username: string, email: string): string {
  return `${tootctl(["accounts", "create", username, "--email", email, "--confirmed", "--role", "Owner"])} || ${tootctl(["accounts", "modify", username, "--role", "Owner", "--confirm"])}`;
}
