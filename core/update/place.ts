/**
 * Moving a finished fetch into `packages/<name>`. Content only ever appears
 * there by rename, so an interrupted update leaves either the old package or
 * the new one, never half of one.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";
import type { FetchOutcome } from "../fetch/sources/types.ts";
import type { LockEntry } from "./lock/lock_file.ts";
import { discardMessage, findLocalWork, LocalWorkError, packageLabel } from "./local_work.ts";
import { markPlaced } from "./placed_journal.ts";
import { manifestOf } from "../fetch/archive/manifest.ts";
import { saveManifest } from "./extracted_work.ts";

/** Name of the per-update work area inside the deps dir (removed at the start of every update). */
export const STAGING_DIR = ".ivpm-staging";

/** What {@link place} needs to know before replacing something already at the final path. */
export interface PlaceGuard {
  projectDir: string;
  depsDir: string;
  /** The package's entry in the current lock. */
  previous?: LockEntry;
  /** Replace even a package holding local work (told through `warn`). */
  force?: boolean;
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/**
 * Puts a fetch outcome in place at `finalPath`, using `workDir` for the swap.
 *
 * @throws {LocalWorkError} when something at `finalPath` holds work that replacing it
 *   would lose (see {@link findLocalWork}) and `guard.force` is not set.
 */
export async function place(
  outcome: FetchOutcome,
  finalPath: string,
  workDir: string,
  guard?: PlaceGuard,
): Promise<void> {
  const p = outcome.placement;
  if (p.kind === "none" || p.kind === "kept") return;
  if (guard && await lstatOrUndefined(finalPath)) {
    const lost = await findLocalWork(finalPath, guard);
    const label = packageLabel(finalPath, guard.projectDir);
    if (lost.length && !guard.force) throw new LocalWorkError(finalPath, label, lost);
    if (lost.length) guard.warn?.(discardMessage(label, lost));
  }
  if (guard) await markPlaced(guard.depsDir, finalPath);
  let source = "";
  if (p.kind === "path") source = p.staged;
  else {
    source = join(workDir, "link");
    await Deno.symlink(p.target, source);
  }
  // Scoped names (`@scope/pkg`, `group/lib`) live one directory down.
  await Deno.mkdir(dirname(finalPath), { recursive: true });
  const existing = await lstatOrUndefined(finalPath);
  if (existing) {
    // Renaming over a non-empty directory fails; move the old one aside first.
    const aside = join(workDir, "previous");
    await Deno.rename(finalPath, aside);
    await Deno.rename(source, finalPath);
    await removeTree(aside);
  } else await Deno.rename(source, finalPath);
  // What an unpacking source wrote, for the local-work check of the next replacement; any other
  // content forgets the previous package's record. (Lost to a crash just before: judged by mtimes.)
  if (guard) await saveManifest(guard.depsDir, finalPath, manifestOf(outcome));
}
