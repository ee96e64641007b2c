// How the policy pack recognises a secret by value (policy/rules/recognise.ts): a configured
// secret's value or a PEM private key, as written or base64-encoded at any offset — the converge
// bundle carries files base64-encoded — and never a value already marked secret.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Secret } from "@pulumi/policy";
import fc from "fast-check";
import { base64Cores, needlesFor, secretIn } from "../../policy/rules/recognise";

const SECRETS = new Map([["mastodon-stack:smtpPassword", "s3cr3t-smtp-password"]]);
const needles = needlesFor(SECRETS);

describe("policy pack: recognising secrets", () => {
  it("finds a secret's base64 core in the encoding of any bytes around it, at every offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ minLength: 8, maxLength: 64 }), fc.uint8Array({ maxLength: 40 }), (before, secret, after) => {
        const encoded = Buffer.concat([before, Buffer.from(secret, "utf8"), after]).toString("base64");
        const core = base64Cores(secret)[before.length % 3]!;
        assert.ok(core.length >= 8, `core ${JSON.stringify(core)} of ${JSON.stringify(secret)}`);
        assert.ok(encoded.includes(core));
      }),
      { numRuns: 500, seed: 20261201 },
    );
  });

  it("names the config a value came from, written or base64-encoded, and finds PEM private keys either way", () => {
    assert.equal(secretIn("SMTP_PASSWORD=s3cr3t-smtp-password", needles), "the value of the secret config mastodon-stack:smtpPassword");
    const file = Buffer.from("# env\nSMTP_PASSWORD=s3cr3t-smtp-password\n").toString("base64");
    assert.equal(secretIn({ bundle: [`mastodon-bundle 1\n${file}\n`] }, needles), "the value of the secret config mastodon-stack:smtpPassword, base64-encoded");
    const key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE…\n-----END EC PRIVATE KEY-----\n";
    assert.equal(secretIn(key, needles), "a private key (PEM)");
    assert.equal(secretIn(`x ${Buffer.from(`tls.key:\n${key}`).toString("base64")}`, needles), "a private key (PEM), base64-encoded");
  });

  it("passes what holds no secret, and what is already marked secret", () => {
    assert.equal(secretIn({ userData: "#cloud-config\npackages: [nginx]\n", sshKeys: ["laptop"], port: 443 }, needles), undefined);
    assert.equal(secretIn("-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n", needles), undefined);
    assert.equal(secretIn({ connection: new Secret({ privateKey: "s3cr3t-smtp-password" }) }, needles), undefined);
  });
});
