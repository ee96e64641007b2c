// Timeouts that must nest, from the request inwards: a load balancer must not cut a connection
// while nginx still waits for Puma (slow media uploads and their processing: upstream's sample
// waits 120 s, mastodon/mastodon#30599), and behind a balancer that reuses its connections to
// nginx, nginx must keep an idle one open longer than the balancer does, or the balancer sends a
// request down a connection nginx is closing and the client gets a 502.

/** nginx's proxy_read_timeout for Puma (templates/nginx/snippets/backend.conf.liquid). */
export const PUMA_READ_TIMEOUT_S = 120;

/** DigitalOcean's balancer closes connections idle this long (its default is 60 s; the API lets it be set). */
export const LB_IDLE_TIMEOUT_S = PUMA_READ_TIMEOUT_S + 10;

/** nginx's client keepalive: longer than the balancer's idle timeout behind one, else nginx's usual 75 s. */
export function keepaliveTimeoutS(behindBalancer: boolean): number {
  return behindBalancer ? LB_IDLE_TIMEOUT_S + 5 : 75;
}
