// Quoting for every shell line we generate (backup script, certbot, release and admin commands).

/** Single-quoted for a POSIX shell, whatever the text holds; markers ({{output:…}}) stay intact. */
export function shellQuote(value: string | number): string {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}
