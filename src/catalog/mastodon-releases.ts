// What each supported Mastodon minor series needs from a host, and what Debian 13 gives it.
// Sources (accessed 2026-11-30): the "Dependencies" section of each series' release notes on
// github.com/mastodon/mastodon/releases, and the Gemfile / package.json / streaming/package.json
// at upstream's version-bump commits (4.3.0 edcf3d9234, 4.4.0 c1794fb948, 4.5.0 26c78392f8,
// 4.6.0 e864238991, 4.6.5 1440d55b13; 4.7 from upstream main of 2026-08-07, whose 4.7.x release
// notes say the dependencies have not changed since 4.6.0). Debian 13's versions are from its
// apt indexes (trixie, -updates, -security, -backports) of 2026-11-29.

export type Series = "4.3" | "4.4" | "4.5" | "4.6" | "4.7";

export interface SeriesRequirements {
  /** The Gemfile's `ruby` line: what Bundler enforces. */
  ruby: string;
  /** engines.node of package.json and streaming/package.json: the lowest major that satisfies it. */
  nodeMajor: number;
  postgresMin: number;
  redisMin: string;
  libvipsMin: string;
}

export const SERIES: Record<Series, SeriesRequirements> = {
  "4.3": { ruby: ">= 3.1.0", nodeMajor: 18, postgresMin: 12, redisMin: "4", libvipsMin: "8.13" },
  "4.4": { ruby: ">= 3.2.0, < 3.5.0", nodeMajor: 20, postgresMin: 13, redisMin: "6.2", libvipsMin: "8.13" },
  "4.5": { ruby: ">= 3.2.0, < 3.5.0", nodeMajor: 20, postgresMin: 14, redisMin: "7.0", libvipsMin: "8.13" },
  "4.6": { ruby: ">= 3.3.0, < 4.1.0", nodeMajor: 22, postgresMin: 14, redisMin: "7.0", libvipsMin: "8.13" },
  "4.7": { ruby: ">= 3.3.0, < 4.1.0", nodeMajor: 22, postgresMin: 14, redisMin: "7.0", libvipsMin: "8.13" },
};

export const SUPPORTED_SERIES = Object.keys(SERIES) as Series[];

/** Debian 13's own packages (ruby3.3, nodejs, redis-server, libvips42t64): each series above runs on them except for Node. */
export const DEBIAN_13 = { ruby: "3.3.14", nodeMajor: 20, redis: "8.0.2", libvips: "8.16.1" } as const;

/**
 * Where Node comes from when Debian's is too old: NodeSource's repository, as upstream's install
 * guide does it (docs.joinmastodon.org/admin/install, "Update Node.js to v24", 2026-05-21). The
 * signing key is fetched from NodeSource and accepted only with this fingerprint.
 */
export const NODESOURCE = {
  major: 24,
  keyUrl: "https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key",
  fingerprint: "6F71F525282841EEDAF851B42F59B5F99B1BE0B4",
} as const;

/** "v4.6.5" → "4.6"; undefined for a tag that is not vMAJOR.MINOR.PATCH. */
export function seriesOf(version: string): string | undefined {
  return /^v(\d+\.\d+)\.\d+/.exec(version)?.[1];
}

export function requirementsOf(version: string): SeriesRequirements | undefined {
  const s = seriesOf(version);
  return s !== undefined && s in SERIES ? SERIES[s as Series] : undefined;
}

/** The Node major the hosts install: Debian's when it is new enough, else NodeSource's. */
export function nodeFor(version: string): { source: "debian" | "nodesource"; major: number } {
  const need = requirementsOf(version)?.nodeMajor ?? DEBIAN_13.nodeMajor;
  return need <= DEBIAN_13.nodeMajor ? { source: "debian", major: DEBIAN_13.nodeMajor } : { source: "nodesource", major: NODESOURCE.major };
}
