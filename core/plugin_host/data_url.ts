/**
 * `data:` URLs for plugin bundles (what workers and the main thread import).
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** `data:application/javascript;base64,…` of `code` (UTF-8). */
export function dataUrl(code: string): string {
  return `data:application/javascript;base64,${Buffer.from(code, "utf8").toString("base64")}`;
}
