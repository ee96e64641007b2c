// The whole instance as one component: the cloud provider's concern components, object storage
// and DNS on Cloudflare where the stack says so, generated secrets and the internal CA — and
// then, on the VM tier, every host's rendered files with their markers filled, converged over
// SSH; on the Kubernetes tier, Mastodon's chart and its companions on the provider's cluster.
// Nothing here sizes anything: the plan decided, this only creates what it describes.
import * as pulumi from "@pulumi/pulumi";
import type { ComponentArgs, Contribution, ProviderContribution, ProviderFactory } from "./contract";
import { CloudflareDns } from "./cloudflare/dns";
import { R2Storage } from "./cloudflare/r2";
import { createDigitalOcean } from "./digitalocean";
import { DigitalOceanDns } from "./digitalocean/dns";
import { dnsRecords } from "./dns-records";
import { dnsZone } from "../spec/dns";
import { createHetzner } from "./hetzner";
import { filledHostFiles, markersOf } from "./host-files";
import { InternalTls } from "./internal-tls";
import { acmeMode, ingressWaitCommand, issueCommand } from "../plan/render/acme";
import { HostConverge } from "./host/converge";
import { DatabaseSetup } from "./host/database-setup";
import { MastodonRelease } from "./host/release";
import { DO_DIRECT_PORT } from "../plan/endpoints";
import { PATHS } from "../plan/render/context";
import { volumeMountPoint } from "../plan/render/cloud-init/volume";
import { egressGateway } from "../plan/render/cloud-init/network";
import { rolloutOf } from "./host/rollout";
import { MastodonOnKubernetes } from "./kubernetes";
import { GeneratedSecrets } from "./secrets";
import { userSecretNeeds } from "./user-secrets";
import type { HostFile } from "../plan/types";

const PROVIDERS: Record<ComponentArgs["plan"]["stack"]["provider"], ProviderFactory> = {
  digitalocean: createDigitalOcean,
  hetzner: createHetzner,
};

export class MastodonInstance extends pulumi.ComponentResource {
  /** Per host, its files with secrets and outputs filled: what the converge step copies. */
  public readonly hostFiles: Record<string, pulumi.Output<HostFile[]>>;
  public readonly provider: ProviderContribution;
  /** Per host, the configuration step: done when its files and services match the plan (none on the Kubernetes tier). */
  public readonly converge: Record<string, HostConverge>;
  /** VM tier: builds, migrations and the host-by-host switch of the Mastodon release. */
  public readonly release?: MastodonRelease;
  /** Kubernetes tier: the chart, its Secrets, migrations, Gateway and autoscaling on the cluster. */
  public readonly kubernetes?: MastodonOnKubernetes;
  /** Stack outputs for the admin. */
  public readonly exports: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ComponentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mastodon:instance:Instance", name, {}, opts);
    const { spec, plan, config } = args;
    const child = { parent: this };
    const parts: Contribution[] = [];

    const generated = new GeneratedSecrets(`${name}-secrets`, { databasePassword: !spec.postgres.managed, redisPassword: !spec.redis.managed }, child);
    parts.push({ secrets: generated.values });
    parts.push({ secrets: Object.fromEntries(userSecretNeeds(spec).map((n) => [n.marker, config.userSecrets[n.config]!])) });

    this.provider = PROVIDERS[plan.stack.provider](name, args, child);
    parts.push(this.provider);

    if (spec.media.r2) {
      const r2 = new R2Storage(
        `${name}-media`,
        {
          accountId: config.cloudflareAccountId!,
          bucket: spec.media.r2.bucket ?? `${spec.name}-media`,
          webOrigin: `https://${plan.stack.webDomain}`,
          protectData: spec.protectData,
          ...(spec.media.r2.customDomain && spec.dns.provider === "cloudflare" ? { customDomain: { domain: spec.media.r2.customDomain, zoneId: spec.dns.zoneId } } : {}),
        },
        child,
      );
      parts.push({ outputs: { "r2.accountId": r2.accountId, "r2.publicHost": r2.publicHost }, exports: { mediaHost: r2.publicHost } });
    }

