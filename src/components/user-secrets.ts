// Secrets only the admin can give (SMTP password, storage keys made in a dashboard): which
// Pulumi config names a stack needs, mapped onto the plan's markers. Checked all at once before
// any resource is registered, so a missing one stops the run with every `pulumi config set` line.
import type { Spec } from "../spec/schema/stack";

export interface UserSecretNeed {
  /** The plan's marker ({{secret:MARKER}}). */
  marker: string;
  /** The Pulumi config key (without the project prefix). */
  config: string;
  what: string;
}

/** The config name of the SSH private key `pulumi up` configures the hosts with. */
export const SSH_PRIVATE_KEY_CONFIG = "sshPrivateKey";

/** Config names for R2 media keys: an R2 API token's S3 credentials, made in the Cloudflare dashboard. */
export const R2_KEY_CONFIG = { accessKey: "r2AccessKeyId", secretKey: "r2SecretAccessKey" } as const;

export function userSecretNeeds(spec: Spec): UserSecretNeed[] {
  const needs: UserSecretNeed[] = [];
  const smtp = spec.mail?.smtp;
  if (smtp) needs.push({ marker: "SMTP_PASSWORD", config: smtp.passwordSecret, what: "SMTP password" });
  const backup = spec.backups?.target.s3;
  if (backup) {
    needs.push({ marker: "BACKUP_ACCESS_KEY_ID", config: backup.accessKeySecret, what: "backup bucket access key id" });
    needs.push({ marker: "BACKUP_SECRET_ACCESS_KEY", config: backup.secretKeySecret, what: "backup bucket secret key" });
  }
  if (spec.media.s3) {
    needs.push({ marker: "S3_ACCESS_KEY_ID", config: spec.media.s3.accessKeySecret, what: "media bucket access key id" });
    needs.push({ marker: "S3_SECRET_ACCESS_KEY", config: spec.media.s3.secretKeySecret, what: "media bucket secret key" });
  }
  if (spec.media.r2) {
    needs.push({ marker: "S3_ACCESS_KEY_ID", config: R2_KEY_CONFIG.accessKey, what: "R2 API token's access key id (R2 → Manage API tokens, Object Read & Write on the media bucket)" });
    needs.push({ marker: "S3_SECRET_ACCESS_KEY", config: R2_KEY_CONFIG.secretKey, what: "R2 API token's secret access key" });
  }
  return needs;
}

/** Plain config values (not secrets) the stack needs. */
export function plainConfigNeeds(spec: Spec): { config: string; what: string }[] {
  return spec.media.r2 ? [{ config: "cloudflareAccountId", what: "Cloudflare account id that owns the R2 bucket" }] : [];
}

export class MissingConfigError extends Error {
  constructor(project: string, missing: { config: string; what: string; secret: boolean }[]) {
    super(
      [
        `the stack needs ${missing.length} Pulumi config value${missing.length === 1 ? "" : "s"} that ${missing.length === 1 ? "is" : "are"} not set:`,
        ...missing.map((m) => `  ${m.config}: ${m.what}\n    fix: pulumi config set${m.secret ? " --secret" : ""} ${project}:${m.config} <value>`),
      ].join("\n"),
    );
    this.name = "MissingConfigError";
  }
}
