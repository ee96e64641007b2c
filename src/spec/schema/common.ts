import { z } from "zod";

// Names end up in unit names, DNS labels and Pulumi resource names, so keep them to one safe alphabet.
export const Name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/, {
    error: "must be 1-32 lowercase letters, digits or '-', starting with a letter (e.g. web, worker-2)",
  });

export const DomainName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "must be a lowercase DNS name such as example.social",
  });

const ipv4 = String.raw`(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;

export const Ipv4Cidr = z
  .string()
  .regex(new RegExp(`^${ipv4}/(3[0-2]|[12]?\\d)$`), { error: "must be an IPv4 CIDR such as 10.10.0.0/16" });

export const Cidr = z.union([Ipv4Cidr, z.cidrv6()], {
  error: "must be a CIDR such as 203.0.113.7/32 or 2001:db8::/64",
});

/**
 * An S3 bucket name as AWS, Spaces, R2 and B2 all accept it: 3-63 lowercase letters, digits,
 * '-' and '.', starting and ending with a letter or digit, no "..", not an IP address.
 */
export const BucketName = z
  .string()
  .regex(/^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)(?!.*\.-)(?!.*-\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    error: "must be an S3 bucket name: 3-63 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit (e.g. example-social-media)",
  });

/** A provider's region or an S3 region: tor1, fsn1, us-west-004, auto. */
export const Region = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/, { error: "must be a region slug such as tor1, fsn1 or us-west-004" });

/** One or more DNS labels (a DKIM selector such as mx or s1.mail). */
export const DnsLabels = z
  .string()
  .regex(/^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/, {
    error: "must be DNS labels (letters, digits, '-', separated by '.') such as mx or s1.mail",
  });

/** Where local backups go: a normalised absolute path under /var/backups/ (root's, never a system directory). */
export const BackupPath = z
  .string()
  .regex(/^\/var\/backups(\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})+$/, {
    error: "must be a directory under /var/backups/ such as /var/backups/mastodon (no '..', no '//', no trailing '/')",
  });

/** The longest interval a schedule may have, in minutes (7d). */
export const MAX_INTERVAL_MINUTES = 7 * 24 * 60;

/**
 * "4h", "30m", "1d": how often something runs, at most weekly. Unbounded, 99999999999999999999d
 * became an OnUnitActiveSec= that overflows systemd's 64-bit microseconds (and a float in JS);
 * a backup rarer than weekly is no backup policy, and weekly is the longest interval the timer
 * says in calendar form (Sun 02:00), so Persistent= still catches up a run missed while down.
 */
export const Duration = z
  .string()
  .regex(/^[1-9]\d*(m|h|d)$/, { error: "must be a duration like 30m, 4h or 1d" })
  .refine((s) => {
    const n = Number(s.slice(0, -1));
    return n * (s.endsWith("d") ? 1440 : s.endsWith("h") ? 60 : 1) <= MAX_INTERVAL_MINUTES;
  }, { error: "must be at most 7d (168h, 10080m): run it at least weekly" });

/**
 * Text that lands in /etc/mastodon/env.production, read both by systemd (EnvironmentFile=) and by
 * dotenv: `$`, backslashes, quotes and backticks are expanded or unescaped by one and not the
 * other, and leading or trailing spaces are trimmed by one of them. The env renderer refuses the
 * same set (src/plan/render/env/format.ts imports this), so it is checked here, with a line.
 */
export const ENV_TEXT = /^[A-Za-z0-9_.,:/@%+=<>{}\-*~!?[\]() #;']*$/;

export const EnvText = z
  .string()
  .regex(ENV_TEXT, { error: "may hold only letters, digits, spaces and . , : / @ % + = < > { } - * ~ ! ? [ ] ( ) # ; ' (not $, \\, quotes or backticks, which systemd and dotenv read differently)" })
  .refine((s) => s.trim() === s, { error: "must not start or end with a space" });

/** The name of a Pulumi config secret (set with `pulumi config set --secret NAME`), never the value. */
export const SecretRef = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, {
    error: "must name a Pulumi config secret (letters, digits, _), set with `pulumi config set --secret <name>`",
  });

export const Port = z.number().int().min(1).max(65535);

export const Role = z.enum(["proxy", "web", "streaming", "sidekiq", "postgres", "pgbouncer", "redis", "search", "media"]);
export type Role = z.infer<typeof Role>;

// Priority order from upstream's docs (docs.joinmastodon.org/admin/scaling, checked 2026-11-24);
// `fasp` arrived in 4.4 for Fediverse Auxiliary Service Providers.
export const QUEUES = ["default", "push", "ingress", "mailers", "pull", "scheduler", "fasp"] as const;
export const Queue = z.enum(QUEUES);
export type Queue = z.infer<typeof Queue>;

/** The queues a release enqueues jobs on, in priority order: `fasp` only from 4.4 (mastodon#34415). */
export function queuesOf(version: string): Queue[] {
  const [major, minor] = version.slice(1).split(".").map(Number);
  const fasp = (major ?? 0) > 4 || ((major ?? 0) === 4 && (minor ?? 0) >= 4);
  return QUEUES.filter((q) => q !== "fasp" || fasp);
}
