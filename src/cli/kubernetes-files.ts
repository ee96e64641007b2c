// What the offline plan writes for a stack on Kubernetes, in place of host files: the values the
// program hands Mastodon's chart and every object it writes beside it, as YAML an admin can read
// (and `kubectl apply --dry-run=server` once the cluster exists). Values known only after
// `pulumi up` appear as <output:NAME>, secrets as <redacted:NAME>. The components add three
// one-off Jobs of their own (database ownership, the owner account, the registrations mode) and
// the add-on releases; plan.json's resource graph has every one.
import { stringify } from "yaml";
import { chartValues } from "../plan/kubernetes/chart-values";
import { endpointsFromOutputs } from "../plan/kubernetes/cluster-endpoints";
import { allObjects, ownManifests } from "../plan/kubernetes/manifests/all";
import type { SecretValues } from "../plan/kubernetes/manifests/secrets";
import type { Plan } from "../plan/types";
import type { Spec } from "../spec/schema/stack";
import type { OutputFile } from "./output";

const out = (name: string) => `<output:${name}>`;
const secret = (name: string) => `<redacted:${name}>`;

export function kubernetesFiles(spec: Spec, plan: Plan): OutputFile[] {
  const at = endpointsFromOutputs(spec, out, (...parts) => parts.join(""), out("secrets.revision"));
  const secrets: SecretValues<string> = {
    secretKeyBase: secret("SECRET_KEY_BASE"),
    vapidPrivateKey: secret("VAPID_PRIVATE_KEY"),
    vapidPublicKey: out("VAPID_PUBLIC_KEY"),
    activeRecordPrimaryKey: secret("ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY"),
    activeRecordDeterministicKey: secret("ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY"),
    activeRecordDerivationSalt: secret("ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT"),
    postgresPassword: secret("DB_PASS"),
    redisPassword: secret("REDIS_PASSWORD"),
    s3AccessKeyId: secret("S3_ACCESS_KEY_ID"),
    s3SecretAccessKey: secret("S3_SECRET_ACCESS_KEY"),
    ...(spec.mail ? { smtpPassword: secret("SMTP_PASSWORD") } : {}),
    ...(spec.search.managed ? { searchPassword: secret("ES_PASS") } : {}),
    postgresCaCertificate: out("postgres.caCertificate"),
  };
  const m = ownManifests(spec, plan, at, secrets);
  const objects = allObjects(m);
  const k = plan.kubernetes!;
  return [
    { path: "kubernetes/mastodon-values.yaml", content: `# helm upgrade --install ${k.release} ${k.chart.name} --repo ${k.chart.repository} --version ${k.chart.version} -n ${k.namespace} -f this\n${stringify(chartValues(spec, plan, at), { sortMapEntries: true, aliasDuplicateObjects: false })}` },
    { path: "kubernetes/objects.yaml", content: objects.map((o) => stringify(o, { sortMapEntries: true, aliasDuplicateObjects: false })).join("---\n") },
  ];
}
