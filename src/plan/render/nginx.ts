// nginx on proxy hosts: a host-sized nginx.conf, the Mastodon site and one snippet per concern
// (HSTS, proxy headers, the Puma location body, TLS). Locations and caching follow upstream
// Mastodon's dist/nginx.conf (mastodon/mastodon main, checked 2026-11-24); nginx/site.ts holds
// what depends on the stack.
import { LOCAL_MEDIA_ROOT } from "./systemd/common";
import type { SizedHost } from "../capacity/hosts";
import type { Action, HostFile } from "../types";
import type { RenderContext } from "./context";
import { renderTemplate } from "./engine";
import { hostFile } from "./host-file";
import { NGINX_PATHS, SNIPPETS } from "./nginx/paths";
import { acmePeers, ACME_PEER_PORT } from "./nginx/acme-peers";
import { siteShape } from "./nginx/site";
import { keepaliveTimeoutS } from "./nginx/timeouts";
import { nginxTuning } from "./nginx/tuning";
import { upstreamsFor } from "./nginx/upstreams";
import { SEPARATE_TLS_DIR } from "./acme/separate";

export { NGINX_PATHS } from "./nginx/paths";
export { railsMustServeStatic, servesStaticFromDisk } from "./nginx/site";

/** The converge step runs `nginx -t` before any reload. */
const RELOAD: Action[] = [{ kind: "reload", unit: "nginx.service" }];

export function renderNginx(ctx: RenderContext, host: SizedHost): HostFile[] {
  if (!host.roles.includes("proxy")) return [];
  const shape = siteShape(ctx.spec, host);
  const ups = upstreamsFor(ctx.hosts, host);
  const tuning = nginxTuning(host);
  const file = (path: string, template: string, vars: Record<string, unknown>) =>
    hostFile(path, renderTemplate(`nginx/${template}.liquid`, vars), { after: RELOAD });

  const files = [
    file(NGINX_PATHS.conf, "nginx.conf", {
      hostName: host.name,
      vcpu: host.vcpu,
      memoryMb: host.memoryMb,
      ...tuning,
      pid: NGINX_PATHS.pid,
      logDir: NGINX_PATHS.logDir,
      mimeTypes: NGINX_PATHS.mimeTypes,
      keepaliveTimeout: keepaliveTimeoutS(shape.lb !== "none"),
    }),
    file(NGINX_PATHS.site, "mastodon.conf", {
      hostName: host.name,
      lb: shape.lb,
      webDomain: shape.webDomain,
      redirectDomains: shape.redirectDomains,
      separateDomains: shape.separateDomains,
      allNames: [shape.webDomain, ...shape.redirectDomains, ...shape.separateDomains],
      httpSuffix: shape.httpParams ? ` ${shape.httpParams}` : "",
      httpsParams: shape.httpsParams,
      realIp: shape.realIp ?? null,
      backend: ups.backend.map((s) => s.address),
      streaming: ups.streaming.map((s) => s.address),
      staticOnDisk: shape.staticOnDisk,
      localMedia: shape.localMedia,
      localMediaRoot: LOCAL_MEDIA_ROOT,
      publicRoot: NGINX_PATHS.publicRoot,
      errorRoot: NGINX_PATHS.errorRoot,
      acmeWebroot: NGINX_PATHS.acmeWebroot,
      acmePeers: shape.lb === "terminate" ? [] : acmePeers(ctx.hosts, host),
      acmePeerPort: ACME_PEER_PORT,
      privateCidr: ctx.spec.network.privateCidr,
      cachePath: NGINX_PATHS.cache,
      snippets: SNIPPETS,
    }),
    file(SNIPPETS.hsts, "snippets/hsts.conf", {}),
    file(SNIPPETS.proxy, "snippets/proxy.conf", {
      // Behind a TLS-terminating balancer the client's scheme is in its X-Forwarded-Proto.
      forwardedProto: shape.lb === "terminate" ? "$mastodon_forwarded_proto" : "$scheme",
    }),
    file(SNIPPETS.backend, "snippets/backend.conf", { snippets: SNIPPETS }),
  ];
  // Where Puma runs, the release's own 500.html is on disk (app-locations); elsewhere, ours.
  if (!shape.staticOnDisk) {
    files.push(hostFile(NGINX_PATHS.errorPage, renderTemplate("nginx/error-page", { webDomain: shape.webDomain })));
  }
  // With a terminating balancer the certificate lives on the balancer, not here.
  if (shape.lb !== "terminate") {
    files.push(file(SNIPPETS.tls, "snippets/tls.conf", { comment: "The instance's certificate: the web domain and the names this stack's DNS holds.", certificate: NGINX_PATHS.certificate, certificateKey: NGINX_PATHS.certificateKey }));
    if (shape.separateDomains.length > 0) {
      // A variable path is read per handshake by the workers (as www-data), not checked by nginx -t:
      // a name whose certificate is not issued yet fails its own handshakes and nothing else.
      const dir = `${SEPARATE_TLS_DIR}/$ssl_server_name`;
      files.push(file(SNIPPETS.tlsSeparate, "snippets/tls.conf", { comment: "A name in another DNS zone: its own certificate, found by the name the client asked for.", certificate: `${dir}/fullchain.pem`, certificateKey: `${dir}/privkey.pem` }));
    }
  }
  return files;
}
