// DigitalOcean: the VPC, the droplets, the load balancer when the stack has one, the role
// firewalls, and the managed data services — in that order, because droplets join the VPC, the
// firewalls admit the load balancer by its id, and the databases trust droplets by theirs.
import type * as pulumi from "@pulumi/pulumi";
import { POOL_NAME } from "../../plan/endpoints";
import { certificateNames } from "../../plan/render/acme";
import type { Spec } from "../../spec/schema/stack";
import type { ProviderFactory } from "../contract";
import { dnsZone, inZone } from "../../spec/dns";
import { applicationHosts, firewallGroups } from "../firewall-rules";
import { DigitalOceanValkey } from "./cache";
import { DigitalOceanPostgres, type DigitalOceanPostgresArgs } from "./database";
import { DigitalOceanFirewalls } from "./firewalls";
import { DigitalOceanHosts } from "./hosts";
import { DigitalOceanLoadBalancer } from "./load-balancer";
import { DigitalOceanNetwork } from "./network";
import { DigitalOceanOpenSearch } from "./search";
import { SpacesStorage } from "./spaces";
import { trustedDroplets } from "./trusted-sources";

type Values = Record<string, pulumi.Output<string>>;

/**
 * The names a load balancer's Let's Encrypt certificate covers: every name the instance answers
 * for, web domain first. DigitalOcean validates them through its DNS, so each must be in the
 * zone; the spec rules refuse anything else with its location, and this is the last guard.
 */
export function loadBalancerCertificateNames(spec: Spec): string[] {
  const zone = dnsZone(spec);
  const names = certificateNames(spec);
  const outside = names.filter((n) => !inZone(n, zone));
  if (outside.length > 0) throw new Error(`loadBalancer.tls is terminate, but ${outside.join(", ")} ${outside.length === 1 ? "is" : "are"} outside the DNS zone ${zone}: DigitalOcean cannot put ${outside.length === 1 ? "it" : "them"} on the balancer's certificate`);
  return names;
}

export const createDigitalOcean: ProviderFactory = (name, { spec, plan, config }, opts) => {
  const region = spec.provider.region;
  const stack = spec.name;
  const outputs: Values = {};
  const secrets: Values = {};
  const dataReady: pulumi.Resource[] = [];
  let managedPostgres: { host: pulumi.Output<string>; adminPassword: pulumi.Output<string> } | undefined;
  const exports: Values = {};

  const network = new DigitalOceanNetwork(`${name}-vpc`, { vpcName: `${stack}-${region}`, region, ipRange: spec.network.privateCidr }, opts);
  const droplets = new DigitalOceanHosts(`${name}-hosts`, { stack, region, vpcId: network.vpcId, hosts: plan.hosts, sshKeys: config.sshKeys, protectData: spec.protectData }, opts);
  const hosts = droplets.hosts;
  for (const h of Object.values(hosts)) outputs[`address.${h.name}`] = h.privateAddress;
  for (const [host, device] of Object.entries(droplets.volumeDevices)) outputs[`volume.${host}.device`] = device;

  const proxies = plan.hosts.filter((h) => h.roles.includes("proxy")).map((h) => h.name);
  const lbPlan = plan.services.loadBalancer;
  const lb = lbPlan.enabled
    ? new DigitalOceanLoadBalancer(
        `${name}-lb`,
        {
          stack,
          region,
          vpcId: network.vpcId,
          dropletIds: proxies.map((p) => droplets.dropletIds[p]!),
          tls: lbPlan.tls,
          ...(lbPlan.tls === "terminate" ? { certificateDomains: loadBalancerCertificateNames(spec) } : {}),
        },
        opts,
      )
    : undefined;
  if (lb) exports.loadBalancerAddress = lb.ip;

  new DigitalOceanFirewalls(
    `${name}-firewalls`,
    {
      stack,
      groups: firewallGroups(spec, plan),
      adminCidrs: spec.network.adminCidrs,
      privateCidr: spec.network.privateCidr,
      dropletIds: droplets.dropletIds,
      ...(lb ? { loadBalancerId: lb.id } : {}),
    },
    opts,
  );

  // The data services trust exactly the droplets that run Mastodon processes.
  const trusted = trustedDroplets(applicationHosts(plan).map((h) => hosts[h]!.id));
  const data = { stack, region, vpcId: network.vpcId, trusted };

  const pg = spec.postgres.managed;
  if (pg) {
    const pool = plan.services.pool;
    let managedPool: DigitalOceanPostgresArgs["pool"];
    if (pool.kind === "managed") {
      if (!pool.mode) throw new Error("the plan has a managed pool without a mode");
      managedPool = { name: POOL_NAME, mode: pool.mode, size: pool.size };
    }
    const postgres = new DigitalOceanPostgres(
      `${name}-postgres`,
      {
        ...data,
        size: pg.size,
        nodes: pg.nodes,
        version: pg.version,
        database: spec.postgres.database,
        user: spec.postgres.user,
        protectData: spec.protectData,
        ...(managedPool ? { pool: managedPool } : {}),
      },
      opts,
    );
    outputs["postgres.host"] = postgres.host;
    outputs["postgres.caCertificate"] = postgres.caCertificate;
    secrets.DB_PASS = postgres.userPassword;
    secrets.POSTGRES_ADMIN_PASSWORD = postgres.adminPassword;
    exports.databaseHost = postgres.host;
    dataReady.push(...postgres.ready);
    managedPostgres = { host: postgres.host, adminPassword: postgres.adminPassword };
  }

  if (spec.redis.managed) {
    const valkey = new DigitalOceanValkey(`${name}-valkey`, { ...data, size: spec.redis.managed.size }, opts);
    outputs["redis.host"] = valkey.host;
    secrets.REDIS_PASSWORD = valkey.password;
    dataReady.push(...valkey.ready);
  }

  if (spec.search.managed) {
    const search = new DigitalOceanOpenSearch(`${name}-opensearch`, { ...data, size: spec.search.managed.size }, opts);
    outputs["search.host"] = search.host;
    secrets.ES_PASS = search.password;
    dataReady.push(...search.ready);
  }

  const spaces = spec.media.spaces;
  if (spaces) {
    const media = new SpacesStorage(
      `${name}-media`,
      { stack, bucket: spaces.bucket ?? `${stack}-media`, region: spaces.region, cdn: spaces.cdn, webOrigin: `https://${plan.stack.webDomain}`, protectData: spec.protectData },
      opts,
    );
    if (media.cdnHost) outputs["media.cdnHost"] = media.cdnHost;
    secrets.S3_ACCESS_KEY_ID = media.accessKeyId;
    secrets.S3_SECRET_ACCESS_KEY = media.secretAccessKey;
    exports.mediaHost = media.publicHost;
  }

  const proxyHandles = proxies.map((p) => hosts[p]!);
  return {
    hosts,
    outputs,
    secrets,
    exports,
    dataReady,
    ...(managedPostgres ? { managedPostgres } : {}),
    ingress: lb
      ? { ipv4: [lb.ip], ipv6: [] }
      : { ipv4: proxyHandles.flatMap((h) => (h.publicIpv4 ? [h.publicIpv4] : [])), ipv6: proxyHandles.flatMap((h) => (h.publicIpv6 ? [h.publicIpv6] : [])) },
  };
};
