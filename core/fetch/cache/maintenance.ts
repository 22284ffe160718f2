/**
 * The logic behind `ivpm cache init|info|clean`. Functions return data and
 * throw {@linkcode IvpmError}; printing is the command's job.
 *
 * @module
 */

import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { acquireLock, LockBusyError } from "./file_lock.ts";
import { namespaceName, PROJECTS_DIR, removeTree } from "./store.ts";

/** Options for {@linkcode initCache}. */
export interface InitCacheOptions {
  /** Make the cache usable by a group: setgid plus group `rwx` on the root, so new entries inherit its group. */
  shared?: boolean;
  /** Accept an existing directory (reinitialise it). */
  force?: boolean;
}

/** What {@linkcode initCache} did. */
export interface InitCacheResult {
  /** Absolute cache root. */
  dir: string;
  /** True if the directory was created, false if an existing one was reinitialised. */
  created: boolean;
  /** True if the group-sharing bits were set. */
  shared: boolean;
}

/** One cache entry (one version of one dependency). */
export interface CacheEntryInfo {
  /** Dependency name (from the namespace). */
  name: string;
  /** Namespace directory name (`<name>-<url hash>`). */
  namespace: string;
  /** Entry key (commit sha, http validator key, `<tag>_<os>_<arch>`). */
  key: string;
  /** Absolute path of the entry. */
  path: string;
  /** Modification time of the entry directory (when it was populated). */
  mtime: Date;
  /** Newest of `mtime` and the last time a project linked the entry. */
  lastUsed: Date;
}

/** One version in {@linkcode CacheInfo}. */
export interface CacheVersionInfo {
  /** Entry key. */
  key: string;
  /** Sum of the sizes of the regular files in the entry. */
  bytes: number;
  /** Modification time of the entry directory. */
  mtime: Date;
  /** Newest of `mtime` and the last time a project linked the entry. */
  lastUsed: Date;
}

/** One namespace in {@linkcode CacheInfo}. */
export interface CachePackageInfo {
  /** Dependency name. */
  name: string;
  /** Namespace directory name; differs between same-named deps from different URLs. */
  namespace: string;
  /** Sum of the versions' sizes. */
  bytes: number;
  /** Versions, sorted by key. */
  versions: CacheVersionInfo[];
}

/** What `ivpm cache info` shows. */
export interface CacheInfo {
  /** Absolute cache root. */
  dir: string;
  /** Total size of all entries. */
  totalBytes: number;
  /** Namespaces, sorted by name then namespace. */
  packages: CachePackageInfo[];
}

/** Options for {@linkcode cleanCache}. */
export interface CleanCacheOptions {
  /** Remove entries not used for more than this many days (default 7). */
  olderThanDays?: number;
  /** Report what would be removed, change nothing. */
  dryRun?: boolean;
  /** The current time (for tests); default now. */
  now?: Date;
}

/** What {@linkcode cleanCache} did. */
export interface CleanCacheResult {
  /** Entries removed (with `dryRun`: that would be removed). */
  removed: CacheEntryInfo[];
  /** Old entries kept because a registered project links to them (or an update holds them right now). */
  keptInUse: CacheEntryInfo[];
}

/**
 * Create (or, with `force`, reinitialise) a cache directory.
 *
 * @throws {IvpmError} if `dir` exists and is not a directory, or exists and `force` is not set.
 */
export async function initCache(dir: string, options: InitCacheOptions = {}): Promise<InitCacheResult> {
  const abs = resolve(dir);
  const st = await Deno.stat(abs).catch(() => null);
  if (st && !st.isDirectory) {
    throw new IvpmError(`${abs} exists and is not a directory`, { hint: "choose another cache directory" });
  }
  if (st && !options.force) {
    throw new IvpmError(`${abs} already exists`, { hint: "use --force to reinitialize" });
  }
  try {
    await Deno.mkdir(abs, { recursive: true });
    if (options.shared) {
      const mode = ((await Deno.stat(abs)).mode ?? 0o755) & 0o7777;
      await Deno.chmod(abs, mode | 0o2070);
    }
  } catch (e) {
    throw new IvpmError(`Cannot initialise cache directory ${abs}: ${(e as Error).message}`, { cause: e });
  }
  return { dir: abs, created: st === null, shared: options.shared ?? false };
}

/**
 * Sizes and versions of everything in the cache at `dir`.
 *
 * @throws {IvpmError} if `dir` does not exist or is not a directory.
 */
