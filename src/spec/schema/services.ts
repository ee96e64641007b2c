import { z } from "zod";
import { BackupPath, BucketName, DnsLabels, DomainName, Duration, ENV_TEXT, EnvText, Name, Port, Region, SecretRef } from "./common";

/** Objects that hold exactly one of several alternatives, keyed by the alternative's name. */
export function oneOf<T extends z.ZodRawShape>(shape: T, what: string) {
  const keys = Object.keys(shape);
  return z.strictObject(shape).superRefine((value, ctx) => {
    const set = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          set.length === 0
            ? `${what} needs one of: ${keys.join(", ")}`
            : `${what} takes only one of ${keys.join(", ")}, but sets ${set.join(" and ")}: keep one`,
      });
    }
  });
}

export const PoolMode = z.enum(["transaction", "session", "statement"]);

export const Pool = z.strictObject({
  enabled: z.boolean().default(true),
  mode: PoolMode.default("transaction").describe("transaction is what Mastodon supports behind PgBouncer (with PREPARED_STATEMENTS=false)."),
  size: z.number().int().min(1).max(5000).optional().describe("Server-side connections; defaults to what the database allows less the reserve."),
  maxClientConn: z.number().int().min(1).max(100000).optional().describe("Client-side limit; defaults to the planned client connections plus the reserve."),
});

const PgVersion = z.enum(["14", "15", "16", "17"]);

export const Postgres = z
  .strictObject({
    managed: z
      .strictObject({
        size: z.string().min(1),
        nodes: z.number().int().min(1).max(3, { error: "must be at most 3 (DigitalOcean's limit per cluster)" }).default(1),
        version: PgVersion.default("16"),
      })
      .optional(),
    selfHosted: z
      .strictObject({
        host: Name.describe("The host group with the postgres role."),
        // Debian 13's own PostgreSQL; another major comes from apt.postgresql.org (PGDG).
        version: PgVersion.default("17"),
      })
      .optional(),
    pool: Pool.default({ enabled: true, mode: "transaction" }),
    database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default("mastodon_production"),
    user: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default("mastodon"),
  })
  .superRefine((v, ctx) => {
    if ((v.managed === undefined) === (v.selfHosted === undefined)) {
      ctx.addIssue({ code: "custom", message: "postgres needs exactly one of: managed, selfHosted" });
    }
  });

export const Redis = oneOf(
  {
    managed: z.strictObject({ size: z.string().min(1) }).optional(),
    selfHosted: z.strictObject({ host: Name, maxmemoryMb: z.number().int().min(16).optional() }).optional(),
  },
  "redis",
);

export const Search = oneOf(
  {
    off: z.literal(true).optional(),
    managed: z.strictObject({ size: z.string().min(1) }).optional(),
    selfHosted: z.strictObject({ host: Name, heapMb: z.number().int().min(256).optional() }).optional(),
  },
  "search",
);

export const Media = oneOf(
  {
    spaces: z
      .strictObject({ region: Region, cdn: z.boolean().default(true), bucket: BucketName.optional() })
      .optional(),
    r2: z
      .strictObject({
        bucket: BucketName.optional(),
        customDomain: DomainName.optional().describe("Served from this host name (a Cloudflare custom domain on the bucket)."),
      })
      .optional(),
    s3: z
      .strictObject({
        // Becomes S3_ENDPOINT in env.production, so it takes the same characters as EnvText.
        endpoint: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).regex(ENV_TEXT, { error: "may hold only letters, digits and . , : / @ % + = - * ~ ! ? [ ] ( ) # ; ' (not $, \\, &, quotes or backticks, which systemd and dotenv read differently)" }),
        region: Region,
        bucket: BucketName,
        aliasHost: DomainName.optional().describe("Public host for media URLs (a CDN or custom domain): becomes S3_ALIAS_HOST."),
        permission: z.enum(["public-read", "private", ""]).default("public-read"),
        accessKeySecret: SecretRef,
        secretKeySecret: SecretRef,
      })
      .optional(),
    local: z.strictObject({}).optional(),
  },
  "media",
);

const Zone = DomainName.optional().describe("The DNS zone the records go in (the registered domain); defaults to the instance's domain.");

export const Dns = z.discriminatedUnion("provider", [
  z.strictObject({ provider: z.literal("digitalocean"), zone: Zone }),
  z.strictObject({ provider: z.literal("cloudflare"), zoneId: z.string().regex(/^[a-f0-9]{32}$/, { error: "must be the 32-hex-digit Cloudflare zone id" }), zone: Zone }),
  z.strictObject({ provider: z.literal("none") }),
]);

export const Mail = z.strictObject({
  smtp: z.strictObject({
    host: DomainName,
    port: Port.default(587),
    user: EnvText.min(1).max(254),
    from: EnvText.min(3).max(254),
    passwordSecret: SecretRef.default("smtpPassword").describe("Pulumi config secret that holds the SMTP password."),
    tls: z.enum(["starttls", "tls"]).default("starttls"),
  }),
  records: z
    .strictObject({
      spf: z.string().startsWith("v=spf1 ", { error: "must start with \"v=spf1 \"" }).optional(),
      dkim: z
        .array(z.strictObject({ selector: DnsLabels, value: z.string().min(1) }))
        .default([])
        .describe("TXT records at <selector>._domainkey.<domain>, as the mail provider gives them."),
      dmarc: z.string().startsWith("v=DMARC1;", { error: "must start with \"v=DMARC1;\"" }).optional(),
    })
    .optional()
    .describe("Mail authentication records for the instance's domain, created on the stack's DNS provider."),
});

export const Backups = z.strictObject({
  every: Duration.default("24h"),
  keepDays: z.number().int().min(1).max(3650).default(14),
  target: oneOf(
    {
      s3: z
        .strictObject({
          endpoint: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
          bucket: BucketName,
          region: Region.default("auto"),
          accessKeySecret: SecretRef.default("backupAccessKey"),
          secretKeySecret: SecretRef.default("backupSecretKey"),
        })
        .optional(),
      local: z.strictObject({ path: BackupPath }).optional(),
    },
    "backups.target",
  ),
});

export const LoadBalancer = z.strictObject({
  enabled: z.boolean().default(false),
  tls: z.enum(["passthrough", "terminate"]).default("passthrough").describe("passthrough keeps TLS on the proxies (PROXY protocol carries the client address)."),
});
