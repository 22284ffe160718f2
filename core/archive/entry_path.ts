/**
 * Path rules for archive entries: turning an entry name into safe relative path
 * parts, and resolving a path the way the file system will (following the
 * symlinks already on disk), so a link cannot point out of the target directory.
 *
 * @module
 */

import { dirname, isAbsolute, join, sep } from "node:path";

/** An entry name reduced to relative path parts, or why it cannot be. */
export type EntryPath = { ok: true; parts: string[] } | { ok: false; reason: string };

/** Symlink hops allowed while resolving one path (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/** True for `/x` and for Windows drive or UNC paths, which zip files made on Windows may carry. */
export function isAbsoluteEntryName(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name);
}

/**
 * Normalises an archive entry name (or a hard-link target) to path parts relative
 * to the extraction root. `.` and empty parts vanish and `a/../b` becomes `b`;
 * a name that is absolute or climbs above the root is refused.
 */
export function normaliseEntryName(name: string): EntryPath {
  if (isAbsoluteEntryName(name)) return { ok: false, reason: "has an absolute path" };
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return { ok: false, reason: "escapes the target directory (via '..')" };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { ok: true, parts };
}

/** True when `path` is `root` or lies below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolves `relative` from the directory `start` the way the kernel would:
 * symlinks that exist on disk are followed (their targets resolved in turn),
 * parts that do not exist yet are taken literally. Unlike `realPath` it works
 * for paths that do not exist, which is what a dangling symlink points at.
 *
 * @throws {Error} on a symlink loop (more than 40 hops).
 */
export async function resolvePhysical(start: string, relative: string): Promise<string> {
  const hops = { count: 0 };
  return await resolveFrom(start, relative, hops);
}

async function resolveFrom(start: string, relative: string, hops: { count: number }): Promise<string> {
  let current = isAbsolute(relative) ? "/" : start;
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      current = dirname(current);
      continue;
    }
    const next = join(current, part);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(next);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
      current = next; // does not exist: nothing to follow
      continue;
    }
    if (!info.isSymlink) {
      current = next;
      continue;
    }
    if (++hops.count > MAX_SYMLINK_HOPS) throw new Error(`too many levels of symbolic links at ${next}`);
    current = await resolveFrom(current, await Deno.readLink(next), hops);
  }
  return current;
}