export async function cacheInfo(dir: string): Promise<CacheInfo> {
  const root = await checkCacheDir(dir);
  const byNs = new Map<string, CachePackageInfo>();
  for (const entry of await listEntries(root)) {
    let pkg = byNs.get(entry.namespace);
    if (!pkg) {
      pkg = { name: entry.name, namespace: entry.namespace, bytes: 0, versions: [] };
      byNs.set(entry.namespace, pkg);
    }
    const bytes = await treeSize(entry.path);
    pkg.bytes += bytes;
    pkg.versions.push({ key: entry.key, bytes, mtime: entry.mtime, lastUsed: entry.lastUsed });
  }
  const packages = [...byNs.values()].sort((a, b) =>
    compare(a.name, b.name) || compare(a.namespace, b.namespace)
  );
  for (const p of packages) p.versions.sort((a, b) => compare(a.key, b.key));
  return { dir: root, totalBytes: packages.reduce((n, p) => n + p.bytes, 0), packages };
}

/**
 * Remove entries not used for more than `olderThanDays` days. An entry that a
 * registered project's deps dir links to is never removed (it is reported in
 * `keptInUse`), so clean never leaves a dangling link in a project it knows of.
 * Registrations whose deps dir has gone are dropped, and leftovers of crashed
 * populates are removed.
 *
 * @throws {IvpmError} if `dir` does not exist or is not a directory.
 */
export async function cleanCache(dir: string, options: CleanCacheOptions = {}): Promise<CleanCacheResult> {
  const root = await checkCacheDir(dir);
  const days = options.olderThanDays ?? 7;
  const cutoff = (options.now ?? new Date()).getTime() - days * 86_400_000;
  const dryRun = options.dryRun ?? false;
  const inUse = await linkedEntries(root, dryRun);
  const result: CleanCacheResult = { removed: [], keptInUse: [] };

  for (const entry of await listEntries(root)) {
    if (entry.lastUsed.getTime() >= cutoff) continue;
    if (inUse.has(entryId(entry.namespace, entry.key))) {
      result.keptInUse.push(entry);
      continue;
    }
    if (dryRun) {
      result.removed.push(entry);
      continue;
    }
    const outcome = await removeEntry(entry, cutoff);
    if (outcome === "removed") result.removed.push(entry);
    else if (outcome === "busy") result.keptInUse.push(entry);
  }
  if (!dryRun) await sweepNamespaces(root);
  return result;
}

/**
 * Format a byte count as `%.1f` with B/KB/MB/GB/TB in steps of 1024
 * (e.g. `512.0 B`, `1.5 KB`).
 */
export function formatSize(bytes: number): string {
  let size = bytes;
  for (const unit of ["B", "KB", "MB", "GB"]) {
    if (Math.abs(size) < 1024) return `${size.toFixed(1)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(1)} TB`;
}

async function checkCacheDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  const st = await Deno.stat(abs).catch(() => null);
  if (!st) {
    throw new IvpmError(`Cache directory does not exist: ${abs}`, {
      hint: `create it with 'ivpm cache init ${abs}', or check --cache-dir / IVPM_CACHE`,
    });
  }
  if (!st.isDirectory) {
    throw new IvpmError(`Cache directory is not a directory: ${abs}`, {
      hint: "check --cache-dir / IVPM_CACHE",
    });
  }
  return abs;
}

/** Complete entries: `<root>/<ns>/<key>` directories that are not staging or hidden. */
async function listEntries(root: string): Promise<CacheEntryInfo[]> {
  const entries: CacheEntryInfo[] = [];
  for (const ns of await readDirSafe(root)) {
    if (!ns.isDirectory || ns.name.startsWith(".")) continue;
    const nsDir = join(root, ns.name);
    for (const e of await readDirSafe(nsDir)) {
      if (!e.isDirectory || isLeftoverName(e.name)) continue;
      const path = join(nsDir, e.name);
      const st = await Deno.lstat(path).catch(() => null);
      if (!st) continue;
      const mtime = st.mtime ?? new Date(0);
      entries.push({
        name: namespaceName(ns.name),
        namespace: ns.name,
        key: e.name,
        path,
        mtime,
        lastUsed: await lastUsed(path, mtime),
      });
    }
  }
  return entries;
}

async function lastUsed(entryPath: string, mtime: Date): Promise<Date> {
  const used = (await Deno.stat(`${entryPath}.used`).catch(() => null))?.mtime;
  return used && used > mtime ? used : mtime;
}

/**
 * `ns/key` ids of entries linked from registered projects' deps dirs. Drops
 * registrations whose deps dir is gone (unless `dryRun`).
 */
