/**
 * `ivpm update` — thin: flags → {@link runUpdate} → summary.
 *
 * @module
 */

import { resolve } from "node:path";
import { resolveCacheDir } from "../cache/dir.ts";
import { activeSiteSettings } from "./show_site_config.ts";
import { parseDefinitions } from "../config/vars.ts";
import { IvpmError } from "../errors.ts";
import { colors, err, out, settings } from "../ui/log.ts";
import { jsonReporter, transcriptReporter } from "../ui/transcript.ts";
import { runUpdate, type UpdateResult } from "../update/update.ts";
import { handlerArgsFor } from "../cli/handler_options.ts";

/** Flags of `ivpm update` (as commander parses them). */
export interface UpdateFlags {
  projectDir?: string;
  depSet?: string;
  define?: string[];
  jobs?: number;
  anonymousGit?: boolean;
  refreshAll?: boolean;
  force?: boolean;
  prune?: boolean;
  lockFile?: string;
  json?: boolean;
  depsSource?: string[];
  trustDepsSource?: boolean;
  depsSourceMode?: "link" | "copy";
  /** `--no-worktree-deps-source` sets this to false. */
  worktreeDepsSource?: boolean;
}

/** Runs an update with Ctrl-C handling: an interrupt stops cleanly and leaves the previous lock in place. */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const onSignal = () => {
    if (ctrl.signal.aborted) Deno.exit(130);
    err("\ninterrupted: stopping (Ctrl-C again to quit at once)");
    ctrl.abort(
      new IvpmError("interrupted", { exitCode: 130, hint: "run 'ivpm update' again to finish the job" }),
    );
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    return await fn(ctrl.signal);
  } catch (e) {
    if (ctrl.signal.aborted) throw ctrl.signal.reason;
    throw e;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

/** Prints the end-of-update summary. */
export function printSummary(
  r: UpdateResult,
  counts: Record<string, number>,
  started: number,
  json?: boolean,
): void {
  if (json) {
    out(JSON.stringify(
      {
        type: "update-complete",
        project: r.config.name,
        depSet: r.depSet,
        packages: r.graph.packages.map((p) => ({
          name: p.name,
          src: p.dep.src,
          resolvedBy: p.resolvedBy,
          status: (p.landed as { status: string }).status,
        })),
        removed: r.removed,
        pruned: r.pruned,
        lockFile: `${r.depsDir}/package-lock.json`,
      },
    ));
    return;
  }
  if (settings.quiet) return;
  const total = r.graph.packages.length;
  const parts = [`${counts.fetched} fetched`];
  if (counts.updated) parts.push(`${counts.updated} updated`);
  parts.push(`${counts["up-to-date"]} up to date`);
  if (counts.virtual) parts.push(`${counts.virtual} for handlers`);
  if (counts.cacheHits) parts.push(`${counts.cacheHits} from cache`);
  err(
    `${colors.bold("Updated")} ${total} package${total === 1 ? "" : "s"} (${parts.join(", ")}) in ${
      ((performance.now() - started) / 1000).toFixed(1)
    }s`,
  );
  if (r.removed.length) {
    const kept = r.removed.filter((n) => !r.pruned.includes(n));
    if (r.pruned.length) err(`Removed ${r.pruned.join(", ")} (no longer declared; directories deleted)`);
    if (kept.length) err(`No longer declared: ${kept.join(", ")} (directories kept; use --prune to delete)`);
  }
  if (r.nonReproducible.length) {
    err(`${colors.yellow("warning:")} not reproducible from the lock: ${r.nonReproducible.join(", ")}`);
  }
}

/** `ivpm update`. */
export async function update(o: UpdateFlags): Promise<void> {
  const started = performance.now();
  const reporter = o.json ? jsonReporter() : transcriptReporter();
  const site = (await activeSiteSettings()).settings;
  const cacheDir = resolveCacheDir({ siteDefault: site.cacheDir });
  const result = await withInterrupt((signal) =>
    runUpdate({
      projectDir: resolve(o.projectDir ?? Deno.cwd()),
      depSet: o.depSet,
      definitions: parseDefinitions(o.define ?? []),
      jobs: o.jobs || undefined,
      anonymousGit: o.anonymousGit,
      refresh: o.refreshAll,
      force: o.force,
      prune: o.prune,
      lockFile: o.lockFile,
      depsSource: o.depsSource,
      trustDepsSource: o.trustDepsSource,
      depsSourceMode: o.depsSourceMode,
      noWorktreeDepsSource: o.worktreeDepsSource === false,
      cacheDir,
      site,
      signal,
      reporter,
      handlerArgs: handlerArgsFor("update", o as Record<string, unknown>),
    })
  ).finally(() => reporter.finish());
  printSummary(result, reporter.counts, started, o.json);
}
