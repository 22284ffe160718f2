/**
 * `ivpm update` — thin: flags → {@link runUpdate} → summary.
 *
 * @module
 */

import { projectDirOption } from "../../config/find_project.ts";

import { resolveCacheDir } from "../../fetch/cache/dir.ts";
import { activeSiteSettings } from "./show_site_config.ts";
import { parseDefinitions } from "../../config/vars.ts";
import { IvpmError } from "../../base/errors.ts";
import { colors, err, out, settings } from "../../ui/log.ts";
import { jsonReporter, transcriptReporter } from "./transcript.ts";
import { runUpdate, type UpdateResult } from "../../update/update.ts";
import { UpdateTimings } from "../../update/timings.ts";
import { handlerArgsFor } from "./handler_options.ts";
import { handlerTimeoutMs } from "../../engine/timeouts.ts";

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
  /** `--handler-timeout <seconds>`: limit of one handler callback. */
  handlerTimeout?: number;
  /** `--http-timeout <seconds>`: overrides IVPM_HTTP_TIMEOUT. */
  httpTimeout?: number;
  /** `--http-retries <n>`: overrides IVPM_HTTP_RETRIES. */
  httpRetries?: number;
  /** `--max-unpacked-size <size>` (as written, `8G`): overrides IVPM_MAX_UNPACKED_SIZE. */
  maxUnpackedSize?: string;
  /** `--max-expansion-ratio <n>`: overrides IVPM_MAX_EXPANSION_RATIO. */
  maxExpansionRatio?: number;
  /** `--max-unpacked-entries <n>`: overrides IVPM_MAX_UNPACKED_ENTRIES. */
  maxUnpackedEntries?: number;
  /** `--timings`: print the phases of the run to stderr at the end. */
  timings?: boolean;
}

/** How long a stopped run may take to clean up before the process ends anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * Runs an update with signal handling: one Ctrl-C or one SIGTERM (what CI runners send) stops the run
 * cleanly — workers are terminated even inside a callback that never returns, the previous lock stays
 * in place — and exits 130 / 143. A second signal, or a clean-up that outlasts the grace period, ends
 * the process at once.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const listeners = new Map<Deno.Signal, () => void>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) {
    const code = sig === "SIGTERM" ? 143 : 130;
    const onSignal = () => {
      if (ctrl.signal.aborted) Deno.exit(code);
      err(
        sig === "SIGTERM"
          ? "\nterminated: stopping"
          : "\ninterrupted: stopping (Ctrl-C again to quit at once)",
      );
      ctrl.abort(
        new IvpmError(sig === "SIGTERM" ? "terminated" : "interrupted", {
          exitCode: code,
          hint: "run 'ivpm update' again to finish the job",
        }),
      );
      Deno.unrefTimer(setTimeout(() => Deno.exit(code), STOP_GRACE_MS));
    };
    listeners.set(sig, onSignal);
    Deno.addSignalListener(sig, onSignal);
  }
  try {
    return await fn(ctrl.signal);
  } catch (e) {
    if (ctrl.signal.aborted) throw ctrl.signal.reason;
    throw e;
  } finally {
    for (const [sig, onSignal] of listeners) Deno.removeSignalListener(sig, onSignal);
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
  // A project with nothing to fetch says why, rather than "0 fetched, 0 up to date".
  const nothing = r.depSet ? `no dependencies in dep-set '${r.depSet}'` : "no dependencies";
  const parts = total ? [`${counts.fetched - (counts.reused ?? 0)} fetched`] : [nothing];
  if (counts.updated) parts.push(`${counts.updated} updated`);
  if (counts.reused) parts.push(`${counts.reused} reused`);
  if (total) parts.push(`${counts["up-to-date"]} up to date`);
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

/**
 * The process environment with the HTTP (`--http-timeout`, `--http-retries`) and archive
 * (`--max-unpacked-size`, `--max-expansion-ratio`, `--max-unpacked-entries`) flags given as their
 * variables (flags win).
 */
function limitFlagsEnv(o: UpdateFlags): Record<string, string> {
  const env = Deno.env.toObject();
  if (o.httpTimeout !== undefined) env.IVPM_HTTP_TIMEOUT = String(o.httpTimeout);
  if (o.httpRetries !== undefined) env.IVPM_HTTP_RETRIES = String(o.httpRetries);
  if (o.maxUnpackedSize !== undefined) env.IVPM_MAX_UNPACKED_SIZE = o.maxUnpackedSize;
  if (o.maxExpansionRatio !== undefined) env.IVPM_MAX_EXPANSION_RATIO = String(o.maxExpansionRatio);
  if (o.maxUnpackedEntries !== undefined) env.IVPM_MAX_UNPACKED_ENTRIES = String(o.maxUnpackedEntries);
  return env;
}

/** `ivpm update`. */
export async function update(o: UpdateFlags): Promise<void> {
  const started = performance.now();
  // Time before this point is the process's start-up (module loading, plugins, argument parsing).
  const timings = o.timings ? new UpdateTimings(0) : undefined;
  timings?.mark("start-up");
  const reporter = o.json ? jsonReporter() : transcriptReporter();
  const site = (await activeSiteSettings()).settings;
  const cacheDir = resolveCacheDir({ siteDefault: site.cacheDir });
  const timeoutMs = handlerTimeoutMs(o.handlerTimeout, Deno.env.toObject());
  const result = await withInterrupt((signal) =>
    runUpdate({
      projectDir: projectDirOption(o.projectDir),
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
      leafTimeoutMs: timeoutMs,
      rootTimeoutMs: timeoutMs,
      reporter,
      handlerArgs: handlerArgsFor("update", o as Record<string, unknown>),
      env: limitFlagsEnv(o),
      timings,
    })
  ).finally(() => reporter.finish());
  printSummary(result, reporter.counts, started, o.json);
  if (timings) {
    for (const line of timings.lines()) err(line);
  }
}
