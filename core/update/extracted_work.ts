/**
 * Local work in an unpacked package (`src: http`, `file`, `gh-rls`): files
 * changed or added since ivpm unpacked it. The manifest of what it wrote (see
 * fetch/archive/manifest.ts) is kept in `packages/.ivpm-extracted/<name>.json`,
 * written when the package is placed and dropped when something else takes its
 * place.
 *
 * @module
 */

import { join, relative } from "node:path";
import {
  type ExtractedManifest,
  manifestChanges,
  manifestJson,
  parseManifest,
} from "../fetch/archive/manifest.ts";
import type { LockEntry } from "./lock/lock_file.ts";
import { lstatOrUndefined } from "../util/fs.ts";

/** Directory of manifests inside the deps dir. */
export const EXTRACTED_DIR = ".ivpm-extracted";

/** Files whose mtime lies this far from the rest were not written by the extraction (see below). */
const EXTRACTION_GAP_MS = 120_000;

function manifestPath(depsDir: string, path: string): string | undefined {
  const rel = relative(depsDir, path);
  if (!rel || rel.startsWith("..")) return undefined;
  // Scoped names (`@scope/pkg`) hold a slash: one file name per package.
  return join(depsDir, EXTRACTED_DIR, `${encodeURIComponent(rel)}.json`);
}

/** Records `m` as what ivpm wrote at `path`; without `m`, forgets any earlier record. */
export async function saveManifest(depsDir: string, path: string, m: ExtractedManifest | undefined) {
  const file = manifestPath(depsDir, path);
  if (!file) return;
  if (!m) {
    await Deno.remove(file).catch(() => {});
    return;
  }
  await Deno.mkdir(join(depsDir, EXTRACTED_DIR), { recursive: true });
  // Written aside and renamed: a half-written manifest would read as missing, not as wrong.
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(tmp, manifestJson(m));
  await Deno.rename(tmp, file);
}

/** The manifest recorded for `path`; undefined when there is none or it is malformed (untrusted input). */
export async function loadManifest(depsDir: string, path: string): Promise<ExtractedManifest | undefined> {
  const file = manifestPath(depsDir, path);
  const st = file ? await lstatOrUndefined(file) : undefined;
  if (!st?.isFile) return undefined; // not a FIFO or a link someone put there
  return parseManifest(await Deno.readTextFile(file!).catch(() => ""));
}

/**
 * What replacing the unpacked package at `path` would lose, one phrase per kind; empty when nothing,
 * or when the package is not an unpacked one. `ignore` names files regenerated on demand (caches).
 */
export async function extractedWork(
  path: string,
  from: { depsDir?: string; previous?: LockEntry; signal?: AbortSignal },
  ignore: (rel: string) => boolean,
): Promise<string[]> {
  const m = from.depsDir === undefined ? undefined : await loadManifest(from.depsDir, path);
  if (m) {
    const { modified, added } = await manifestChanges(path, m, ignore, from.signal);
    const lost: string[] = [];
    if (modified) lost.push(`${plural(modified, "file")} changed since ivpm unpacked it`);
    if (added) lost.push(`${plural(added, "file")} added since ivpm unpacked it`);
    return lost;
  }
  // No manifest: unpacked by an older ivpm (or the record was lost). Only a download is judged (its
  // lock entry has a sha256); other packages are not unpacked ones.
  if (typeof from.previous?.sha256 !== "string") return [];
  const later = await filesOutsideExtraction(path, ignore);
  return later ? [`${plural(later, "file")} changed or added after ivpm unpacked it`] : [];
}

/**
 * For a package without a manifest, how many files were written apart from its extraction. Keeping
 * every such package unless `--force` would stop each first update after upgrading ivpm; comparing
 * against nothing would lose edits. ivpm's extraction never sets an archive's mtimes, so its files
 * carry mtimes within one burst; files outside the largest burst (gaps above two minutes) were
 * written by someone else, later (an edit, a new file) or earlier (copied with their dates).
 */
async function filesOutsideExtraction(root: string, ignore: (rel: string) => boolean): Promise<number> {
  const st = await lstatOrUndefined(root);
  if (!st?.isDirectory) return 0; // one file: no burst to compare with
  const times: number[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(dir, e.name), path);
      else if ((e.isFile || e.isSymlink) && !ignore(path)) {
        const t = (await lstatOrUndefined(join(dir, e.name)))?.mtime?.getTime();
        if (t !== undefined) times.push(t);
      }
    }
  };
  await walk(root, "");
  if (times.length < 2) return 0;
  times.sort((a, b) => a - b);
  let best = 0;
  for (let start = 0, i = 1; i <= times.length; i++) {
    if (i < times.length && times[i] - times[i - 1] <= EXTRACTION_GAP_MS) continue;
    best = Math.max(best, i - start);
    start = i;
  }
  return times.length - best;
}

function plural(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}