    // Serving hosts of the internal CA are the ones whose files carry a certificate marker.
    const tlsServers = markersOf(plan).outputs.flatMap((o) => /^tls\.(.+)\.certificate$/.exec(o)?.[1] ?? []);
    if (tlsServers.length > 0) {
      const internal = new InternalTls(
        `${name}-internal-tls`,
        { organization: spec.name, servers: tlsServers.map((h) => ({ name: h, address: this.provider.hosts[h]!.privateAddress })) },
        child,
      );
      parts.push({ outputs: internal.outputs, secrets: internal.secrets });
    }

    const merged = (key: "outputs" | "secrets" | "exports") => Object.assign({}, ...parts.map((p) => p[key] ?? {})) as Record<string, pulumi.Output<string>>;
    this.hostFiles = filledHostFiles(plan, { outputs: merged("outputs"), secrets: merged("secrets") });
    this.converge = {};
    let ingress = this.provider.ingress;
    if (plan.kubernetes) {
      this.kubernetes = this.onCluster(name, args, { outputs: merged("outputs"), secrets: merged("secrets") });
      // Users reach the Gateway's load balancer, which DigitalOcean makes for the Service Cilium creates.
      ingress = { ipv4: [this.kubernetes.address], ipv6: [] };
      parts.push({ exports: { gatewayAddress: this.kubernetes.address } });
    } else {
      this.release = this.onHosts(name, args, merged("secrets"));
    }

