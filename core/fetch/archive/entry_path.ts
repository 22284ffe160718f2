/**
 * Path rules for archive entries: turning an entry name into safe relative path
 * parts, and resolving a path the way the file system will once the whole
 * archive is written (following every symlink it holds), so no link, nor a
 * chain of links, can point out of the target directory.
 *
 * @module
 */

import { isGitDirName } from "../../util/path.ts";

/** An entry name reduced to relative path parts, or why it cannot be. */
export type EntryPath = { ok: true; parts: string[] } | { ok: false; reason: string };

/**
 * Why a path with the component `segment` (one {@link isGitDirName} accepts) is
 * refused: in a package, git would read it as a repository, whose config and
 * hooks run programs.
 */
export function gitDirReason(segment: string): string {
  const what = segment === ".git"
    ? "a '.git' path component"
    : `the path component '${segment}', which is '.git' on case-insensitive or Windows file systems`;
  return `has ${what} (git would run the programs its config and hooks name)`;
}

/** The first path component of `path` (split at `/` and backslashes) that names `.git`, if any. */
export function gitDirSegment(path: string): string | undefined {
  return path.split(/[\\/]/).find(isGitDirName);
}

/** Symlink hops allowed while resolving one path (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/** True for `/x` and for Windows drive or UNC paths, which zip files made on Windows may carry. */
export function isAbsoluteEntryName(name: string): boolean {
  return name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name);
}

/**
 * Normalises an archive entry name (or a hard-link target) to path parts relative
 * to the extraction root. `.` and empty parts vanish and `a/../b` becomes `b`;
 * a name that is absolute or climbs above the root is refused, and so is one
 * with a `.git` component in any of its forms ({@link isGitDirName}: `.GIT`,
 * `GIT~1`, `.git.`…): git would take it for a repository and run its hooks.
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
    const git = gitDirSegment(part);
    if (git !== undefined) return { ok: false, reason: gitDirReason(git) };
    parts.push(part);
  }
  return { ok: true, parts };
}

/** Where a path inside the extracted tree leads, or why it cannot be followed. */
export type TreeResolution = { ok: true; parts: string[] } | { ok: false; reason: "escapes" | "loop" };

/**
 * Resolves `target` from the directory `from` (path parts below the root) in
 * the tree as it will be once every entry is written, following the symlinks
 * in `links` (key: parts joined by `/`, value: link target) the way the kernel
 * will, whatever order they were created in. Nothing on disk is consulted: the
 * archive's entries are the whole tree. Stepping above the root at any point is
 * an escape, even when a later part would come back in (the root is renamed
 * after extraction, so such a path would lead elsewhere).
 */
export function resolveInTree(
  links: ReadonlyMap<string, string>,
  from: readonly string[],
  target: string,
): TreeResolution {
  const hops = { count: 0 };
  try {
    const parts = walk(links, [...from], target, hops);
    return parts ? { ok: true, parts } : { ok: false, reason: "escapes" };
  } catch (e) {
    if (e instanceof SymlinkLoop) return { ok: false, reason: "loop" };
    throw e;
  }
}

class SymlinkLoop extends Error {}

/** `null` when the walk leaves the root. */
function walk(
  links: ReadonlyMap<string, string>,
  current: string[],
  relative: string,
  hops: { count: number },
): string[] | null {
  if (isAbsoluteEntryName(relative)) return null;
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (current.length === 0) return null;
      current.pop();
      continue;
    }
    current.push(part);
    const link = links.get(current.join("/"));
    if (link === undefined) continue;
    if (++hops.count > MAX_SYMLINK_HOPS) throw new SymlinkLoop();
    current.pop(); // a link's target is relative to the directory holding it
    const next = walk(links, current, link, hops);
    if (next === null) return null;
    current = next;
  }
  return current;
}
