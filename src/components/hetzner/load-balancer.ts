// A Hetzner load balancer in front of the proxy hosts, passing TLS through: it forwards raw TCP on
// 443 and 80 (protocol "tcp" is Hetzner's passthrough; terraform-provider-hcloud docs,
// hcloud_load_balancer_service, "TLS Termination and Passthrough") to the proxies' private
// addresses, and the proxies terminate TLS with their own certificate.
//
// Both services send PROXY protocol, because nginx on the proxies reads the client's address
// from it on every port it listens on for the balancer, the health check's requests included
// (plan/render/nginx/site.ts): a service without it would be a broken header to nginx.
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { hcloudId, stackLabels } from "./common";

/** The smallest type: 25 targets, 10k connections (docs.hetzner.com/cloud/load-balancers/overview). */
const LOAD_BALANCER_TYPE = "lb11";

const HEALTH_CHECK = { intervalSeconds: 15, timeoutSeconds: 10, retries: 3 } as const;

export interface HetznerLoadBalancerArgs {
  stack: string;
  location: string;
  subnetId: pulumi.Input<string>;
  /** Its private address, in the x.y.0.x range the plan leaves to it and the gateway. */
  privateAddress: string;
  /** Proxy hosts by name: their server ids. */
  targets: Readonly<Record<string, pulumi.Input<string>>>;
  /** The web domain, sent as Host in health checks so nginx's site answers. */
  webDomain: string;
}

export class HetznerLoadBalancer extends pulumi.ComponentResource {
  public readonly ipv4: pulumi.Output<string>;
  public readonly ipv6: pulumi.Output<string>;

  constructor(name: string, args: HetznerLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:loadbalancer:HetznerLoadBalancer", name, {}, opts);
    const child = { parent: this };
    const lb = new hcloud.LoadBalancer(
      `${name}-lb`,
      {
        name: args.stack,
        loadBalancerType: LOAD_BALANCER_TYPE,
        location: args.location,
        // Streaming websockets stay open for hours: count connections, not turns.
        algorithm: { type: "least_connections" },
        labels: stackLabels(args.stack),
      },
      child,
    );
    const lbId = hcloudId(lb.id);
    // By subnet id (the provider takes exactly one of networkId and subnetId), which also orders
    // the attachment after the subnet exists.
    const attachment = new hcloud.LoadBalancerNetwork(`${name}-network`, { loadBalancerId: lbId, subnetId: args.subnetId, ip: args.privateAddress }, child);

    for (const [host, serverId] of Object.entries(args.targets)) {
      new hcloud.LoadBalancerTarget(
        `${name}-${host}`,
        { type: "server", loadBalancerId: lbId, serverId: hcloudId(serverId), usePrivateIp: true },
        // Provider-imposed: a private-IP target is refused ("no private networks") until the
        // load balancer is attached to the network, and nothing in the target's inputs says so.
        { ...child, dependsOn: [attachment] },
      );
    }

    // loadBalancerId is a string on this one resource (the provider keys services by "<lb>__<port>").
    new hcloud.LoadBalancerService(`${name}-https`, { loadBalancerId: lb.id, protocol: "tcp", listenPort: 443, destinationPort: 443, proxyprotocol: true }, child);
    new hcloud.LoadBalancerService(
      `${name}-http`,
      {
        loadBalancerId: lb.id,
        protocol: "tcp",
        listenPort: 80,
        destinationPort: 80,
        proxyprotocol: true,
        // Plain HTTP to the proxies' /health, which nginx passes to Puma: a proxy is healthy only
        // when the application behind it answers, not merely when nginx accepts connections.
        healthCheck: {
          protocol: "http",
          port: 80,
          interval: HEALTH_CHECK.intervalSeconds,
          timeout: HEALTH_CHECK.timeoutSeconds,
          retries: HEALTH_CHECK.retries,
          http: { domain: args.webDomain, path: "/health", statusCodes: ["200"] },
        },
      },
      child,
    );

    this.ipv4 = lb.ipv4;
    this.ipv6 = lb.ipv6;
    this.registerOutputs({ ipv4: this.ipv4, ipv6: this.ipv6 });
  }
}