    const records = dnsRecords(spec, ingress);
    if (spec.dns.provider === "digitalocean") new DigitalOceanDns(`${name}-dns`, { zone: dnsZone(spec), records }, child);
    if (spec.dns.provider === "cloudflare") new CloudflareDns(`${name}-dns`, { zoneId: spec.dns.zoneId, records }, child);
    this.exports = merged("exports");
    this.registerOutputs({ exports: this.exports });
  }

  /** The Kubernetes tier: Mastodon's chart and what surrounds it, on the provider's cluster. */
  private onCluster(name: string, { spec, plan }: ComponentArgs, values: { outputs: Record<string, pulumi.Output<string>>; secrets: Record<string, pulumi.Output<string>> }): MastodonOnKubernetes {
    const cluster = this.provider.cluster;
    const pg = this.provider.managedPostgres;
    if (!cluster || !pg) throw new Error("the Kubernetes tier needs the provider's cluster and a managed Postgres");
    return new MastodonOnKubernetes(`${name}-k8s`, { spec, plan, cluster, ...values, managedPostgres: pg, dataReady: this.provider.dataReady }, { parent: this });
  }

  /** The VM tier: every host converged to its files, the database handed to the application user, and the release rolled out host by host. */
  private onHosts(name: string, { spec, plan, config }: ComponentArgs, secrets: Record<string, pulumi.Output<string>>): MastodonRelease {
    const child = { parent: this };
    const privateKey = config.sshPrivateKey;
    if (!privateKey) throw new Error("the stack has hosts, but no SSH private key to configure them with (sshPrivateKey)");
    const issued = issueCommand(spec, acmeMode(spec));
    // Behind a balancer or beside other proxies, certbot waits until the ingress reaches this proxy.
    const several = spec.loadBalancer.enabled || plan.hosts.filter((h) => h.roles.includes("proxy")).length > 1;
    const via = several ? this.provider.ingress.ipv4 : [];
    const issue = issued && (via.length > 0 ? pulumi.all(via).apply((addrs) => `${ingressWaitCommand(spec, addrs)}; ${issued}`) : issued);
    // IPv6-only hosts are reached through the IPv4 egress gateway (or any host with IPv4).
    const gateway = egressGateway(spec, plan.hosts)?.name;
    const withIpv4 = Object.values(this.provider.hosts).filter((h) => h.publicIpv4);
    const jump = (gateway ? this.provider.hosts[gateway] : undefined) ?? withIpv4[0];
    // The jump host's key is known once its own first boot reported it; hosts are created in plan
    // order, which may put a host reached through it first.
    const [jumpHostKey, pinJump] = pulumi.deferredOutput<string>();
    const route = { adminHasIpv6: spec.network.adminCidrs.some((c) => c.includes(":")), ...(jump ? { jump, jumpHostKey } : {}) };
    // App hosts converge batch after batch (rollout.hostsAtOnce, one by default): the script waits
    // for a restarted unit's health check, so a configuration change never restarts every Puma
    // at once. Other hosts go in parallel.
    const rollout = rolloutOf(plan, spec.rollout.hostsAtOnce);
    const batchOf = new Map(rollout.batches.flatMap((b, i) => b.map((n) => [n, i] as const)));
    for (const h of plan.hosts) {
      const certificate = issue && h.roles.includes("proxy") ? { certificate: issue } : {};
      const batch = batchOf.get(h.name);
      const earlier = batch ? rollout.batches[batch - 1]!.map((n) => this.converge[n]!.converged) : [];
      const after = earlier.length > 0 ? { after: earlier } : {};
      this.converge[h.name] = new HostConverge(
        `${name}-host-${h.name}`,
        { host: this.provider.hosts[h.name]!, files: this.hostFiles[h.name]!, packages: h.packages, privateKey, route, ...certificate, ...after },
        child,
      );
    }
    if (jump) pinJump(this.converge[jump.name]!.hostKey);
    const on = (host: string) => ({ connection: this.converge[host]!.connection, hostId: this.provider.hosts[host]!.id, user: spec.postgres.user, database: spec.postgres.database });
    const pg = plan.services.postgres;
    const volumeOf = (host: string) => {
      const h = plan.hosts.find((x) => x.name === host);
      const mount = h?.volumeGb !== undefined ? volumeMountPoint(spec, h) : undefined;
      return mount ? { volumeMount: mount } : {};
    };
    const database =
      pg.kind === "selfHosted"
        ? new DatabaseSetup(`${name}-database`, { kind: "selfHosted", ...on(pg.host), after: [this.converge[pg.host]!.converged], password: secrets.DB_PASS!, ...volumeOf(pg.host) }, child)
        : new DatabaseSetup(
            `${name}-database`,
            {
              kind: "managed",
              ...on(rollout.migrationHost),
              after: [this.converge[rollout.migrationHost]!.converged, ...this.provider.dataReady],
              host: this.provider.managedPostgres!.host,
              port: DO_DIRECT_PORT,
              adminPassword: this.provider.managedPostgres!.adminPassword,
              caFile: PATHS.postgresCa,
            },
            child,
          );
    // Data hosts (Postgres, PgBouncer, Redis, search) are configured before any release starts.
    const dataHosts = plan.hosts.filter((h) => h.roles.some((r) => ["postgres", "pgbouncer", "redis", "search"].includes(r))).map((h) => this.converge[h.name]!.converged);
    return new MastodonRelease(
      `${name}-release`,
      {
        version: plan.stack.mastodonVersion,
        rollout,
        hosts: Object.fromEntries(
          rollout.hosts.map((r) => {
            const h = this.provider.hosts[r.name]!;
            const c = this.converge[r.name]!;
            return [r.name, { id: h.id, privateAddress: h.privateAddress, connection: c.connection, booted: c.booted, packaged: c.packages, converged: c.converged }];
          }),
        ),
        ...(spec.mastodon.admin ? { admin: spec.mastodon.admin } : {}),
        registrations: spec.mastodon.registrations,
        dataReady: [database.done, ...this.provider.dataReady, ...dataHosts],
      },
      child,
    );
  }
}
