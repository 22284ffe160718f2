/**
 * Package directories ivpm created that the lock does not name.
 *
 * The lock records what ivpm created, but a run killed after placing a package
 * and before writing the lock leaves a directory the lock does not name, and so
 * does a package dropped from ivpm.yaml without `--prune`. A marker file per
 * such package (`packages/.ivpm-placed/<name>`) lets a later run replace it
 * without mistaking it for someone's own directory. A marker goes once the lock
 * names its package again, or its directory is gone.
 *
 * @module
 */

import { join, relative } from "node:path";
import { lstatOrUndefined, removeTree } from "../util/fs.ts";

/** Directory of markers inside the deps dir. */
export const PLACED_DIR = ".ivpm-placed";

function markerOf(depsDir: string, path: string): string | undefined {
  const rel = relative(depsDir, path);
  if (!rel || rel.startsWith("..")) return undefined;
  // Scoped names (`@scope/pkg`) hold a slash: one file name per package.
  return join(depsDir, PLACED_DIR, encodeURIComponent(rel));
}

/** Records that ivpm is about to put a package at `path` (inside `depsDir`). */
export async function markPlaced(depsDir: string, path: string): Promise<void> {
  const marker = markerOf(depsDir, path);
  if (!marker) return;
  await Deno.mkdir(join(depsDir, PLACED_DIR), { recursive: true });
  await Deno.writeTextFile(marker, "");
}

/** Whether ivpm placed `path` in a run that did not write its lock. */
export async function wasPlaced(depsDir: string, path: string): Promise<boolean> {
  const marker = markerOf(depsDir, path);
  return !!marker && !!(await lstatOrUndefined(marker));
}

/** Drops the markers of packages in `locked` (the lock now records them) and of directories that are gone. */
export async function settlePlaced(depsDir: string, locked: string[]): Promise<void> {
  const dir = join(depsDir, PLACED_DIR);
  if (!(await lstatOrUndefined(dir))) return;
  const names = new Set(locked);
  for await (const e of Deno.readDir(dir)) {
    let name: string;
    try {
      name = decodeURIComponent(e.name);
    } catch {
      name = "";
    }
    if (name && !names.has(name) && await lstatOrUndefined(join(depsDir, name))) continue;
    await removeTree(join(dir, e.name));
  }
  if (!(await Array.fromAsync(Deno.readDir(dir))).length) await Deno.remove(dir).catch(() => {});
}
