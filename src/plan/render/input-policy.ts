// Each host's own input policy for its service ports: the hosts configured to dial a port (see
// inbound.ts) get in, loopback gets in, every other connection to it is reset. The cloud
// firewalls cannot do this: Hetzner's do not filter the private network at all, and
// DigitalOcean's admit a port from the whole VPC. The table replaces only itself and accepts
// everything it does not name, so SSH, the web ports and other tables are untouched.
import type { SizedHost } from "../capacity/hosts";
import type { HostFile } from "../types";
import type { RenderContext } from "./context";
import { hostFile } from "./host-file";
import { inboundFor, type Inbound } from "./inbound";

export const INPUT_POLICY_RULESET = "/etc/mastodon/input-policy.nft";
export const INPUT_POLICY_UNIT = "mastodon-input-policy.service";
const TABLE = "mastodon_input";

function rule(i: Inbound): string[] {
  const who = i.from.length > 0 ? `from ${i.from.join(", ")}` : "from no other host";
  return [
    `    # ${i.service} ${who}`,
    ...(i.from.length > 0 ? [`    tcp dport ${i.port} ip saddr { ${i.from.join(", ")} } accept`] : []),
    `    tcp dport ${i.port} reject with tcp reset`,
  ];
}

export function inputRuleset(host: string, inbound: readonly Inbound[]): string {
  const ports = [...inbound].sort((a, b) => a.port - b.port);
  return [
    "#!/usr/sbin/nft -f",
    `# Rendered by mastodon-stack for ${host}: who may open each of its service ports; a converge overwrites local edits.`,
    // Declaring, deleting and re-creating the table in one file is one transaction: no moment without it.
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    '    iif "lo" accept',
    // Replies to this host's own connections, and connections admitted before a change.
    "    ct state established,related accept",
    ...ports.flatMap(rule),
    "  }",
    "}",
    "",
  ].join("\n");
}

function inputUnit(): string {
  return [
    "# Rendered by mastodon-stack: loads this host's input policy before any network service starts.",
    "[Unit]",
    "Description=mastodon-stack input policy for the service ports",
    "DefaultDependencies=no",
    "Wants=network-pre.target",
    "Before=network-pre.target shutdown.target",
    "Conflicts=shutdown.target",
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    "StandardInput=null",
    `ExecStart=/usr/sbin/nft -f ${INPUT_POLICY_RULESET}`,
    // nft talks netlink to the kernel and needs CAP_NET_ADMIN in the host's namespace; nothing
    // else, so it runs as a throwaway user holding that one capability, not as root.
    "DynamicUser=true",
    "AmbientCapabilities=CAP_NET_ADMIN",
    "CapabilityBoundingSet=CAP_NET_ADMIN",
    "NoNewPrivileges=true",
    "UMask=0077",
    "ProtectSystem=strict",
    "ProtectHome=true",
    "PrivateTmp=true",
    "PrivateDevices=true",
    "DevicePolicy=closed",
    "PrivateMounts=true",
    "ProtectProc=invisible",
    "ProcSubset=pid",
    "ProtectKernelTunables=true",
    "ProtectKernelModules=true",
    "ProtectKernelLogs=true",
    "ProtectControlGroups=true",
    "ProtectClock=true",
    "ProtectHostname=true",
    "RestrictAddressFamilies=AF_NETLINK AF_UNIX",
    "IPAddressDeny=any",
    "RestrictNamespaces=true",
    "RestrictRealtime=true",
    "RestrictSUIDSGID=true",
    "LockPersonality=true",
    "MemoryDenyWriteExecute=true",
    "RemoveIPC=true",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "SystemCallErrorNumber=EPERM",
    // A restart reloads the file (atomically, see the ruleset); stopping leaves the rules in place.
    "",
    "[Install]",
    "WantedBy=sysinit.target",
    "",
  ].join("\n");
}

/** The ruleset and its unit, on every host that listens on a service port. */
export function renderInputPolicy(ctx: RenderContext, host: SizedHost): HostFile[] {
  const inbound = inboundFor(ctx, host);
  if (inbound.length === 0) return [];
  // Applied on every change, and on the first converge too (a try-restart would skip an inactive unit).
  const reload = { kind: "apply", unit: INPUT_POLICY_UNIT } as const;
  return [
    hostFile(INPUT_POLICY_RULESET, inputRuleset(host.name, inbound), { mode: "0644", after: [reload] }),
    hostFile(`/etc/systemd/system/${INPUT_POLICY_UNIT}`, inputUnit(), { mode: "0644", after: [{ kind: "daemon-reload" }, { kind: "enable", unit: INPUT_POLICY_UNIT }, reload] }),
  ];
}
