/**
 * A small recursive glob, with the semantics of Python's `glob(recursive=True)`
 * that the original used for skill patterns: `*`, `?`, `[…]` (`[!…]` negates)
 * within one path segment, `**` as a whole segment for zero or more directories,
 * and wildcards that do not match names starting with `.` unless the segment does.
 *
 * @module
 */

import { join } from "node:path";

/** Options of {@link glob}. */
export interface GlobOptions {
  /** Absolute directories `**` never descends into (e.g. the deps dir when globbing the project). */
  skipDirs?: readonly string[];
}

const MAGIC = /[*?[]/;

/**
 * Converts one path segment of a glob to an anchored regular expression.
 *
 * @example
 * ```ts
 * import { segmentRegExp } from "./glob.ts";
 * segmentRegExp("*.md").test("SKILL.md"); // true
 * ```
 */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\^\]]/g, "\\$&")}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  try {
    const out: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) out.push(e);
    return out;
  } catch {
    return []; // not a directory, vanished or unreadable: nothing matches below it
  }
}

async function isDir(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isDirectory, () => false);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/**
 * Expands `pattern` (relative, `/`-separated) under `root`. Returns the matching
 * paths relative to `root`, sorted and without duplicates. `**` does not follow
 * symbolic links to directories (no loops, no walking out of the tree); plain
 * segments and single wildcards do follow them.
 *
 * @example
 * ```ts
 * import { glob } from "./glob.ts";
 * const files = await glob("/path/to/pkg", "*.md");
 * ```
 */
export async function glob(root: string, pattern: string, opts: GlobOptions = {}): Promise<string[]> {
  const segs = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const skip = new Set(opts.skipDirs ?? []);
  const found = new Set<string>();
  const rel = (a: string, b: string) => (a ? `${a}/${b}` : b);

  const walk = async (dir: string, i: number): Promise<void> => {
    if (i === segs.length) {
      if (dir) found.add(dir);
      return;
    }
    const seg = segs[i];
    const last = i === segs.length - 1;
    if (seg === "**") {
      await walk(dir, i + 1); // zero directories
      for (const e of await entries(join(root, dir))) {
        if (e.name.startsWith(".")) continue;
        const child = rel(dir, e.name);
        if (last) found.add(child);
        if (e.isDirectory && !skip.has(join(root, child))) await walk(child, i);
      }
      return;
    }
    if (!MAGIC.test(seg)) {
      const child = rel(dir, seg);
      if (last) {
        if (await exists(join(root, child))) found.add(child);
      } else if (await isDir(join(root, child))) await walk(child, i + 1);
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of await entries(join(root, dir))) {
      if (e.name.startsWith(".") && !seg.startsWith(".")) continue;
      if (!re.test(e.name)) continue;
      const child = rel(dir, e.name);
      if (last) found.add(child);
      else if (e.isDirectory || (e.isSymlink && await isDir(join(root, child)))) await walk(child, i + 1);
    }
  };

  await walk("", 0);
  return [...found].sort();
}
