// Public TLS certificates from Let's Encrypt with certbot, on every proxy host that terminates
// TLS (not behind a terminating load balancer), always HTTP-01 through nginx's webroot. With
// several proxies the validation request reaches any of them (a balancer or DNS round robin
// picks one): a proxy that does not hold the token asks its peers for it over the private network
// (nginx/acme-peers.ts). DNS-01 is not used: Debian 13 ships no certbot plugin for DigitalOcean's
// DNS, and a token that may rewrite the zone does not belong on internet-facing hosts.
// Until the first issue, nginx serves a self-signed placeholder written at first boot, so it can
// start and answer the challenge. Renewal is Debian's certbot.timer; our deploy hook copies the
// lineage and reloads nginx.
import type { Spec } from "../../spec/schema/stack";
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";
import { renderTemplate } from "./engine";
import { hostFile } from "./host-file";
import { NGINX_PATHS } from "./nginx/paths";
import { shellQuote } from "./shell";
import { webDomainOf } from "../../spec/dns";
import { CERTBOT_DROP_IN, certificateSplit, SEPARATE_PREFIX, SEPARATE_SCRIPT, SEPARATE_TLS_DIR, separateCertName } from "./acme/separate";

export const ACME_CERT_NAME = "mastodon";
export const ACME_DEPLOY_HOOK = "/etc/letsencrypt/renewal-hooks/deploy/mastodon-stack";

export type AcmeMode = { kind: "none" } | { kind: "http-01" };

export function acmeMode(spec: Spec): AcmeMode {
  if (spec.loadBalancer.enabled && spec.loadBalancer.tls === "terminate") return { kind: "none" };
  return { kind: "http-01" };
}

/** Every name the instance answers for: the web domain first, then the names that redirect to it. */
export function certificateNames(spec: Spec): string[] {
  const web = webDomainOf(spec);
  return [...new Set([web, spec.domain, ...spec.alternateDomains])];
}

function certbotArgs(spec: Spec, certName: string, names: readonly string[]): string {
  const email = spec.mastodon.admin?.email;
  return [
    "certbot", "certonly", "--non-interactive", "--agree-tos", "--keep-until-expiring", "--expand",
    "--cert-name", certName,
    ...(email ? ["--email", email] : ["--register-unsafely-without-email"]),
    "--webroot", "--webroot-path", NGINX_PATHS.acmeWebroot,
    "--deploy-hook", ACME_DEPLOY_HOOK,
    ...names.flatMap((n) => ["-d", n]),
  ].map(shellQuote).join(" ");
}

/** certbot, then the hook even when certbot kept a valid certificate (a rebuilt host installs it too). */
function issueAndInstall(spec: Spec, certName: string, names: readonly string[]): string {
  return `${certbotArgs(spec, certName, names)} && RENEWED_LINEAGE=/etc/letsencrypt/live/${certName} ${ACME_DEPLOY_HOOK}`;
}

export function acmePackages(mode: AcmeMode): string[] {
  // curl: the wait for the ingress before certbot (ingressWaitCommand).
  return mode.kind === "none" ? [] : ["certbot", "curl"];
}

export function renderAcme(ctx: RenderContext, host: SizedHost): HostFile[] {
  if (!host.roles.includes("proxy")) return [];
  const mode = acmeMode(ctx.spec);
  if (mode.kind === "none") return [];
  const { separate } = certificateSplit(ctx.spec);
  const hook = renderTemplate("acme/deploy-hook", {
    certName: ACME_CERT_NAME,
    dir: NGINX_PATHS.certificate.slice(0, NGINX_PATHS.certificate.lastIndexOf("/")),
    certificate: NGINX_PATHS.certificate,
    certificateKey: NGINX_PATHS.certificateKey,
    separatePrefix: SEPARATE_PREFIX,
    separateDir: SEPARATE_TLS_DIR,
    separate: separate.length > 0,
  });
  const files = [hostFile(ACME_DEPLOY_HOOK, hook, { mode: "0755" })];
  if (separate.length > 0) {
    // The hook installs what certbot issues or renews; an existing lineage is installed only when
    // missing here (a rebuilt host), since the hook reloads nginx and this runs twice a day.
    const command = (n: string) => `${certbotArgs(ctx.spec, separateCertName(n), [n])} && { [ -f ${SEPARATE_TLS_DIR}/${n}/fullchain.pem ] || RENEWED_LINEAGE=/etc/letsencrypt/live/${separateCertName(n)} ${ACME_DEPLOY_HOOK}; }`;
    const script = renderTemplate("acme/separate", { commands: separate.map((n) => ({ name: n, command: command(n) })) });
    files.push(hostFile(SEPARATE_SCRIPT, script, { mode: "0755" }));
    files.push(hostFile(CERTBOT_DROP_IN, renderTemplate("acme/certbot-drop-in", { script: SEPARATE_SCRIPT }), { after: [{ kind: "daemon-reload" }] }));
  }
  return files;
}

/**
 * The command that issues the certificates once (certbot keeps them until they near expiry). Run
 * over SSH after the host's first converge, when nginx answers on port 80. The main certificate
 * must be issued; names in another zone are tried by the script, which never fails the run.
 */
export function issueCommand(spec: Spec, mode: AcmeMode): string | undefined {
  if (mode.kind === "none") return undefined;
  const { main, separate } = certificateSplit(spec);
  const first = issueAndInstall(spec, ACME_CERT_NAME, main);
  return separate.length > 0 ? `${first} && ${SEPARATE_SCRIPT}` : first;
}

/** How long certbot waits for the ingress to reach this proxy's challenge files (a new balancer needs several health checks). */
export const INGRESS_WAIT_SECONDS = 300;

/**
 * A load balancer (or another proxy in DNS round robin) sends the CA's validation request only
 * once it considers a proxy healthy: DigitalOcean's needs five passing checks, 10 s apart, after
 * the first converge. Before certbot runs, a probe token of this proxy must come back through
 * every ingress address, else the validation would fail and count against the CA's limits.
 */
export function ingressWaitCommand(spec: Spec, addresses: readonly string[]): string {
  const dir = `${NGINX_PATHS.acmeWebroot}/.well-known/acme-challenge`;
  const host = shellQuote(`Host: ${webDomainOf(spec)}`);
  const probes = addresses.map((a) => `[ "$(curl -fsS --max-time 5 -H ${host} http://${a}/.well-known/acme-challenge/"$t")" = "$t" ]`).join(" && ");
  const tries = INGRESS_WAIT_SECONDS / 5;
  return [
    `t=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')`,
    `install -d -m 0755 ${NGINX_PATHS.acmeWebroot} ${NGINX_PATHS.acmeWebroot}/.well-known ${dir}`,
    `printf %s "$t" > ${dir}/"$t"`,
    "i=0",
    `until ${probes}; do i=$((i + 1)); if [ "$i" -ge ${tries} ]; then rm -f ${dir}/"$t"; echo "the ingress (${addresses.join(", ")}) did not reach this proxy's challenge files within ${INGRESS_WAIT_SECONDS} s: is the balancer's health check passing?" >&2; exit 1; fi; sleep 5; done`,
    `rm -f ${dir}/"$t"`,
  ].join("; ");
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
