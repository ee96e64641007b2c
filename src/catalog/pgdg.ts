// The PostgreSQL Global Development Group's apt repository (apt.postgresql.org), for a
// PostgreSQL major that Debian 13 does not ship.
//
// Sources: the repository and key URL as the PostgreSQL wiki's "Apt" page gives them
// (wiki.postgresql.org/wiki/Apt); the fingerprint as Debian's postgresql-common ships the key in
// /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc (read with `gpg --show-keys` from
// postgresql-common 248+deb12u2, 2026-11-30), the same key its apt.postgresql.org.sh trusts at
// first boot.

export const PGDG = {
  uri: "https://apt.postgresql.org/pub/repos/apt",
  keyUrl: "https://www.postgresql.org/media/keys/ACCC4CF8.asc",
  fingerprint: "B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8",
} as const;
