// Cloudflare R2 (USD), Standard storage class.
//
// Source: https://developers.cloudflare.com/r2/pricing/
//         (cloudflare/cloudflare-docs src/content/docs/r2/pricing.mdx; same figures in transcriptions dated 2026-08-03)
// checked: 2026-08-03
//
// Egress is free, which is why R2 suits Mastodon media: the bill is storage plus requests, not
// traffic. The free tier (10 GB-month, 1 M Class A, 10 M Class B per month) is per account, so a
// stack sharing an account with other buckets may not get it.

import type { R2Pricing } from "./types";

export const r2: R2Pricing = {
  currency: "USD",
  source: { url: "https://developers.cloudflare.com/r2/pricing/", checked: "2026-08-03" },
  perGbMonth: 0.015,
  freeGb: 10,
  // Class A = writes and lists (PutObject, CopyObject, ListObjects, multipart uploads).
  classAPerMillion: 4.5,
  // Class B = reads (GetObject, HeadObject).
  classBPerMillion: 0.36,
};
