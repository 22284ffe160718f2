/**
 * Temp directories and small file-system helpers shared by tests: a temp dir
 * removed afterwards (read-only parts included), whether a path exists,
 * writing a tree of files, and backdating paths so that "nothing was
 * rewritten" checks need no sleep.
 *
 * @module
 */

import { lutimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { removeTree } from "../../core/util/fs.ts";

/** A temp directory (its real path) removed, read-only parts included, by `dispose`. */
export interface TempRoot {
  path: string;
  dispose(): Promise<void>;
}

/** Creates a temp directory; `path` is resolved (no symlinked /tmp in it). */
export async function tempRoot(prefix = "ivpm-test-"): Promise<TempRoot> {
  const path = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  return { path, dispose: () => removeTree(path) };
}

/** Runs `fn` in a fresh temp directory and removes the directory afterwards, whatever `fn` did. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const root = await tempRoot(prefix);
  try {
    return await fn(root.path);
  } finally {
    await root.dispose();
  }
}

/** Whether a path exists (without following a final symlink); other errors than "not there" are thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

/** Writes files under `dir` (relative path → content; parent directories are created). */
export async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const full = join(dir, rel);
    await Deno.mkdir(dirname(full), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(full, content);
    else await Deno.writeFile(full, content);
  }
}

/** A temp directory holding `files` (see {@link writeTree}). */
export async function tempTree(
  prefix: string,
  files: Record<string, string | Uint8Array>,
): Promise<TempRoot> {
  const root = await tempRoot(prefix);
  await writeTree(root.path, files);
  return root;
}

/** A fixed time in the past: a path stamped with it and rewritten since shows a different mtime. */
export const PAST: Date = new Date("2001-01-01T00:00:00Z");

/**
 * Sets the access and modification times of each path to {@link PAST}, a
 * symlink's own times rather than its target's. A later "nothing was
 * rewritten" check compares against it, with no need to wait for the clock.
 */
export async function backdate(...paths: string[]): Promise<void> {
  for (const path of paths) {
    if ((await Deno.lstat(path)).isSymlink) await lutimes(path, PAST, PAST);
    else await Deno.utime(path, PAST, PAST);
  }
}

/** {@link backdate} for `dir` and everything below it (symlinks are not followed). */
export async function backdateTree(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await backdateTree(path);
    else await backdate(path);
  }
  await backdate(dir);
}
