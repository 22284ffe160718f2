/**
 * Cache version key of a gh-rls package.
 *
 * @module
 */

import type { Platform } from "./platform.ts";

/**
 * `<tag>_<os>_<arch>`, as the original keys its cache (one entry per platform, since the
 * asset differs). Characters unsafe in a directory name (`/` in `release/1.0`) become `_`.
 */
export function releaseCacheKey(tag: string, platform: Pick<Platform, "os" | "arch">): string {
  return `${tag}_${platform.os}_${platform.arch}`.replace(/[^A-Za-z0-9._+-]/g, "_");
}