async function linkedEntries(root: string, dryRun: boolean): Promise<Set<string>> {
  const roots = [root];
  const real = await Deno.realPath(root).catch(() => root);
  if (real !== root) roots.push(real);
  const ids = new Set<string>();
  const projectsDir = join(root, PROJECTS_DIR);
  for (const reg of await readDirSafe(projectsDir)) {
    if (!reg.isFile || reg.name.includes(".tmp-")) continue;
    const regPath = join(projectsDir, reg.name);
    const depsDir = (await Deno.readTextFile(regPath).catch(() => "")).trim();
    if (!depsDir) continue;
    const st = await Deno.stat(depsDir).catch(() => null);
    if (!st?.isDirectory) {
      if (!dryRun) await Deno.remove(regPath).catch(() => {});
      continue;
    }
    for (const e of await readDirSafe(depsDir)) {
      if (!e.isSymlink) continue;
      const link = join(depsDir, e.name);
      const target = await Deno.readLink(link).catch(() => null);
      if (target === null) continue;
      const candidates = [resolve(depsDir, target)];
      const realTarget = await Deno.realPath(link).catch(() => null);
      if (realTarget) candidates.push(realTarget);
      for (const candidate of candidates) {
        const id = idUnder(roots, candidate);
        if (id) ids.add(id);
      }
    }
  }
  return ids;
}

/** `ns/key` of the entry `path` lies in (the entry itself or inside it), if under one of `roots`. */
function idUnder(roots: string[], path: string): string | null {
  for (const r of roots) {
    const rel = relative(r, path);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) continue;
    const [ns, key] = rel.split(sep);
    if (ns && key) return entryId(ns, key);
  }
  return null;
}

function entryId(ns: string, key: string): string {
  return `${ns}/${key}`;
}

/**
 * Remove one entry under its lock. The entry is first renamed aside, so a crash
 * mid-delete never leaves a half tree that looks complete.
 */
async function removeEntry(entry: CacheEntryInfo, cutoff: number): Promise<"removed" | "busy" | "fresh"> {
  let lock;
  try {
    lock = await acquireLock(`${entry.path}.lock`, { wait: false });
  } catch (e) {
    if (e instanceof LockBusyError) return "busy";
    throw e;
  }
  try {
    // An update may have used the entry between listing and locking.
    if ((await lastUsed(entry.path, entry.mtime)).getTime() >= cutoff) return "fresh";
    const aside = `${entry.path}.deleting.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}`;
    await Deno.rename(entry.path, aside);
    await Deno.remove(`${entry.path}.used`).catch(() => {});
    await removeTree(aside).catch(() => {});
    await lock.release({ remove: true });
    return "removed";
  } catch (e) {
    throw new IvpmError(`Cannot remove cache entry ${entry.path}: ${(e as Error).message}`, {
      hint: "check that you own the cache directory",
      cause: e,
    });
  } finally {
    await lock.release();
  }
}

/**
 * Remove leftovers of crashed populates (whose entry lock is free) and of
 * interrupted deletes, then namespace dirs left empty.
 */
async function sweepNamespaces(root: string): Promise<void> {
  for (const ns of await readDirSafe(root)) {
    if (!ns.isDirectory || ns.name.startsWith(".")) continue;
    const nsDir = join(root, ns.name);
    for (const e of await readDirSafe(nsDir)) {
      if (!e.isDirectory || !isLeftoverName(e.name)) continue;
      const key = e.name.replace(/\.(staging|deleting)\..*$/, "");
      try {
        const lock = await acquireLock(join(nsDir, `${key}.lock`), { wait: false });
        try {
          await removeTree(join(nsDir, e.name)).catch(() => {});
        } finally {
          await lock.release();
        }
      } catch (err) {
        if (!(err instanceof LockBusyError)) throw err;
      }
    }
    const left = await readDirSafe(nsDir);
    // Sidecars of gone entries: drop `.used` files, and lock files under their lock.
    for (const e of left) {
      if (e.name.endsWith(".used") && !left.some((o) => o.name === e.name.slice(0, -".used".length))) {
        await Deno.remove(join(nsDir, e.name)).catch(() => {});
        continue;
      }
      if (!e.name.endsWith(".lock")) continue;
      const key = e.name.slice(0, -".lock".length);
      if (left.some((o) => o.name !== e.name && (o.name === key || o.name.startsWith(`${key}.`)))) continue;
      try {
        const lock = await acquireLock(join(nsDir, e.name), { wait: false });
        await lock.release({ remove: true });
      } catch (err) {
        if (!(err instanceof LockBusyError)) throw err;
      }
    }
    if ((await readDirSafe(nsDir)).length === 0) await Deno.remove(nsDir).catch(() => {});
  }
}

function isLeftoverName(name: string): boolean {
  return name.includes(".staging.") || name.includes(".deleting.");
}

async function readDirSafe(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch {
    // Gone meanwhile (a concurrent clean) or unreadable: nothing to list.
  }
  return out;
}

async function treeSize(path: string): Promise<number> {
  let total = 0;
  for (const e of await readDirSafe(path)) {
    const p = join(path, e.name);
    if (e.isDirectory) total += await treeSize(p);
    else if (e.isFile) total += (await Deno.lstat(p).catch(() => null))?.size ?? 0;
  }
  return total;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
