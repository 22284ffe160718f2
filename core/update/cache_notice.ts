/**
 * After the fetches: a project that used the shared cache is registered with it; without a cache,
 * packages that asked for it (`cache: true`) are named in a warning.
 *
 * @module
 */

import type { PackageCache } from "../fetch/cache/store.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import type { ResolvedPackage } from "./resolver.ts";
import type { Landed } from "./update_types.ts";

/** Registers the project with the cache it used, or warns of `cache: true` without a cache. */
export async function settleCache(args: {
  cache: PackageCache | null;
  cacheUsed: boolean;
  depsDir: string;
  packages: ResolvedPackage[];
  sources: SourceRegistry;
  report: (d: Diagnostic) => void;
}): Promise<void> {
  const { cache } = args;
  if (args.cacheUsed && cache) await cache.registerProject(args.depsDir).catch(() => {});
  if (cache) return;
  const uncached = uncachedRequests(args.packages, args.sources);
  if (uncached.length) {
    args.report({
      severity: "warning",
      message: `cache: true is set for ${uncached.join(", ")}, but no package cache is configured; ` +
        "fetched into packages/ instead (to enable it: 'ivpm cache init DIR', then IVPM_CACHE=DIR, " +
        "or a site config's cache directory)",
    });
  }
}

/** Packages fetched this run that asked for the shared cache (`cache: true`) from a source honouring it. */
export function uncachedRequests(packages: ResolvedPackage[], sources: SourceRegistry): string[] {
  return packages.filter((p) =>
    p.dep.options.cache === true && !!sources.get(p.dep.src)?.cacheable &&
    ["fetched", "updated"].includes((p.landed as Landed | undefined)?.status ?? "")
  ).map((p) => p.name);
}
