// Public TLS certificates from Let's Encrypt with certbot, on every proxy host that terminates
// TLS (not behind a terminating load balancer). HTTP-01 through nginx's webroot when one proxy
// answers for the names; DNS-01 on the stack's DNS provider when several do (behind a passthrough
// balancer a challenge would reach a random proxy). Until the first issue, nginx serves a
// self-signed placeholder written at first boot, so it can start and answer the challenge.
// Renewal is Debian's certbot.timer; our deploy hook copies the lineage and reloads nginx.
import type { Spec } from "../../spec/schema/stack";
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";
import { renderTemplate } from "./engine";
import { hostFile } from "./host-file";
import { NGINX_PATHS } from "./nginx/paths";
import { secretRef } from "./placeholders";
import { shellQuote } from "./shell";
import { webDomainOf } from "../../spec/dns";

export const ACME_CERT_NAME = "mastodon";
export const ACME_DEPLOY_HOOK = "/etc/letsencrypt/renewal-hooks/deploy/mastodon-stack";
export const ACME_DNS_CREDENTIALS = "/etc/letsencrypt/mastodon-stack-dns.ini";
/** The Pulumi config secret with a token that may edit the zone's records (DNS-01 only). */
export const ACME_DNS_TOKEN = "ACME_DNS_TOKEN";

export type AcmeMode = { kind: "none" } | { kind: "http-01" } | { kind: "dns-01"; provider: "cloudflare" | "digitalocean" };

const DNS_PLUGIN = { cloudflare: "python3-certbot-dns-cloudflare", digitalocean: "python3-certbot-dns-digitalocean" } as const;

/** Proxy instances in the stack: a group's count times each group with the proxy role. */
function proxyCount(spec: Spec): number {
  return spec.hosts.filter((h) => h.roles.includes("proxy")).reduce((n, h) => n + h.count, 0);
}

export function acmeMode(spec: Spec): AcmeMode {
  if (spec.loadBalancer.enabled && spec.loadBalancer.tls === "terminate") return { kind: "none" };
  if (proxyCount(spec) > 1 && spec.dns.provider !== "none") return { kind: "dns-01", provider: spec.dns.provider };
  return { kind: "http-01" };
}

/** Every name the certificate covers: the web domain first, then the names that redirect to it. */
export function certificateNames(spec: Spec): string[] {
  const web = webDomainOf(spec);
  return [...new Set([web, spec.domain, ...spec.alternateDomains])];
}

export function acmePackages(mode: AcmeMode): string[] {
  if (mode.kind === "none") return [];
  return mode.kind === "dns-01" ? ["certbot", DNS_PLUGIN[mode.provider]] : ["certbot"];
}

export function renderAcme(ctx: RenderContext, host: SizedHost): HostFile[] {
  if (!host.roles.includes("proxy")) return [];
  const mode = acmeMode(ctx.spec);
  if (mode.kind === "none") return [];
  const hook = renderTemplate("acme/deploy-hook", {
    certName: ACME_CERT_NAME,
    dir: NGINX_PATHS.certificate.slice(0, NGINX_PATHS.certificate.lastIndexOf("/")),
    certificate: NGINX_PATHS.certificate,
    certificateKey: NGINX_PATHS.certificateKey,
  });
  const files = [hostFile(ACME_DEPLOY_HOOK, hook, { mode: "0755" })];
  if (mode.kind === "dns-01") {
    const key = mode.provider === "cloudflare" ? "dns_cloudflare_api_token" : "dns_digitalocean_token";
    files.push(hostFile(ACME_DNS_CREDENTIALS, `# Rendered by mastodon-stack: certbot's DNS-01 credentials (a token that may edit the zone).\n${key} = ${secretRef(ACME_DNS_TOKEN)}\n`, { mode: "0600" }));
  }
  return files;
}

/**
 * The command that issues the certificate once (certbot keeps it until it nears expiry). Run over
 * SSH after the host's first converge, when nginx answers on port 80.
 */
export function issueCommand(spec: Spec, mode: AcmeMode): string | undefined {
  if (mode.kind === "none") return undefined;
  const email = spec.mastodon.admin?.email;
  const args = [
    "certbot", "certonly", "--non-interactive", "--agree-tos", "--keep-until-expiring", "--expand",
    "--cert-name", ACME_CERT_NAME,
    ...(email ? ["--email", email] : ["--register-unsafely-without-email"]),
    ...(mode.kind === "http-01"
      ? ["--webroot", "--webroot-path", NGINX_PATHS.acmeWebroot]
      : [`--dns-${mode.provider}`, `--dns-${mode.provider}-credentials`, ACME_DNS_CREDENTIALS]),
    "--deploy-hook", ACME_DEPLOY_HOOK,
    ...certificateNames(spec).flatMap((n) => ["-d", n]),
  ];
  // A certificate that certbot kept does not run the deploy hook: install it anyway, so a host
  // rebuilt from scratch with an existing lineage still serves it.
  return `${args.map(shellQuote).join(" ")} && RENEWED_LINEAGE=/etc/letsencrypt/live/${ACME_CERT_NAME} ${ACME_DEPLOY_HOOK}`;
}

/** First-boot placeholder: nginx needs some certificate to start before certbot has run. */
export function placeholderCertificateCommand(spec: Spec): string[] {
  const dir = NGINX_PATHS.certificate.slice(0, NGINX_PATHS.certificate.lastIndexOf("/"));
  const cn = webDomainOf(spec);
  return [
    "sh",
    "-c",
    `[ -f ${NGINX_PATHS.certificate} ] || { install -d -m 0755 ${dir} ${NGINX_PATHS.acmeWebroot} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=${cn} -keyout ${NGINX_PATHS.certificateKey} -out ${NGINX_PATHS.certificate} && chmod 0600 ${NGINX_PATHS.certificateKey}; }`,
  ];
}
