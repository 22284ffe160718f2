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

/** Longest name most file systems accept for one path component (bytes, UTF-8). */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why `name` is not one plain path segment (a file or directory name that stays
 * in its parent), or `undefined` when it is. Refused: empty, `.`/`..`, `/`, `\`,
 * NUL and other control characters, more than 255 UTF-8 bytes. Use it before
 * joining any name taken from untrusted input (a URL, an API field) to a path.
 */
export function segmentProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return `'${name}' is not a name`;
  if (/[/\\]/.test(name)) return "it contains a path separator";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "it contains a control character";
  if (new TextEncoder().encode(name).length > MAX_SEGMENT_BYTES) {
    return `it is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}
