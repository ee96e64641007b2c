// The load balancer in front of the proxy droplets, in the stack's VPC.
//
// Where TLS ends is the stack's choice (loadBalancer.tls):
//  - passthrough (the default): the balancer forwards TCP and never sees plain text; the proxies
//    hold the certificate (certbot, HTTP-01) and serve HTTP/2 themselves. The client's address
//    reaches nginx through the PROXY protocol, which DigitalOcean then sends on every forwarded
//    port, health checks included — so nginx expects it on 80 and on 443.
//  - terminate: the balancer holds a Let's Encrypt certificate DigitalOcean issues and renews
//    (which needs the zone on DigitalOcean DNS: the spec rules refuse anything else) and talks
//    plain HTTP to nginx on port 80; the client's address comes in X-Forwarded-For, so no PROXY
//    protocol. Simpler proxies, but traffic inside the VPC is unencrypted.
// Either way the health check is plain HTTP on port 80 at /health, which our nginx answers
// without redirecting (templates/nginx/mastodon.conf.liquid): itself with passthrough (so the
// first certificate's validation gets through before any release runs), from Puma with terminate.
import * as pulumi from "@pulumi/pulumi";
import { LB_IDLE_TIMEOUT_S } from "../../plan/render/nginx/timeouts";
import * as digitalocean from "@pulumi/digitalocean";

export interface DigitalOceanLoadBalancerArgs {
  stack: string;
  region: string;
  vpcId: pulumi.Input<string>;
  /** The proxy droplets. */
  dropletIds: pulumi.Input<number>[];
  tls: "passthrough" | "terminate";
  /** terminate: the names the certificate covers, the web domain first. */
  certificateDomains?: string[];
}

const HEALTHCHECK: digitalocean.types.input.LoadBalancerHealthcheck = { protocol: "http", port: 80, path: "/health" };

const HTTP: digitalocean.types.input.LoadBalancerForwardingRule = { entryPort: 80, entryProtocol: "http", targetPort: 80, targetProtocol: "http" };

export class DigitalOceanLoadBalancer extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;
  /** The public IPv4 address the instance's names point at. */
  public readonly ip: pulumi.Output<string>;

  constructor(name: string, args: DigitalOceanLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:loadbalancer:DigitalOceanLoadBalancer", name, {}, opts);
    const child = { parent: this };

    let forwardingRules: digitalocean.types.input.LoadBalancerForwardingRule[];
    let tlsArgs: Partial<digitalocean.LoadBalancerArgs>;
    if (args.tls === "passthrough") {
      forwardingRules = [{ entryPort: 443, entryProtocol: "https", targetPort: 443, targetProtocol: "https", tlsPassthrough: true }, HTTP];
      tlsArgs = { enableProxyProtocol: true };
    } else {
      const domains = args.certificateDomains ?? [];
      if (domains.length === 0) throw new Error("a TLS-terminating load balancer needs at least one name for its certificate");
      // No fixed name: a change of domains replaces the certificate, and Pulumi creates the new
      // one before deleting the old — which only works when the names differ (they are unique
      // per account). The provider generates one from the resource name.
      const certificate = new digitalocean.Certificate(`${name}-certificate`, { type: "lets_encrypt", domains }, child);
      forwardingRules = [{ entryPort: 443, entryProtocol: "https", targetPort: 80, targetProtocol: "http", certificateName: certificate.name }, HTTP];
      // Our DNS component owns the records; DigitalOcean would otherwise add its own A records
      // for the certificate's names, which nothing here manages.
      tlsArgs = { enableProxyProtocol: false, disableLetsEncryptDnsRecords: true };
    }

    const lb = new digitalocean.LoadBalancer(
      name,
      {
        name: `${args.stack}-lb`,
        region: args.region,
        vpcUuid: args.vpcId,
        dropletIds: args.dropletIds,
        healthcheck: HEALTHCHECK,
        // Longer than nginx waits for Puma: the default 60 s cut slow uploads short with a 504.
        httpIdleTimeoutSeconds: LB_IDLE_TIMEOUT_S,
        forwardingRules,
        ...tlsArgs,
      },
      child,
    );
    this.id = lb.id;
    this.ip = lb.ip;
    this.registerOutputs({ id: this.id, ip: this.ip });
  }
}
