// Where media goes, and where its public URLs point.
//
// The trap (config/initializers/paperclip.rb): with S3_ENDPOINT set, public URLs are
// path-style, S3_PROTOCOL://S3_HOSTNAME/S3_BUCKET/<key>, and S3_HOSTNAME defaults to
// s3-<region>.amazonaws.com whatever the endpoint is. S3_ALIAS_HOST replaces the whole thing with
// S3_PROTOCOL://S3_ALIAS_HOST/<key>, no bucket in the path. Our rule:
//  - a CDN or custom domain that serves the bucket at its root → S3_ALIAS_HOST, no S3_HOSTNAME;
//  - otherwise → S3_HOSTNAME = the endpoint's host, so path-style URLs hit the store itself.
// R2's API endpoint never serves anonymous reads, so R2 always gets an alias host: the custom
// domain, or the bucket's r2.dev public host (an output of the component layer).
// Mastodon checks S3_ENDPOINT and S3_ALIAS_HOST with ENV.key?, so they are left out, never empty.
import type { Spec } from "../../../spec/schema/stack";
import { LOCAL_MEDIA_ROOT } from "../systemd/common";
import { outputRef, secretRef } from "../placeholders";

function s3Common(bucket: string, region: string, endpoint: string): Record<string, string> {
  return {
    S3_ENABLED: "true",
    S3_PROTOCOL: "https",
    S3_BUCKET: bucket,
    S3_REGION: region,
    S3_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: secretRef("S3_ACCESS_KEY_ID"),
    AWS_SECRET_ACCESS_KEY: secretRef("S3_SECRET_ACCESS_KEY"),
  };
}

/** The host part of an https:// URL (the spec only admits https endpoints). */
function hostOf(url: string): string {
  return new URL(url).host;
}

export function mediaVars(spec: Spec): Record<string, string> {
  const m = spec.media;
  const defaultBucket = `${spec.name}-media`;
  if (m.spaces) {
    const endpointHost = `${m.spaces.region}.digitaloceanspaces.com`;
    const vars = s3Common(m.spaces.bucket ?? defaultBucket, m.spaces.region, `https://${endpointHost}`);
    // Spaces honours public-read (Mastodon's default ACL), so S3_PERMISSION stays unset.
    return m.spaces.cdn ? { ...vars, S3_ALIAS_HOST: outputRef("media.cdnHost") } : { ...vars, S3_HOSTNAME: endpointHost };
  }
  if (m.r2) {
    return {
      ...s3Common(m.r2.bucket ?? defaultBucket, "auto", `https://${outputRef("r2.accountId")}.r2.cloudflarestorage.com`),
      // R2 has no ACLs and refuses requests that carry one: present and empty sends none.
      S3_PERMISSION: "",
      S3_ALIAS_HOST: m.r2.customDomain ?? outputRef("r2.publicHost"),
    };
  }
  if (m.s3) {
    const vars = { ...s3Common(m.s3.bucket, m.s3.region, m.s3.endpoint), S3_PERMISSION: m.s3.permission };
    return m.s3.aliasHost ? { ...vars, S3_ALIAS_HOST: m.s3.aliasHost } : { ...vars, S3_HOSTNAME: hostOf(m.s3.endpoint) };
  }
  // Local disk: the units' StateDirectory, outside the read-only release.
  return { PAPERCLIP_ROOT_PATH: LOCAL_MEDIA_ROOT };
}
