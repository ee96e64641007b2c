// Which inputs of each cloud resource the program registers cannot be changed in place: a change
// to one makes Pulumi replace the resource (create the new one, delete the old), which for a
// database, a volume, a bucket or a host with Postgres on its disk means losing its data.
// Pulumi's bridged providers take this from the Terraform schemas (`ForceNew` / `RequiresReplace`),
// so the lists below are read from them, converted to Pulumi's camelCase input names:
//   DigitalOcean: digitalocean/terraform-provider-digitalocean 401992a1 (2026-08-06), digitalocean/*/resource_*.go
//   Hetzner:      hetznercloud/terraform-provider-hcloud f81c9af4 (2026-08-17), internal/*/resource*.go
//   Cloudflare:   R2's API cannot rename a bucket or move it to another location or jurisdiction, so those inputs replace it.
// Read on 2026-11-30. random and tls resources are replaced on any change of their inputs (every
// argument of those providers requires replacement), which for the instance's secrets means new keys.

export interface ReplaceRule {
  /** Top-level inputs whose change replaces the resource; "*" for any input. */
  inputs: readonly string[] | "*";
  /** Why it matters here, when replacing it loses something (shown with the warning). */
  loses?: string;
  /** Dotted paths inside an input (a nested block) whose change replaces the resource too. */
  nested?: readonly string[];
  /** Replacing or deleting it takes the instance down although it holds no data (shown with the data warnings). */
  outage?: boolean;
}

export const REPLACE_ON_CHANGE: Readonly<Record<string, ReplaceRule>> = {
  "digitalocean:index/droplet:Droplet": { inputs: ["dropletAgent", "gpuPartitionMode", "image", "monitoring", "publicNetworking", "region", "sshKeys", "userData", "vpcUuid"] },
  "digitalocean:index/databaseCluster:DatabaseCluster": { inputs: ["engine", "name", "privateNetworkUuid", "projectId"], loses: "every row of the database" },
  "digitalocean:index/volume:Volume": { inputs: ["description", "initialFilesystemLabel", "initialFilesystemType", "name", "region", "snapshotId"], loses: "the volume's files" },
  // The bucket's id is its name (resource_spaces_bucket.go reads it back with d.Id()): another name is another bucket.
  "digitalocean:index/spacesBucket:SpacesBucket": { inputs: ["name", "region"], loses: "every uploaded media file" },
  "digitalocean:index/vpc:Vpc": { inputs: ["ipRange", "region"] },
  "digitalocean:index/loadBalancer:LoadBalancer": { inputs: ["ip", "network", "networkStack", "region", "subnetUuid", "type", "vpcUuid"] },
  "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool": { inputs: ["clusterId", "dbName", "mode", "name", "size", "user"] },
  "digitalocean:index/databaseDb:DatabaseDb": { inputs: ["clusterId", "name"], loses: "the Mastodon database inside the cluster" },
  "digitalocean:index/databaseUser:DatabaseUser": { inputs: ["clusterId", "name"] },
  "digitalocean:index/cdn:Cdn": { inputs: ["origin"] },
  // digitalocean/kubernetes/resource_kubernetes_cluster.go; a smaller version and a new size of the
  // cluster's own node pool (nodePool.size, nested) replace it too, which top-level inputs cannot say.
  "digitalocean:index/kubernetesCluster:KubernetesCluster": {
    inputs: ["clusterSubnet", "isolatedWorkers", "region", "serviceSubnet", "vpcUuid", "workerSubnetUuid"],
    nested: ["nodePool.size"],
    outage: true,
    loses: "every pod and object on the cluster (the instance is down until the release is ready on the new one) and the Gateway's address",
  },
  // digitalocean/kubernetes/kubernetes.go nodePoolSchema and resource_kubernetes_node_pool.go.
  "digitalocean:index/kubernetesNodePool:KubernetesNodePool": { inputs: ["clusterId", "gpuPartitionMode", "size"] },
  "hcloud:index/server:Server": { inputs: ["image", "location", "sshKeys", "userData"] },
  "hcloud:index/volume:Volume": { inputs: ["location"], loses: "the volume's files" },
  "hcloud:index/volumeAttachment:VolumeAttachment": { inputs: ["serverId", "volumeId"] },
  "hcloud:index/network:Network": { inputs: ["ipRange"] },
  "hcloud:index/networkSubnet:NetworkSubnet": { inputs: ["ipRange", "networkId", "networkZone", "type", "vswitchId"] },
  "hcloud:index/networkRoute:NetworkRoute": { inputs: ["destination", "gateway", "networkId"] },
  "hcloud:index/primaryIp:PrimaryIp": { inputs: ["location", "type"], loses: "the public address (DNS and federation peers keep the old one until they re-resolve)" },
  "cloudflare:index/r2Bucket:R2Bucket": { inputs: ["accountId", "jurisdiction", "location", "name"], loses: "every uploaded media file" },
  "random:index/randomPassword:RandomPassword": { inputs: "*", loses: "the secret (a new one is generated)" },
  "random:index/randomBytes:RandomBytes": { inputs: "*", loses: "the secret (a new one is generated)" },
  "tls:index/privateKey:PrivateKey": { inputs: "*", loses: "the key (a new one is generated)" },
  "tls:index/selfSignedCert:SelfSignedCert": { inputs: "*" },
  "tls:index/certRequest:CertRequest": { inputs: "*" },
  "tls:index/locallySignedCert:LocallySignedCert": { inputs: "*" },
};

/** Types whose resource holds the instance's data: deleting or replacing one loses it (a host is data when Postgres lives on its disk). */
export const DATA_TYPES: ReadonlySet<string> = new Set([
  "digitalocean:index/databaseCluster:DatabaseCluster",
  "digitalocean:index/databaseDb:DatabaseDb",
  "digitalocean:index/volume:Volume",
  "digitalocean:index/spacesBucket:SpacesBucket",
  "hcloud:index/volume:Volume",
  "cloudflare:index/r2Bucket:R2Bucket",
]);

export const SERVER_TYPES: ReadonlySet<string> = new Set(["digitalocean:index/droplet:Droplet", "hcloud:index/server:Server"]);
