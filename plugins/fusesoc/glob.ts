/**
 * Expands the `cores:` globs of `with.fusesoc` against a directory tree.
 *
 * Patterns are relative to the package (or project) root and use `/` between
 * segments: `*`, `?` and `[…]` match within one segment, `**` matches any
 * number of directories (zero included). Wildcards do not match names starting
 * with `.` unless the pattern segment does, `**` never descends into `.git`,
 * excluded directories or symlinked directories (no loops).
 *
 * @module
 */

import { join } from "node:path";

/** Options of {@link expandGlob}. */
export interface GlobOptions {
  /** Absolute directories never entered (e.g. the project's deps dir). */
  exclude?: readonly string[];
}

/** Whether a pattern segment holds a wildcard. */
function isWild(seg: string): boolean {
  return /[*?[]/.test(seg);
}

/** Compiles one pattern segment (`*.core`, `rtl-[ab]?`) to an anchored RegExp. */
export function segmentRegExp(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      let j = i + 1;
      if (seg[j] === "!") j++;
      if (seg[j] === "]") j++;
      while (j < seg.length && seg[j] !== "]") j++;
      if (j >= seg.length) {
        re += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, j);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = j;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** Whether `pattern` may be used: relative and staying inside the root. */
export function isSafePattern(pattern: string): boolean {
  if (pattern === "" || pattern.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(pattern)) return false;
  return !pattern.split("/").includes("..");
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return [];
  }
}

async function stat(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Paths under `root` matching `pattern` (files and directories), sorted and
 * without duplicates. An unsafe pattern (absolute, or with `..`) matches nothing.
 */
export async function expandGlob(root: string, pattern: string, opts: GlobOptions = {}): Promise<string[]> {
  if (!isSafePattern(pattern)) return [];
  const segs = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const exclude = new Set(opts.exclude ?? []);
  const out = new Set<string>();

  const walk = async (dir: string, i: number): Promise<void> => {
    if (exclude.has(dir)) return;
    if (i === segs.length) {
      out.add(dir);
      return;
    }
    const seg = segs[i];
    if (seg === "**") {
      await walk(dir, i + 1);
      for (const e of await entries(dir)) {
        // Real directories only: a symlinked one could loop back.
        if (e.isDirectory && !e.isSymlink && !e.name.startsWith(".")) await walk(join(dir, e.name), i);
      }
      return;
    }
    if (!isWild(seg)) {
      const path = join(dir, seg);
      const st = await stat(path);
      if (!st) return;
      if (i === segs.length - 1) {
        if (!exclude.has(path)) out.add(path);
      } else if (st.isDirectory) await walk(path, i + 1);
      return;
    }
    const re = segmentRegExp(seg);
    const hidden = seg.startsWith(".");
    for (const e of await entries(dir)) {
      if (!re.test(e.name) || (e.name.startsWith(".") && !hidden) || e.name === ".git") continue;
      const path = join(dir, e.name);
      if (i === segs.length - 1) {
        if (!exclude.has(path)) out.add(path);
      } else if (e.isDirectory || (e.isSymlink && (await stat(path))?.isDirectory)) await walk(path, i + 1);
    }
  };
  await walk(root, 0);
  return [...out].sort();
}
