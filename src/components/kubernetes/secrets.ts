// The Secrets the chart's pods, KEDA and our Jobs read, shaped by the pure builder
// (plan/kubernetes/manifests/secrets.ts) from the values the cloud resources and the generated
// secrets hold. Their stringData travels as a Pulumi secret: encrypted in the state, hidden in
// every diff, never in the chart's values.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import type { Plan } from "../../plan/types";
import { secretKinds, secretManifest, type SecretValues } from "../../plan/kubernetes/manifests/secrets";
import { SECRETS, type SecretKind } from "../../plan/kubernetes/names";
import type { Spec } from "../../spec/schema/stack";

type Values = Readonly<Record<string, pulumi.Output<string>>>;

export interface MastodonSecretsArgs {
  spec: Spec;
  plan: Plan;
  /** The namespace's name, from the Namespace resource (so each Secret waits for it). */
  namespace: pulumi.Output<string>;
  provider: kubernetes.Provider;
  /** Values by the plan's secret marker (SECRET_KEY_BASE, DB_PASS, …) and output name (postgres.caCertificate). */
  secrets: Values;
  outputs: Values;
}

/** Which generated or provider-made value fills each of the builder's fields. */
export function secretValues(secrets: Values, outputs: Values): SecretValues<pulumi.Output<string>> {
  const need = (values: Values, key: string): pulumi.Output<string> => {
    const v = values[key];
    if (v === undefined) throw new Error(`the Kubernetes tier's Secrets need ${key}, which nothing in the stack provides`);
    return v;
  };
  return {
    secretKeyBase: need(secrets, "SECRET_KEY_BASE"),
    vapidPrivateKey: need(secrets, "VAPID_PRIVATE_KEY"),
    vapidPublicKey: need(secrets, "VAPID_PUBLIC_KEY"),
    activeRecordPrimaryKey: need(secrets, "ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY"),
    activeRecordDeterministicKey: need(secrets, "ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY"),
    activeRecordDerivationSalt: need(secrets, "ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT"),
    postgresPassword: need(secrets, "DB_PASS"),
    redisPassword: need(secrets, "REDIS_PASSWORD"),
    s3AccessKeyId: need(secrets, "S3_ACCESS_KEY_ID"),
    s3SecretAccessKey: need(secrets, "S3_SECRET_ACCESS_KEY"),
    ...(secrets.SMTP_PASSWORD ? { smtpPassword: secrets.SMTP_PASSWORD } : {}),
    ...(secrets.ES_PASS ? { searchPassword: secrets.ES_PASS } : {}),
    postgresCaCertificate: need(outputs, "postgres.caCertificate"),
  };
}

export class MastodonSecrets extends pulumi.ComponentResource {
  public readonly byKind: Partial<Record<SecretKind, kubernetes.core.v1.Secret>>;
  /**
   * Changes whenever any Secret does: Pulumi replaces a changed Secret (they are immutable to it),
   * and the replacement has a new uid. The pods carry it as an annotation, so they restart and
   * read the new values — Kubernetes hands a Secret to env only when a container starts.
   */
  public readonly revision: pulumi.Output<string>;

  constructor(name: string, args: MastodonSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:kubernetes:Secrets", name, {}, opts);
    const values = secretValues(args.secrets, args.outputs);
    this.byKind = {};
    for (const kind of secretKinds(args.spec)) {
      const m = secretManifest(args.spec, args.plan, kind, values);
      this.byKind[kind] = new kubernetes.core.v1.Secret(
        `${name}-${m.metadata.name}`,
        { ...m, metadata: { ...m.metadata, namespace: args.namespace }, stringData: pulumi.secret(pulumi.output(m.stringData ?? {})) },
        { parent: this, provider: args.provider },
      );
    }
    this.revision = pulumi.all(Object.values(this.byKind).map((s) => s.metadata.uid)).apply((uids) => createHash("sha256").update(uids.join(",")).digest("hex").slice(0, 16));
    this.registerOutputs({ revision: this.revision });
  }

  /** The Secret of one kind (it must exist for this stack). */
  public secret(kind: SecretKind): kubernetes.core.v1.Secret {
    const s = this.byKind[kind];
    if (!s) throw new Error(`the stack has no ${SECRETS[kind].name} Secret`);
    return s;
  }
}
