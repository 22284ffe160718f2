/**
 * sha256 digests in the two spellings plugin pins use.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** sha256 of `data`, lower-case hex (the form Deno's lock file records for JSR metadata). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** sha256 of `data` as `sha256-<hex>` (the form JSR manifests use for file checksums). */
export function sha256Integrity(data: Uint8Array | string): string {
  return `sha256-${sha256Hex(data)}`;
}

/** Compares two sha256 digests given as hex or `sha256-<hex>`, ignoring case. */
export function sameSha256(a: string, b: string): boolean {
  const bare = (s: string) => s.trim().toLowerCase().replace(/^sha256-/, "");
  return bare(a) === bare(b);
}
