// The Secrets the chart's pods and our Jobs read (names and keys: ../names.ts). The values come
// from the components (pulumi.secret outputs); this only shapes them, so a key the chart reads
// can never be missing or misspelled.
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { Spec } from "../../../spec/schema/stack";
import type { Plan } from "../../types";
import { DO_SEARCH_USER } from "../../endpoints";
import { kubernetesOf } from "../chart-values";
import type { Lift } from "../cluster-endpoints";
import { ownLabels, SECRETS, type SecretKind } from "../names";

/** Secret material and the managed database's CA, from the components. */
export interface SecretValues<T> {
  secretKeyBase: T;
  vapidPrivateKey: T;
  vapidPublicKey: T;
  activeRecordPrimaryKey: T;
  activeRecordDeterministicKey: T;
  activeRecordDerivationSalt: T;
  postgresPassword: T;
  redisPassword: T;
  s3AccessKeyId: T;
  s3SecretAccessKey: T;
  /** With spec.mail only. */
  smtpPassword?: T;
  /** With managed search only. */
  searchPassword?: T;
  postgresCaCertificate: T;
}

export type SecretManifest<T> = Lift<ISecret, T> & { metadata: { name: string; namespace: string } };

/** Which Secrets a stack needs: the search credentials only with managed search. */
export function secretKinds(spec: Spec): SecretKind[] {
  return (Object.keys(SECRETS) as SecretKind[]).filter((k) => k !== "elasticsearch" || spec.search.managed !== undefined);
}

function data<T>(spec: Spec, kind: SecretKind, v: SecretValues<T>): Record<string, string | T> {
  const need = (x: T | undefined, what: string): T => {
    if (x === undefined) throw new Error(`the ${SECRETS[kind].name} Secret needs ${what}`);
    return x;
  };
  switch (kind) {
    case "app":
      return {
        "secret-key-base": v.secretKeyBase,
        "vapid-private-key": v.vapidPrivateKey,
        "vapid-public-key": v.vapidPublicKey,
        "are-primary-key": v.activeRecordPrimaryKey,
        "are-deterministic-key": v.activeRecordDeterministicKey,
        "are-derivation-salt": v.activeRecordDerivationSalt,
      };
    case "postgres":
      return { username: spec.postgres.user, password: v.postgresPassword };
    case "redis":
      return { password: v.redisPassword };
    case "s3":
      return { "access-key-id": v.s3AccessKeyId, "secret-access-key": v.s3SecretAccessKey };
    case "smtp": {
      // The chart hands SMTP_LOGIN/SMTP_PASSWORD to Sidekiq whether or not mail is set up: empty without it.
      const smtp = spec.mail?.smtp;
      return smtp ? { username: smtp.user, password: need(v.smtpPassword, "the SMTP password (smtpPassword)") } : { username: "", password: "" };
    }
    case "elasticsearch":
      return { username: DO_SEARCH_USER, password: need(v.searchPassword, "the search password (searchPassword)") };
    case "postgresCa":
      return { "ca.crt": v.postgresCaCertificate };
  }
}

/** One Secret of the stack, as stringData (the API server encodes it), keys sorted. */
export function secretManifest<T>(spec: Spec, plan: Plan, kind: SecretKind, values: SecretValues<T>): SecretManifest<T> {
  const k = kubernetesOf(plan);
  const d = data(spec, kind, values);
  const keys = Object.keys(d).sort();
  const expected = [...SECRETS[kind].keys].sort();
  // The chart reads exactly these keys (its existingSecretKeys defaults).
  if (keys.join() !== expected.join()) throw new Error(`${SECRETS[kind].name}: keys ${keys.join(", ")} are not the chart's ${expected.join(", ")}`);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: SECRETS[kind].name, namespace: k.namespace, labels: ownLabels(k.release, "secrets") },
    type: "Opaque",
    stringData: Object.fromEntries(keys.map((key) => [key, d[key]!])),
  };
}

/** Every Secret of the stack, in secretKinds' order. */
export function secretManifests<T>(spec: Spec, plan: Plan, values: SecretValues<T>): SecretManifest<T>[] {
  return secretKinds(spec).map((kind) => secretManifest(spec, plan, kind, values));
}
