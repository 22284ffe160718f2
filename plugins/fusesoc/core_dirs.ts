/**
 * Finding the directories holding FuseSoC cores in a package (or the project):
 * either the `cores:` globs the package declares, or, by default, its root.
 *
 * A core counts only when it is a CAPI=2 core: a `.core` file with `CAPI=2` in
 * its first 4096 bytes (what the original checks; CAPI=1 cores are ignored).
 *
 * @module
 */

import { dirname, join } from "node:path";
import { expandGlob, isSafePattern } from "./glob.ts";

/** How far into a file the `CAPI=2` marker is looked for. */
const HEAD_BYTES = 4096;

/** Whether `path` is a `.core` file with `CAPI=2` in its first 4096 bytes. */
export async function isCapi2Core(path: string): Promise<boolean> {
  if (!path.endsWith(".core")) return false;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return false;
  }
  try {
    const buf = new Uint8Array(HEAD_BYTES);
    let n = 0;
    while (n < HEAD_BYTES) {
      const r = await file.read(buf.subarray(n));
      if (r === null) break;
      n += r;
    }
    return new TextDecoder().decode(buf.subarray(0, n)).includes("CAPI=2");
  } catch {
    return false; // a directory named x.core, an unreadable file
  } finally {
    file.close();
  }
}

/** Whether `dir` directly (non-recursively) contains a CAPI=2 core. */
export async function hasCapi2Core(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = (await Array.fromAsync(Deno.readDir(dir))).filter((e) => !e.isDirectory).map((e) => e.name);
  } catch {
    return false;
  }
  for (const name of names.sort()) {
    if (name.endsWith(".core") && await isCapi2Core(join(dir, name))) return true;
  }
  return false;
}

/** Core directories found in one root, and what went wrong on the way. */
export interface FoundDirs {
  /** Absolute directories, sorted, without duplicates. */
  dirs: string[];
  /** Messages for the user (a glob matching no core, an unsafe glob). */
  warnings: string[];
}

/**
 * The core directories of `root`: with `globs`, every matching CAPI=2 `.core`
 * file's directory and every matching directory that directly holds one; without,
 * `root` itself when it directly holds one (non-recursive, as the original does;
 * `cores: ["**\/*.core"]` asks for a recursive search). `label` names the root in
 * warnings; `exclude` lists directories never searched (the project's deps dir).
 */
export async function findCoreDirs(
  root: string,
  globs: readonly string[] | undefined,
  label: string,
  exclude: readonly string[] = [],
): Promise<FoundDirs> {
  if (globs === undefined) return { dirs: (await hasCapi2Core(root)) ? [root] : [], warnings: [] };
  const dirs = new Set<string>();
  const warnings: string[] = [];
  for (const glob of globs) {
    if (!isSafePattern(glob)) {
      warnings.push(`${label}: fusesoc cores pattern '${glob}' is ignored (it must be relative to ${label})`);
      continue;
    }
    for (const path of await expandGlob(root, glob, { exclude })) {
      const st = await Deno.stat(path).catch(() => undefined);
      if (st?.isFile && await isCapi2Core(path)) dirs.add(dirname(path));
      else if (st?.isDirectory && await hasCapi2Core(path)) dirs.add(path);
    }
  }
  if (!dirs.size && globs.length) {
    warnings.push(
      `${label}: fusesoc cores ${
        globs.map((g) => `'${g}'`).join(", ")
      } matched no CAPI=2 .core file in ${root}`,
    );
  }
  return { dirs: [...dirs].sort(), warnings };
}
