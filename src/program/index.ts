// The program, shared by `pulumi up` (src/index.ts, real config) and the offline plan (mocks,
// placeholder config): config is read and checked completely before the first resource exists.
import * as pulumi from "@pulumi/pulumi";
import type { ProgramConfig } from "../components/contract";
import { hostKeyFingerprint, knownHostsLines } from "../components/host/host-key";
import { MastodonInstance } from "../components/instance";
import { MissingConfigError, plainConfigNeeds, SSH_PRIVATE_KEY_CONFIG, userSecretNeeds } from "../components/user-secrets";
import type { Plan } from "../plan/types";
import type { Spec } from "../spec/schema/stack";

export const PROJECT = "mastodon-stack";

/** What `pulumi stack output` shows an admin. */
export interface ProgramOutputs {
  instanceUrl: string;
  monthlyCost: { currency: string; monthly: number };
  /** Addresses, and the SSH host key every connection is pinned to with its fingerprint (to compare with the server's console). */
  hosts: Record<string, pulumi.Output<{ privateAddress: string; publicIpv4: string | null; publicIpv6: string | null; sshHostKey: string; sshHostKeyFingerprint: string }>>;
  /** known_hosts lines for every host's public addresses: `pulumi stack output sshKnownHosts >> ~/.ssh/known_hosts`. */
  sshKnownHosts: pulumi.Output<string>;
  exports: Record<string, pulumi.Output<string>>;
  connectionBudget: { clients: number; reserve: number; pool: number | null; databaseLimit: number };
  /** tootctl's answer when it created the first admin (holds the generated password): secret. */
  adminAccount?: pulumi.Output<string>;
}

/** Reads the Pulumi config the stack needs; every missing value is reported in one error. */
export function readProgramConfig(spec: Spec, config: pulumi.Config): ProgramConfig {
  const missing: { config: string; what: string; secret: boolean }[] = [];
  // The Kubernetes tier has no hosts to log in to: DOKS manages its nodes.
  const hosts = !spec.kubernetes;
  const sshKeys = config.getObject<string[]>("sshKeys");
  if (hosts && (!sshKeys || sshKeys.length === 0)) missing.push({ config: "sshKeys", what: "SSH keys installed for root (DigitalOcean key ids or fingerprints, Hetzner key names), as a JSON list", secret: false });
  const sshPrivateKey = config.getSecret(SSH_PRIVATE_KEY_CONFIG);
  if (hosts && !sshPrivateKey) missing.push({ config: SSH_PRIVATE_KEY_CONFIG, what: `the private key for those SSH keys, used to configure the hosts (pulumi config set --secret ${PROJECT}:${SSH_PRIVATE_KEY_CONFIG} < ~/.ssh/id_ed25519)`, secret: true });
  const plain: Record<string, string> = {};
  for (const need of plainConfigNeeds(spec)) {
    const v = config.get(need.config);
    if (v) plain[need.config] = v;
    else missing.push({ ...need, secret: false });
  }
  const userSecrets: Record<string, pulumi.Output<string>> = {};
  for (const need of userSecretNeeds(spec)) {
    const v = config.getSecret(need.config);
    if (v) userSecrets[need.config] = v;
    else if (!missing.some((m) => m.config === need.config)) missing.push({ config: need.config, what: need.what, secret: true });
  }
  if (missing.length > 0) throw new MissingConfigError(PROJECT, missing);
  return { sshKeys: sshKeys ?? [], ...(sshPrivateKey ? { sshPrivateKey } : {}), ...(plain.cloudflareAccountId ? { cloudflareAccountId: plain.cloudflareAccountId } : {}), userSecrets };
}

/** Stand-ins for the offline plan: every user secret still travels as a secret. */
export function offlineConfig(spec: Spec): ProgramConfig {
  const userSecrets = Object.fromEntries(userSecretNeeds(spec).map((n) => [n.config, pulumi.secret(`offline-${n.config}`)]));
  const ssh = spec.kubernetes ? { sshKeys: [] } : { sshKeys: ["offline-ssh-key"], sshPrivateKey: pulumi.secret("offline-ssh-private-key") };
  return { ...ssh, cloudflareAccountId: "0123456789abcdef0123456789abcdef", userSecrets };
}

export function mastodonProgram(spec: Spec, plan: Plan, config: ProgramConfig): { instance: MastodonInstance; outputs: ProgramOutputs } {
  const instance = new MastodonInstance(spec.name, { spec, plan, config });
  const hosts = Object.fromEntries(
    Object.values(instance.provider.hosts).map((h) => [
      h.name,
      pulumi
        .all([h.privateAddress, h.publicIpv4 ?? null, h.publicIpv6 ?? null, instance.converge[h.name]!.hostKey])
        .apply(([privateAddress, publicIpv4, publicIpv6, sshHostKey]) => ({ privateAddress, publicIpv4, publicIpv6, sshHostKey, sshHostKeyFingerprint: hostKeyFingerprint(sshHostKey) })),
    ]),
  );
  const sshKnownHosts = pulumi
    .all(Object.values(hosts))
    // No hosts (the Kubernetes tier): nothing to pin, not even an empty line.
    .apply((all) => (all.length === 0 ? "" : knownHostsLines(all.map((h) => ({ addresses: [h.publicIpv4, h.publicIpv6].filter((a): a is string => a !== null), key: h.sshHostKey })))));
  return {
    instance,
    outputs: {
      instanceUrl: `https://${plan.stack.webDomain}`,
      monthlyCost: { currency: plan.cost.total.currency, monthly: plan.cost.total.monthly },
      hosts,
      sshKnownHosts,
      exports: instance.exports,
      ...(instance.release?.adminOutput ? { adminAccount: instance.release.adminOutput } : {}),
      connectionBudget: { clients: plan.budget.clientTotal, reserve: plan.budget.reserve, pool: plan.budget.poolSize ?? null, databaseLimit: plan.budget.databaseLimit },
    },
  };
}
