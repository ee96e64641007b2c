// What the chosen Mastodon release needs from the stack: a series whose requirements we know
// (src/catalog/mastodon-releases.ts), a database it supports, and only services we install.
import { requirementsOf, seriesOf, SUPPORTED_SERIES } from "../catalog/mastodon-releases";
import type { Spec } from "./schema/stack";

type Report = (path: readonly (string | number)[], message: string, fix: string) => void;

export function checkRelease(spec: Spec, report: Report): void {
  const version = spec.mastodon.version;
  const req = requirementsOf(version);
  if (!req) {
    report(["mastodon", "version"], `${version} is in series ${seriesOf(version) ?? "?"}, whose requirements mastodon-stack does not know (supported: ${SUPPORTED_SERIES.join(", ")})`, `use a release of ${SUPPORTED_SERIES.at(-1)} or older; a newer series needs its requirements added to src/catalog/mastodon-releases.ts`);
    return;
  }
  for (const [path, v] of [[["postgres", "managed", "version"], spec.postgres.managed?.version], [["postgres", "selfHosted", "version"], spec.postgres.selfHosted?.version]] as const) {
    if (v !== undefined && Number(v) < req.postgresMin) report(path, `${version} needs PostgreSQL ${req.postgresMin} or newer, not ${v}`, `set version: "${req.postgresMin}" or newer (upgrading a cluster in place is the provider's major-version upgrade)`);
  }
  if (spec.search.selfHosted) {
    report(["search", "selfHosted"], "mastodon-stack does not install OpenSearch (Debian has no package), so Mastodon would be pointed at nothing", "use search: { managed: { size: … } } on DigitalOcean, or search: { off: true }");
  }
}
