/**
 * Update steps 3–6 for the whole graph: resolves the root's dependencies, landing every package
 * (see `land.ts`) under the run's git, HTTP and archive limits, then waits for the leaf work.
 *
 * @module
 */

import { type HttpSettings, httpSettingsFromEnv, withHttpSettings } from "../fetch/net/http_settings.ts";
import { extractLimitsFromEnv, withExtractLimits } from "../fetch/archive/limits.ts";
import type { DependencySpec } from "../config/model.ts";
import type { UpdateTimings } from "./timings.ts";
import { type ResolvedGraph, type ResolvedPackage, resolveGraph, UpdateFailed } from "./resolver.ts";
import { land, type LandContext } from "./land.ts";
import type { Landed } from "./update_types.ts";

/** Lands every package reachable from `rootDeps`; reports every failure, throws the first. */
export async function fetchGraph(
  ctx: LandContext,
  args: { rootName: string; rootDeps: DependencySpec[]; jobs: number; env: Record<string, string> },
): Promise<ResolvedGraph> {
  const { opts, timings, report } = ctx;
  try {
    // HTTP limits come from the update's environment (IVPM_HTTP_TIMEOUT / IVPM_HTTP_RETRIES, or the CLI
    // flags), as git's do (runUpdate runs everything in it); retries are reported.
    const httpSettings: HttpSettings = {
      ...httpSettingsFromEnv(args.env),
      onRetry: (message) => report({ severity: "warning", message }),
    };
    // Archive caps too (IVPM_MAX_UNPACKED_SIZE … or --max-unpacked-size …): a bad value fails here, once.
    const extractLimits = extractLimitsFromEnv(args.env);
    const withLimits = <T>(fn: () => Promise<T>) =>
      withExtractLimits(extractLimits, () => withHttpSettings(httpSettings, fn));
    const graph = await withLimits(() =>
      resolveGraph({
        rootName: args.rootName,
        rootDeps: args.rootDeps,
        land: (pkg) => land(ctx, pkg),
        jobs: args.jobs,
        signal: opts.signal ? AbortSignal.any([opts.signal, ctx.leafAbort.signal]) : ctx.leafAbort.signal,
        report,
        isFactory: (dep) => !!ctx.sources.get(dep.src)?.factory,
        sourceOf: (dep) => ctx.sources.get(dep.src),
      })
    );
    timings?.mark("resolve + fetch", fetchDetail(graph.packages, timings));
    await Promise.all(ctx.leafWork);
    if (timings) {
      timings.leafWorkers = ctx.engine.leafWorkersStarted;
      timings.mark(
        "leaf",
        `callbacks ran on ${timings.leafRan} packages, results of ${timings.leafReused} reused; ` +
          `${timings.leafWorkers} workers`,
      );
    }
    return graph;
  } catch (e) {
    opts.signal?.throwIfAborted();
    // A fatal leaf error aborted the fetches: report the handler's error, not the aborts it caused.
    if (ctx.leafAbort.signal.aborted) await Promise.all(ctx.leafWork);
    if (e instanceof UpdateFailed) {
      // The error names the first failure; show the others too, once each.
      for (const f of e.failures.slice(1)) {
        report({
          severity: "error",
          message: `failed to update package '${f.name}': ${
            f.error instanceof Error ? f.error.message : f.error
          }`,
        });
      }
    }
    throw e;
  }
}

/** `--timings` detail of the resolve + fetch phase. */
function fetchDetail(packages: ResolvedPackage[], t: UpdateTimings): string {
  const changed =
    packages.filter((p) => ["fetched", "updated"].includes((p.landed as Landed | undefined)?.status ?? ""))
      .length;
  return `${packages.length} packages, ${changed} fetched or updated; ${t.configsParsed} package ivpm.yaml ` +
    `parsed, ${t.configsReused} remembered`;
}
