// The packages step's desired state for one host: the apt sources and packages its roles and the
// release need, as the text templates/scripts/packages.sh reads on stdin, and that text's hash,
// which is the step's trigger (an unchanged stack runs nothing). Built from hostPackages, the
// answer cloud-init's package list comes from, so what a host gets at first boot and what the step
// later installs on a host created before a role or a release needed it can never disagree.
// Pure: the same host gives the same bytes. It holds no secret (nothing about packages is one).
import { createHash } from "node:crypto";
import { NODESOURCE } from "../../catalog/mastodon-releases";
import { PGDG } from "../../catalog/pgdg";
import type { SizedHost } from "../capacity/hosts";
import type { AptSource, PackageStep } from "../types";
import { DEBIAN_CODENAME, NODESOURCE_SOURCE, nodesourceLine, type HostPackages } from "./cloud-init/packages";
import { dataDirs } from "./cloud-init/volume";
import type { RenderContext } from "./context";

export const PACKAGES_HEADER = "mastodon-packages 1";
const SOURCES_DIR = "/etc/apt/sources.list.d";
const KEYRINGS_DIR = "/etc/apt/keyrings";

/**
 * Each third-party source goes to the file the first-boot path writes for it (cloud-init's
 * `<name>.list`, postgresql-common's pgdg.sources), so the step replaces that file instead of
 * adding a second entry for the same repository with another Signed-By, which apt refuses.
 */
function nodesourceSource(major: number): AptSource {
  const keyring = `${KEYRINGS_DIR}/${NODESOURCE_SOURCE}.gpg`;
  return { list: `${SOURCES_DIR}/${NODESOURCE_SOURCE}.list`, keyring, fingerprint: NODESOURCE.fingerprint, keyUrl: NODESOURCE.keyUrl, content: `${nodesourceLine(major, keyring)}\n` };
}

/** What /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh writes, signed by our keyring. */
function pgdgSource(): AptSource {
  const keyring = `${KEYRINGS_DIR}/pgdg.gpg`;
  const content = ["Types: deb", `URIs: ${PGDG.uri}`, `Suites: ${DEBIAN_CODENAME}-pgdg`, "Components: main", `Signed-By: ${keyring}`, ""].join("\n");
  return { list: `${SOURCES_DIR}/pgdg.sources`, keyring, fingerprint: PGDG.fingerprint, keyUrl: PGDG.keyUrl, content };
}

const byPath = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The desired state of `host`, from hostPackages' answer for it (`wanted`). */
export function packageStep(ctx: RenderContext, host: SizedHost, wanted: HostPackages): PackageStep {
  const sources: AptSource[] = [];
  const packages = new Set(wanted.packages);
  if (wanted.nodesource) sources.push(nodesourceSource(wanted.nodesource.major));
  if (wanted.pgdgPostgres) {
    sources.push(pgdgSource());
    // cloud-init installs this one in runcmd, once the PGDG source exists; the step lists it with the rest.
    packages.add(`postgresql-${wanted.pgdgPostgres}`);
  }
  // Installing PostgreSQL creates and starts its cluster at once: where the plan puts that data on
  // a volume, the package waits until the volume is mounted there (first boot mounts it before
  // cloud-init's packages; a host given the role later has no such mount until someone makes it).
  const pgDir = host.volumeGb !== undefined ? dataDirs(ctx.spec, host).find((d) => d.name === "postgresql") : undefined;
  const mounts = pgDir ? [...packages].filter((p) => /^postgresql-\d+$/.test(p)).map((p) => ({ path: pgDir.path, package: p })) : [];
  const step = {
    sources: sources.sort(byPath((s) => s.list)),
    packages: [...packages].sort(),
    ...(wanted.nodesource ? { nodeMajor: wanted.nodesource.major } : {}),
    mounts: mounts.sort(byPath((m) => `${m.path}\t${m.package}`)),
  };
  const input = packageStepInput(step);
  return { ...step, input, sha256: createHash("sha256").update(input).digest("hex") };
}

/** The script's stdin: one tab-separated line per item, an end marker so a truncated input is refused. */
export function packageStepInput(step: Omit<PackageStep, "input" | "sha256">): string {
  const fields = (...f: (string | number)[]) => {
    for (const x of f) if (/[\t\n]/.test(String(x)) || String(x) === "") throw new Error(`packages step: empty field or one with a tab or newline: ${JSON.stringify(x)}`);
    return f.join("\t");
  };
  return [
    PACKAGES_HEADER,
    ...step.sources.map((s) => fields("source", s.list, s.keyring, s.fingerprint, s.keyUrl, Buffer.from(s.content).toString("base64"))),
    ...step.packages.map((p) => fields("package", p)),
    ...(step.nodeMajor !== undefined ? [fields("node", step.nodeMajor)] : []),
    ...step.mounts.map((m) => fields("mount", m.path, m.package)),
    "end",
    "",
  ].join("\n");
}
