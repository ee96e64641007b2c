// Secrets Mastodon needs that nobody types in: generated once as resources, so they live in the
// encrypted state and never rotate on a re-run. Changing one of these would log every user out
// (SECRET_KEY_BASE), break web push (VAPID) or make encrypted columns unreadable (AR keys).
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { createPrivateKey } from "node:crypto";

export interface GeneratedSecretsArgs {
  /** Passwords for self-hosted Postgres and Redis (managed services bring their own). */
  databasePassword: boolean;
  redisPassword: boolean;
}

/** Ruby's urlsafe_encode64 pads; JWK's base64url does not. */
function padded(b64url: string): string {
  return b64url + "=".repeat((4 - (b64url.length % 4)) % 4);
}

/** webpush's key format: the raw P-256 scalar and the uncompressed public point, URL-safe base64. */
export function vapidFromPem(pem: string): { privateKey: string; publicKey: string } {
  const jwk = createPrivateKey(pem).export({ format: "jwk" });
  if (jwk.crv !== "P-256" || !jwk.d || !jwk.x || !jwk.y) throw new Error("the VAPID key is not a P-256 key");
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { privateKey: padded(jwk.d), publicKey: padded(point.toString("base64url")) };
}

export class GeneratedSecrets extends pulumi.ComponentResource {
  /** Values for the plan's {{secret:NAME}} markers. */
  public readonly values: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:secrets:Secrets", name, {}, opts);
    const parent = { parent: this };
    // `bin/rails secret` prints 64 random bytes as hex.
    const hex64 = (id: string) => new random.RandomBytes(`${name}-${id}`, { length: 64 }, parent).hex;
    // `bin/rails db:encryption:init` prints 32-character alphanumeric keys.
    const key32 = (id: string) => new random.RandomPassword(`${name}-${id}`, { length: 32, special: false }, parent).result;
    // Passwords sit inside URLs (REDIS_URL) and env files: letters and digits only.
    const password = (id: string) => new random.RandomPassword(`${name}-${id}`, { length: 40, special: false }, parent).result;

    const vapidKey = new tls.PrivateKey(`${name}-vapid`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
    const vapid = vapidKey.privateKeyPem.apply(vapidFromPem);
    const values: Record<string, pulumi.Output<string>> = {
      SECRET_KEY_BASE: hex64("secret-key-base"),
      OTP_SECRET: hex64("otp-secret"),
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      ACTIVE_RECORD_ENCRYPTION_DETERMINISTIC_KEY: key32("ar-deterministic-key"),
      ACTIVE_RECORD_ENCRYPTION_KEY_DERIVATION_SALT: key32("ar-key-derivation-salt"),
      ACTIVE_RECORD_ENCRYPTION_PRIMARY_KEY: key32("ar-primary-key"),
      ...(args.databasePassword ? { DB_PASS: password("db-password") } : {}),
      ...(args.redisPassword ? { REDIS_PASSWORD: password("redis-password") } : {}),
    };
    this.values = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, pulumi.secret(v)]));
    this.registerOutputs({});
  }
}
