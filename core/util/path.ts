/**
 * Path helpers missing from `node:path` under Deno (file URLs).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
export { dirname, join, resolve } from "node:path";

/** `file:` URL → path. */
export function fromFileUrl(url: string | URL): string {
  return fileURLToPath(url);
}
