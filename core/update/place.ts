/**
 * Moving a finished fetch into `packages/<name>`. Content only ever appears
 * there by rename, so an interrupted update leaves either the old package or
 * the new one, never half of one.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";
import type { FetchOutcome } from "../sources/types.ts";

/** Name of the per-update work area inside the deps dir (removed at the start of every update). */
export const STAGING_DIR = ".ivpm-staging";

/** Puts a fetch outcome in place at `finalPath`, using `workDir` for the swap. */
export async function place(outcome: FetchOutcome, finalPath: string, workDir: string): Promise<void> {
  const p = outcome.placement;
  if (p.kind === "none" || p.kind === "kept") return;
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
    return;
  }
  await Deno.rename(source, finalPath);
}
