/**
 * `ivpm sync`: every package of the lock synced in parallel (see
 * {@link syncPackage}), then the lock's `commit_resolved` updated for the
 * packages that moved (as the original IVPM does: new `generated`, recomputed
 * `sha256`, everything else kept). A dry run never writes.
 *
 * @module
 */

import { join } from "node:path";
import { acquireLock, describeHolder, type FileLock } from "../../fetch/cache/file_lock.ts";
import { IvpmError } from "../../base/errors.ts";
import { lockChecksum, type LockFile, lockMismatchMessage, writeLock } from "../../update/lock/lock_file.ts";
import { pythonUtcNow } from "../../update/lock/json.ts";
import { openWorkspace, type Workspace } from "../status/workspace.ts";
import { didYouMean } from "../../util/suggest.ts";
import { mapPool } from "../../util/pool.ts";
import { OUTCOMES, type SyncOutcome, type SyncResult } from "./outcome.ts";
import { syncPackage } from "./sync_package.ts";

/** Progress callbacks (the CLI prints the transcript from them). */
export interface SyncReporter {
  start?(name: string, src: string): void;
  done?(result: SyncResult): void;
  /** Something worth a warning (waiting for an update, a hand-edited lock). */
  warn?(message: string): void;
}

/** Options of {@link runSync}. */
export interface SyncOptions {
  projectDir: string;
  dryRun?: boolean;
  /** Packages synced at once (default: the number of cores). */
  jobs?: number;
  /** Only these packages (names from the lock). */
  packages?: string[];
  signal?: AbortSignal;
  reporter?: SyncReporter;
}

/** What a sync did. */
export interface SyncReport {
  projectDir: string;
  depsDir: string;
  dryRun: boolean;
  /** One result per package, sorted by name. */
  results: SyncResult[];
  /** Number of results per outcome. */
  counts: Partial<Record<SyncOutcome, number>>;
  /** The lock was rewritten (some package was synced). */
  lockUpdated: boolean;
}

/** Syncs the workspace. Throws {@link IvpmError} for an unknown `packages` name or a missing lock. */
export async function runSync(opts: SyncOptions): Promise<SyncReport> {
  const dryRun = !!opts.dryRun;
  // Peek first (a dry run takes no lock); a real sync re-reads the lock while holding the project lock.
  let ws = await openWorkspace(opts.projectDir);
  let held: FileLock | undefined;
  if (!dryRun) {
    held = await acquireLock(join(ws.depsDir, ".ivpm.lock"), {
      wait: true,
      onWait: (h) =>
        opts.reporter?.warn?.(
          `another ivpm command is updating this project (${describeHolder(h)}); waiting for it to finish`,
        ),
    });
  }
  try {
    if (held) ws = await openWorkspace(opts.projectDir);
    if (ws.checksumMismatch) {
      opts.reporter?.warn?.(lockMismatchMessage(ws.depsDir));
    }
    const names = selectPackages(ws, opts.packages);
    const jobs = opts.jobs || navigator.hardwareConcurrency || 4;
    // After Ctrl-C no package starts and running fetches stop, but merges finish and are still recorded.
    const interrupted = (name: string): SyncResult => ({
      name,
      src: ws.lock.packages[name].src,
      path: join(ws.depsDir, name),
      outcome: "skipped",
      reason: "interrupted",
      ms: 0,
    });
    const results = await mapPool(names, jobs, async (name) => {
      if (opts.signal?.aborted) return interrupted(name);
      opts.reporter?.start?.(name, ws.lock.packages[name].src);
      let r: SyncResult;
      try {
        r = await syncPackage(name, ws.lock.packages[name], join(ws.depsDir, name), {
          dryRun,
          projectDir: ws.projectDir,
          signal: opts.signal,
        });
      } catch (e) {
        if (!opts.signal?.aborted) throw e;
        r = interrupted(name);
      }
      opts.reporter?.done?.(r);
      return r;
    });
    const counts: Partial<Record<SyncOutcome, number>> = {};
    for (const o of OUTCOMES) {
      const n = results.filter((r) => r.outcome === o).length;
      if (n) counts[o] = n;
    }
    let lockUpdated = false;
    if (!dryRun) lockUpdated = await recordSynced(ws, results);
    opts.signal?.throwIfAborted();
    return { projectDir: ws.projectDir, depsDir: ws.depsDir, dryRun, results, counts, lockUpdated };
  } finally {
    await held?.release();
  }
}

/** The lock's package names, or the requested subset (each checked). */
function selectPackages(ws: Workspace, wanted?: string[]): string[] {
  const all = Object.keys(ws.lock.packages).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  if (!wanted?.length) return all;
  const known = new Set(all);
  for (const name of wanted) {
    if (!known.has(name)) {
      throw new IvpmError(
        `--packages: '${name}' is not a package of this workspace${didYouMean(name, all)}`,
        {
          hint: `packages in ${ws.lockPath}: ${all.join(", ") || "none"}`,
        },
      );
    }
  }
  const set = new Set(wanted);
  return all.filter((n) => set.has(n));
}

/** Writes the new `commit_resolved` of synced git packages into the lock; returns whether it wrote. */
async function recordSynced(ws: Workspace, results: SyncResult[]): Promise<boolean> {
  // HEAD moved also when only the submodule update after the merge failed (an error outcome).
  const moved = results.filter((r) => r.src === "git" && r.after && r.after !== r.before);
  if (!moved.length) return false;
  const lock: LockFile = structuredClone(ws.lock);
  for (const r of moved) lock.packages[r.name].commit_resolved = r.after;
  lock.generated = pythonUtcNow();
  lock.sha256 = lockChecksum(lock);
  await writeLock(ws.depsDir, lock);
  return true;
}
