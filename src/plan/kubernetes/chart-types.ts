// The subset of Mastodon's chart 1.0.2 values (../shared/fixtures/mastodon-helm-chart/1.0.2/
// values.yaml) that we set, typed. Every key here is held to the chart by the contract test
// (test/helpers/chart-contract.ts); T is a value known only after cloud resources exist.

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

export interface SecurityContext {
  runAsNonRoot: true;
  allowPrivilegeEscalation: false;
  capabilities: { drop: ["ALL"] };
  seccompProfile: { type: "RuntimeDefault" };
}

/** One `mastodon.sidekiq.workers[]` item: its own Deployment <full>-sidekiq-<name>. */
export interface SidekiqWorkerValues {
  name: string;
  replicas: number;
  concurrency: number;
  queues: string[];
  resources: Resources;
  nodeSelector: Record<string, string>;
}

export interface HttpRouteFilter {
  type: "ResponseHeaderModifier";
  responseHeaderModifier: { set: { name: string; value: string }[] };
}

export interface HttpRouteRule {
  matches: { path: { type: "PathPrefix"; value: string } }[];
  filters: HttpRouteFilter[];
}

export interface ParentRef {
  group: "gateway.networking.k8s.io";
  kind: "Gateway";
  name: string;
  namespace: string;
  sectionName: string;
}

/** Env values the chart renders into the pod spec (`value: {{ quote $v }}`): T where a value is an output. */
export type ExtraEnv<T> = Record<string, string | T>;

export interface ChartValues<T> {
  image: { repository: string; tag: string; pullPolicy: "IfNotPresent" };
  timezone: string;
  /** Off: `rollme` would restart every pod on every release upgrade, even one that only moves a replica count. */
  revisionPodAnnotation: boolean;
  podAnnotations: Record<string, string | T>;
  securityContext: SecurityContext;
  mastodon: {
    localDomain: string;
    webDomain: string;
    alternateDomains: string[];
    locale: string;
    singleUserMode: boolean;
    authorizedFetch: boolean;
    logLevel: { rails: string; streaming: string };
    createAdmin: { enabled: false };
    hooks: { dbPrepare: { enabled: false }; dbMigrate: { enabled: false }; deploySearch: { enabled: false }; s3Upload: { enabled: false } };
    secrets: { existingSecret: string };
    /** Non-secret settings for every pod, through the chart's env ConfigMap. */
    extraEnvVars: Record<string, string>;
    web: {
      replicas: number;
      workers: string;
      minThreads: string;
      maxThreads: string;
      resources: Resources;
      nodeSelector: Record<string, string>;
      extraEnvVars: ExtraEnv<T>;
    };
    streaming: {
      replicas: number;
      workers: number;
      image: { repository: string; tag: string };
      /** The Postgres CA for Node: the chart mounts it and sets NODE_EXTRA_CA_CERTS and DB_SSLMODE=sslMode. */
      extraCerts: { existingSecret: string; existingSecretKeys: { caCert: string }; mountName: string; mountPath: string; mountFile: string; sslMode: string };
      resources: Resources;
      nodeSelector: Record<string, string>;
      extraEnvVars: ExtraEnv<T>;
    };
    sidekiq: { workers: SidekiqWorkerValues[]; extraEnvVars: ExtraEnv<T> };
    s3: {
      enabled: true;
      existingSecret: string;
      bucket: string;
      endpoint: string | T;
      hostname: string | T;
      region: string;
      protocol: "https";
      permission: string;
      aliasHost: string | T;
    };
    smtp: {
      existingSecret: string;
      server: string;
      port: number;
      fromAddress: string;
      domain: string;
      enableStartTls: string;
      tls: boolean;
      authMethod: string;
      caFile: string;
      deliveryMethod: string;
      opensslVerifyMode: string;
    };
  };
  postgresql: {
    hostname: T;
    port: number;
    database: string;
    preparedStatements: boolean;
    existingSecret: string;
    direct: { hostname: T; port: number; database: string };
  };
  redis: { hostname: T; port: number; existingSecret: string };
  elasticsearch: { enabled: false } | { enabled: true; hostname: T; port: number; tls: true; preset: string; existingSecret: string };
  ingress: { enabled: false };
  httproute: {
    enabled: true;
    parentRefs: ParentRef[];
    hostnames: string[];
    rules: HttpRouteRule[];
    /** The same names: set so the chart renders streaming's own route, which takes the HSTS filter too. */
    streamingHostnames: string[];
    streamingRules: HttpRouteRule[];
  };
}
