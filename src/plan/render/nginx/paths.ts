// Where nginx's files and the public certificate live on a proxy host, in one place so the
// certificate issuer, the converge step and the site config agree.
import { PATHS } from "../context";

export const NGINX_PATHS = {
  conf: "/etc/nginx/nginx.conf",
  /** Our nginx.conf includes sites-enabled/*.conf, so Debian's `default` site (no suffix) stays out. */
  site: "/etc/nginx/sites-enabled/mastodon.conf",
  snippets: "/etc/nginx/snippets",
  mimeTypes: "/etc/nginx/mime.types",
  /** nginx creates only the last path component itself; /var/cache exists on Debian. */
  cache: "/var/cache/nginx",
  /** HTTP-01 webroot: the issuer writes <webroot>/.well-known/acme-challenge/<token>. */
  acmeWebroot: "/var/www/acme",
  /** One certificate whose SANs cover the web domain, the local domain and alternate domains. */
  certificate: `${PATHS.tlsDir}/public/fullchain.pem`,
  certificateKey: `${PATHS.tlsDir}/public/privkey.pem`,
  publicRoot: `${PATHS.live}/public`,
  /**
   * A proxy without the release (an edge host) has no Mastodon 500.html: the plan renders a
   * small page here instead, so a Puma outage shows a page and not nginx's bare one. Under
   * /etc/nginx because the converge step writes nowhere else for nginx.
   */
  errorRoot: "/etc/nginx/mastodon-error",
  errorPage: "/etc/nginx/mastodon-error/500.html",
  pid: "/run/nginx.pid",
  logDir: "/var/log/nginx",
} as const;

export const SNIPPETS = {
  hsts: `${NGINX_PATHS.snippets}/mastodon-hsts.conf`,
  proxy: `${NGINX_PATHS.snippets}/mastodon-proxy.conf`,
  backend: `${NGINX_PATHS.snippets}/mastodon-backend.conf`,
  tls: `${NGINX_PATHS.snippets}/mastodon-tls.conf`,
  tlsSeparate: `${NGINX_PATHS.snippets}/mastodon-tls-separate.conf`,
} as const;
