/**
 * Path helpers missing from `node:path` under Deno (file URLs).
 *
 * @module
 */

import { isAbsolute, relative } from "node:path";
import { fileURLToPath } from "node:url";
export { dirname, join, resolve } from "node:path";

/** `file:` URL → path. */
export function fromFileUrl(url: string | URL): string {
  return fileURLToPath(url);
}

/** Longest name most file systems accept for one path component (bytes, UTF-8). */
const MAX_SEGMENT_BYTES = 255;

/**
 * Why `name` is not one plain path segment (a file or directory name that stays
 * in its parent), or `undefined` when it is. Refused: empty, `.`/`..`, `/`, `\`,
 * NUL and other control characters, more than 255 UTF-8 bytes. Use it before
 * joining any name taken from untrusted input (a URL, an API field) to a path.
 */
export function segmentProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return `'${name}' is not a name`;
  if (/[/\\]/.test(name)) return "it contains a path separator";
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return "it contains a control character";
  if (new TextEncoder().encode(name).length > MAX_SEGMENT_BYTES) {
    return `it is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

/**
 * Code points HFS+ ignores when it compares names (git's list): `.g\u200cit` is `.git` on macOS.
 */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * True when the path segment `segment` names git's own directory `.git` on some
 * file system, so git would read it as a repository (hooks, `core.fsmonitor`…):
 * `.git` in any case (case-insensitive macOS and Windows file systems), its
 * Windows 8.3 short names (`GIT~1`, `git~2`, …), NTFS forms that Windows maps to
 * the same name (trailing dots and spaces: `.git.`, `.git `; an alternate data
 * stream: `.git::$INDEX_ALLOCATION`, `.git:x`), and HFS+ forms with ignorable
 * code points (`.g\u200cit`). The one test every check for a `.git` path
 * component uses, whatever its input (archive entries, link targets, names).
 *
 * @example
 * ```ts
 * isGitDirName(".GIT"); // true
 * isGitDirName("GIT~1"); // true
 * isGitDirName(".gitignore"); // false
 * ```
 */
export function isGitDirName(segment: string): boolean {
  // NTFS: `name:stream` and `name::$type` open `name`; trailing dots and spaces are dropped.
  const base = segment.replace(HFS_IGNORED, "").replace(/:.*$/s, "").replace(/[. ]+$/, "").toLowerCase();
  return base === ".git" || /^git~[0-9]+$/.test(base);
}

/** Whether `path` is `dir` or lies inside it (both absolute; compared after normalising, links not resolved). */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
