// The private CA for traffic between hosts (Postgres, PgBouncer, Redis with
// network.encryptInternal) and a certificate per serving host, valid for its private address
// so clients can use verify-full. Keys stay in the encrypted state and reach hosts as secrets.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface InternalTlsArgs {
  /** The hosts that serve TLS, with the address clients dial. */
  servers: { name: string; address: pulumi.Input<string> }[];
  /** Subject organisation: the stack name. */
  organization: string;
}

// Ten years for the CA, two for leaf certificates: `pulumi up` re-issues a leaf when it is
// within earlyRenewalHours of expiry, so a stack applied at least monthly never sees one lapse.
const CA_HOURS = 10 * 365 * 24;
const LEAF_HOURS = 2 * 365 * 24;
const EARLY_RENEWAL_HOURS = 60 * 24;

export class InternalTls extends pulumi.ComponentResource {
  public readonly caCertificate: pulumi.Output<string>;
  /** Values for {{output:tls.<host>.certificate}} and {{secret:tls.<host>.key}}. */
  public readonly outputs: Record<string, pulumi.Output<string>>;
  public readonly secrets: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: InternalTlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:tls:InternalTls", name, {}, opts);
    const parent = { parent: this };
    const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
    const ca = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKey.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: CA_HOURS,
        allowedUses: ["cert_signing", "crl_signing"],
        subject: { commonName: `${args.organization} internal CA`, organization: args.organization },
      },
      parent,
    );
    this.caCertificate = ca.certPem;
    this.outputs = { "tls.internalCa": ca.certPem };
    this.secrets = {};
    for (const server of args.servers) {
      const key = new tls.PrivateKey(`${name}-${server.name}`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
      const csr = new tls.CertRequest(
        `${name}-${server.name}`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName: server.name, organization: args.organization },
          ipAddresses: [server.address, "127.0.0.1"],
          dnsNames: [server.name, "localhost"],
        },
        parent,
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${server.name}`,
        {
          certRequestPem: csr.certRequestPem,
          caPrivateKeyPem: caKey.privateKeyPem,
          caCertPem: ca.certPem,
          validityPeriodHours: LEAF_HOURS,
          earlyRenewalHours: EARLY_RENEWAL_HOURS,
          allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        parent,
      );
      this.outputs[`tls.${server.name}.certificate`] = cert.certPem;
      this.secrets[`tls.${server.name}.key`] = pulumi.secret(key.privateKeyPem);
    }
    this.registerOutputs({ caCertificate: this.caCertificate });
  }
}
