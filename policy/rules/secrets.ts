// Secrets travel only in inputs made for them. The program sends every secret as a Pulumi secret
// in a few inputs — a command's stdin (the converge bundle, the database setup) and connection
// (the SSH key), a TLS resource's private key, a Kubernetes Secret's stringData — which Pulumi
// encrypts in its state and hides in diffs. Anywhere else a secret is out in the open: a command line (`ps`, the engine's logs),
// user data (the provider's metadata service), a tag, a label or a name.
//
// What a policy can and cannot see. The SDK unwraps secrets before validateResource runs, so a
// validation sees every value in plain text and cannot tell whether it was marked secret. It can
// recognise two kinds of secret by value (./recognise.ts): a PEM private key, and the value of one
// of the stack's secret config entries (the engine gives the pack its stack's configuration,
// decrypted), each as written or base64-encoded. So it reports such a value in any input not made
// for secrets. A remediation does see secret-ness, and the SDK lets it mark a value secret: an
// input made for secrets that holds a recognisable secret but arrived plain is handed back marked,
// so the engine encrypts it. Secrets generated at deployment (random passwords, provider-made
// passwords) cannot be recognised by value: that they travel only as secrets rests on the
// program, and its tests assert it.
import { Secret, type ResourceValidationPolicy } from "@pulumi/policy";
import type { PackContext } from "../context";
import { sentInput } from "./inputs";
import { needlesFor, secretIn } from "./recognise";

const SECRETS_POLICY = "secrets-only-in-secret-inputs";

/**
 * Per type, the inputs made to carry secrets: the program marks them secret (and the TLS SDK its
 * key inputs itself). A test holds this table to what the program sends.
 */
export const SECRET_INPUTS: Readonly<Record<string, readonly string[]>> = {
  "command:remote:Command": ["connection", "stdin", "triggers"],
  // The Kubernetes tier's Secrets: what the pods read through existingSecret and secretKeyRef.
  "kubernetes:core/v1:Secret": ["stringData"],
  "tls:index/certRequest:CertRequest": ["privateKeyPem"],
  "tls:index/locallySignedCert:LocallySignedCert": ["caPrivateKeyPem"],
  "tls:index/selfSignedCert:SelfSignedCert": ["privateKeyPem"],
};

/** A provider's own configuration carries its credentials by design. */
const PROVIDER_TYPE = /^pulumi:providers:/;

function secretMessage(input: string, found: string): string {
  return `${input} holds ${found}: secrets travel only in inputs made for them (a command's stdin or connection, a TLS resource's private key, a Kubernetes Secret's data), which Pulumi encrypts — never in a command line, user data, a tag or a name`;
}

export function secretsOnlyInSecretInputs(ctx: PackContext): ResourceValidationPolicy {
  const needles = needlesFor(ctx.secrets);
  return {
    name: SECRETS_POLICY,
    description: "A PEM private key or a secret config value appears only in inputs made for secrets, and those are marked secret.",
    // Remediations run before validations; a violation of this policy is still mandatory.
    enforcementLevel: "remediate",
    validateResource: (args, report) => {
      if (PROVIDER_TYPE.test(args.type)) return args.notApplicable("a provider's configuration carries its credentials");
      const made = SECRET_INPUTS[args.type] ?? [];
      for (const input of Object.keys(args.props)) {
        if (made.includes(input)) continue;
        const found = secretIn(sentInput(args.props, input), needles);
        if (found) report(secretMessage(input, found));
      }
    },
    remediateResource: (args) => {
      const made = SECRET_INPUTS[args.type];
      if (!made) return args.notApplicable("has no input made for secrets");
      let marked = false;
      for (const input of made) {
        const sent = sentInput(args.props, input);
        if (sent instanceof Secret || secretIn(sent, needles) === undefined) continue;
        // Through the SDK's props, so it serialises the change as a secret for the engine.
        args.props[input] = new Secret(sent);
        marked = true;
      }
      return marked ? args.props : undefined;
    },
  };
}
