/**
 * `ivpm cache init|info|clean` — thin wrappers over core/fetch/cache.
 *
 * @module
 */

import { resolveCacheDir } from "../../fetch/cache/dir.ts";
import { activeSiteSettings } from "./show_site_config.ts";
import {
  cacheInfo as readCacheInfo,
  cleanCache,
  formatSize,
  initCache,
} from "../../fetch/cache/maintenance.ts";
import { IvpmError } from "../../base/errors.ts";
import { err, out } from "../../ui/log.ts";

async function cacheDirOf(flag?: string): Promise<string> {
  // Unlike the original, info/clean use the same default cache as update does.
  const dir = resolveCacheDir({ flag, siteDefault: (await activeSiteSettings()).settings.cacheDir });
  if (!dir) {
    throw new IvpmError("caching is disabled (IVPM_CACHE is empty)", {
      hint: "pass --cache-dir <dir> or set IVPM_CACHE",
    });
  }
  return dir;
}

/** `ivpm cache init DIR`. */
export async function cacheInit(dir: string, o: { shared?: boolean; force?: boolean }): Promise<void> {
  const r = await initCache(dir, { shared: o.shared, force: o.force });
  out(`Cache directory initialized: ${r.dir}`);
  if (r.shared) err(`note: set group inheritance (g+s) on ${r.dir}`);
  out(`Set IVPM_CACHE=${r.dir} to enable caching`);
}

/** `ivpm cache info`. */
export async function cacheInfo(o: { cacheDir?: string; verbose?: boolean; json?: boolean }): Promise<void> {
  const info = await readCacheInfo(await cacheDirOf(o.cacheDir));
  if (o.json) return out(JSON.stringify(info, null, 2));
  out(`Cache directory: ${info.dir}`);
  out(`Total size: ${formatSize(info.totalBytes)}`);
  out(`Packages: ${info.packages.length}`);
  out();
  for (const p of info.packages) {
    out(`  ${p.name}:`);
    out(`    Versions: ${p.versions.length}`);
    out(`    Size: ${formatSize(p.bytes)}`);
    if (o.verbose) { for (const v of p.versions) out(`      - ${v.key}: ${formatSize(v.bytes)}`); }
  }
}

/** `ivpm cache clean`. */
export async function cacheClean(
  o: { cacheDir?: string; days?: number; dryRun?: boolean; json?: boolean },
): Promise<void> {
  const days = o.days ?? 7;
  const r = await cleanCache(await cacheDirOf(o.cacheDir), { olderThanDays: days, dryRun: o.dryRun });
  if (o.json) return out(JSON.stringify(r, null, 2));
  for (const e of r.removed) err(`note: ${o.dryRun ? "would remove" : "removed"} cached ${e.name}/${e.key}`);
  for (const e of r.keptInUse) err(`note: kept ${e.name}/${e.key} (linked from a project)`);
  out(
    `${
      o.dryRun ? "Would remove" : "Removed"
    } ${r.removed.length} cache entries unused for more than ${days} days${
      r.keptInUse.length ? ` (${r.keptInUse.length} old entries kept: still linked)` : ""
    }`,
  );
}
