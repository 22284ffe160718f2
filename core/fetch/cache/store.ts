/**
 * The shared package cache: read-only, content-addressed package trees that
 * projects link to instead of fetching them again.
 *
 * Layout under the cache root:
 *
 * ```
 * <root>/<ns>/<key>/            a complete entry (read-only tree)
 * <root>/<ns>/<key>.lock        per-entry lock (see file_lock.ts)
 * <root>/<ns>/<key>.used        touched whenever a project links the entry
 * <root>/<ns>/<key>.staging.*   an entry being populated (never read)
 * <root>/.ivpm-projects/<hash>  deps dirs of projects that link into the cache
 * ```
 *
 * `<ns>` is the dependency name plus a hash of its normalized source URL, so two
 * dependencies with the same name from different repositories never share
 * entries (the original keyed by name only). An entry only ever appears by an
 * atomic rename of a fully populated staging dir, so "the entry dir exists"
 * means "the entry is complete": no marker file is needed inside the tree.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { acquireLock, type LockHolder } from "./file_lock.ts";

/** Name of the directory under the cache root that records projects linking into it. */
export const PROJECTS_DIR = ".ivpm-projects";

/** What {@linkcode PackageCache.ensure} returns. */
export interface EnsureResult {
  /** Absolute path of the complete, read-only entry. */
  path: string;
  /** True if the entry already existed (the populate callback was not called). */
  hit: boolean;
}

/** Options for {@linkcode PackageCache.ensure}. */
export interface EnsureOptions {
  /** Called when another process is populating the same entry and we wait for it. */
  onWait?: (holder: LockHolder | null) => void;
  /** Give up waiting for another process after this many milliseconds (default: no limit). */
  timeoutMs?: number;
}

/**
 * The cache namespace of a dependency: sanitised `name` + `-` + first 12 hex
 * digits of sha256 of the normalized source URL (see {@linkcode normalizeSourceUrl}).
 */
export function cacheNamespace(name: string, url: string): string {
  return `${sanitiseCacheKey(name)}-${sha256Hex(normalizeSourceUrl(url)).slice(0, 12)}`;
}

/** The dependency name a namespace was made from (the hash suffix removed). */
export function namespaceName(namespace: string): string {
  return namespace.replace(/-[0-9a-f]{12}$/, "");
}

/**
 * Canonical form of a source URL, so spellings of the same repository share a
 * namespace: `git@host:o/r.git`, `ssh://git@host/o/r`, `https://user@Host/o/r.git/`
 * all become `https://host/o/r`. Credentials, fragments and a `.git` suffix are
 * dropped; other URLs (plain paths, `file:`) are only trimmed.
 */
export function normalizeSourceUrl(url: string): string {
  const u = url.trim();
  // scp-like `[user@]host:path` (but not a Windows drive `C:\…` or a URL).
  const scp = /^(?:[^@/\\:]+@)?([^/\\:]{2,}):(?!\/\/)(.+)$/.exec(u);
  if (scp) return `https://${scp[1].toLowerCase()}/${stripRepoPath(scp[2])}`;
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return u;
  }
  const scheme = parsed.protocol.replace(/:$/, "").toLowerCase();
  const gitLike = ["ssh", "git", "git+ssh", "ssh+git", "http", "https"].includes(scheme);
  if (!gitLike || !parsed.hostname) return u;
  // Keep a port only for http(s): an ssh port says nothing about the repository.
  const port = (scheme === "http" || scheme === "https") && parsed.port ? `:${parsed.port}` : "";
  return `https://${parsed.hostname.toLowerCase()}${port}/${stripRepoPath(parsed.pathname)}${parsed.search}`;
}

function stripRepoPath(path: string): string {
  let p = path.replace(/^\/+/, "").replace(/\/+$/, "");
  // A real suffix strip (the original's rstrip(".git") also ate trailing t, i, g).
  if (p.endsWith(".git")) p = p.slice(0, -4);
  return p.replace(/\/+$/, "");
}

/**
 * Make `raw` safe as one path component of the cache: characters outside
 * `[A-Za-z0-9._-]` become `_`; a leading `.` becomes `_` (no hidden names, no
 * `..`); names that would clash with the sidecar files (`*.lock`, `*.used`,
 * `*.staging.*`, `*.deleting.*`) are altered; very long keys are shortened with a
 * hash. Idempotent.
 */
export function sanitiseCacheKey(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9._-]/g, "_");
  if (s.startsWith(".")) s = "_" + s.slice(1);
  s = s.replaceAll(".staging.", "_staging_").replaceAll(".deleting.", "_deleting_");
  s = s.replace(/\.(lock|used)$/, "_$1");
  if (s === "") s = "_";
  // File names are limited to 255 bytes; leave room for the sidecar suffixes.
  if (s.length > 120) s = `${s.slice(0, 100)}-${sha256Hex(raw).slice(0, 16)}`;
  return s;
}

/** Cache key of a git checkout: the full commit sha, lower-cased. */
export function gitCacheKey(commitSha: string): string {
  return sanitiseCacheKey(commitSha.trim().toLowerCase());
}

/**
 * Cache key of an http download, from its validators: `Last-Modified` (spaces →
 * `_`, `:` → `-`, commas dropped), else the `ETag` (weak prefix and quotes
 * dropped), else a hash of the URL.
 */
export function httpCacheKey(
  validators: { lastModified?: string | null; etag?: string | null; url: string },
): string {
  const lm = validators.lastModified?.trim();
  if (lm) return sanitiseCacheKey(lm.replaceAll(" ", "_").replaceAll(":", "-").replaceAll(",", ""));
  const etag = validators.etag?.trim().replace(/^W\//, "").replaceAll('"', "");
  if (etag) return sanitiseCacheKey(etag);
  return sha256Hex(validators.url).slice(0, 16);
}

/** Cache key of a GitHub release asset: `<tag>_<os>_<arch>`. */
export function ghReleaseCacheKey(tag: string, os: string, arch: string): string {
  return sanitiseCacheKey(`${tag}_${os}_${arch}`);
}

/** The shared package cache rooted at one directory. */
export class PackageCache {
  /** Absolute cache root. */
  readonly root: string;
  #registered = new Set<string>();
  #shared?: boolean;

  /** A cache rooted at `root` (created on first store; made absolute). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path an entry has (or would have); `ns` and `key` are sanitised. */
  entryPath(ns: string, key: string): string {
    return join(this.root, sanitiseCacheKey(ns), sanitiseCacheKey(key));
  }

  /**
   * Path of the entry if it is complete, else null. Lock-free; prefer
   * {@linkcode ensure}, which also protects the entry from a concurrent `clean`.
   */
  lookup(ns: string, key: string): string | null {
    const path = this.entryPath(ns, key);
    try {
      return Deno.statSync(path).isDirectory ? path : null;
    } catch {
      return null;
    }
  }

  /**
   * Return the entry `ns`/`key`, populating it first if absent. `populate` fills
   * the (empty, existing) staging dir it is given; the tree is then made
   * read-only and renamed into place. Any number of concurrent calls, in this or
   * other processes, populate an entry at most once, and nobody sees a partial
   * entry. If `populate` throws, its staging dir is removed and the error is
   * rethrown. The entry's last-used time is refreshed either way.
   */
  async ensure(
    ns: string,
    key: string,
    populate: (stagingDir: string) => Promise<void>,
    options: EnsureOptions = {},
  ): Promise<EnsureResult> {
    ns = sanitiseCacheKey(ns);
    key = sanitiseCacheKey(key);
    const nsDir = join(this.root, ns);
    const path = join(nsDir, key);
    const lock = await this.#lockEntry(nsDir, key, options);
    try {
      if (await isDirectory(path)) {
        await this.touchUsed(path);
        return { path, hit: true };
      }
      // We hold the entry lock, so any staging dir of this key is left over from
      // a process that died while populating.
      await removeLeftovers(nsDir, key);
      const staging = join(nsDir, `${key}.staging.${Deno.pid}.${randomSuffix()}`);
      await Deno.mkdir(staging);
      try {
        await populate(staging);
        await makeTreeReadOnly(staging);
      } catch (e) {
        await removeTree(staging).catch(() => {});
        throw e;
      }
      try {
        await Deno.rename(staging, path);
      } catch (e) {
        await removeTree(staging).catch(() => {});
        // Only someone ignoring the lock can have created the entry meanwhile.
        if (await isDirectory(path)) return { path, hit: true };
        throw e;
      }
      await this.touchUsed(path);
      return { path, hit: false };
    } finally {
      await lock.release();
    }
  }

  /**
   * Point `target` (e.g. `packages/<name>`) at a cache entry with an absolute
   * symlink, replacing an existing symlink atomically, and record the use:
   * the entry's `.used` time is refreshed and the deps dir (`dirname(target)`)
   * is registered so `cleanCache` will not remove entries it links to.
   *
   * Absolute, because the cache lives outside the project: a relative link
   * would break whenever the project moves, an absolute one only if the cache does.
   *
   * @throws {IvpmError} if `target` exists and is not a symlink (it may hold the user's work).
   */
  async linkInto(entryPath: string, target: string): Promise<void> {
    const entry = resolve(entryPath);
    const link = resolve(target);
    await Deno.mkdir(dirname(link), { recursive: true });
    const existing = await Deno.lstat(link).catch(() => null);
    if (existing && !existing.isSymlink) {
      throw new IvpmError(`${link} exists and is not a link into the package cache`, {
        hint: "move or delete it (it may hold your own changes), then run the update again",
      });
    }
    const tmp = `${link}.tmp-${randomSuffix()}`;
    await Deno.symlink(entry, tmp, { type: "dir" });
    try {
      await Deno.rename(tmp, link);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw new IvpmError(`Cannot link ${link} to the package cache: ${(e as Error).message}`, { cause: e });
    }
    await this.touchUsed(entry);
    await this.registerProject(dirname(link));
  }

  /** Refresh the last-used time of an entry (`<entry>.used`); best effort. */
  async touchUsed(entryPath: string): Promise<void> {
    const used = `${entryPath}.used`;
    try {
      await Deno.writeTextFile(used, new Date().toISOString() + "\n");
      if (await this.#isShared()) await chmodQuiet(used, 0o664);
    } catch {
      // Another user's file in a shared cache: their touch keeps the entry fresh.
    }
  }

  /**
   * Record that the deps dir `depsDir` links into this cache, as
   * `<root>/.ivpm-projects/<sha256(depsDir)[:16]>` holding the absolute path.
   */
  async registerProject(depsDir: string): Promise<void> {
    const abs = resolve(depsDir);
    if (this.#registered.has(abs)) return;
    const dir = join(this.root, PROJECTS_DIR);
    await this.#mkdir(dir);
    const file = join(dir, sha256Hex(abs).slice(0, 16));
    const tmp = `${file}.tmp-${randomSuffix()}`;
    await Deno.writeTextFile(tmp, abs + "\n");
    if (await this.#isShared()) await chmodQuiet(tmp, 0o664);
    await Deno.rename(tmp, file);
    this.#registered.add(abs);
  }

  async #lockEntry(nsDir: string, key: string, options: EnsureOptions) {
    // `cleanCache` may remove an emptied namespace dir between our mkdir and
    // the lock file's creation: recreate and retry.
    for (let attempt = 0;; attempt++) {
      await this.#mkdir(nsDir);
      try {
        return await acquireLock(join(nsDir, `${key}.lock`), {
          wait: true,
          timeoutMs: options.timeoutMs,
          onWait: options.onWait,
        });
      } catch (e) {
        if (attempt < 3 && e instanceof IvpmError && e.cause instanceof Deno.errors.NotFound) continue;
        throw e;
      }
    }
  }

  async #mkdir(dir: string): Promise<void> {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (e) {
      throw new IvpmError(`Cannot create cache directory ${dir}: ${(e as Error).message}`, {
        hint:
          'check the permissions of the cache, or set IVPM_CACHE to another directory ("" disables caching)',
        cause: e,
      });
    }
    // In a shared (setgid) cache, keep new dirs group-writable for the other users.
    if (await this.#isShared()) {
      const st = await Deno.stat(dir);
      if (((st.mode ?? 0) & 0o2070) !== 0o2070) await chmodQuiet(dir, ((st.mode ?? 0) & 0o7777) | 0o2070);
    }
  }

  async #isShared(): Promise<boolean> {
    if (this.#shared === undefined) {
      const st = await Deno.stat(this.root).catch(() => null);
      this.#shared = st !== null && ((st.mode ?? 0) & 0o2000) !== 0;
    }
    return this.#shared;
  }
}

/**
 * Make a tree read-only: files lose every write bit (and become readable by
 * all), directories lose write bits but stay traversable (`r-x` for all, setgid
 * kept). Symlinks are left alone (chmod would follow them out of the tree).
 */
export async function makeTreeReadOnly(path: string): Promise<void> {
  const st = await Deno.lstat(path);
  if (st.isSymlink) return;
  const mode = (st.mode ?? 0o644) & 0o7777;
  if (st.isDirectory) {
    for await (const e of Deno.readDir(path)) await makeTreeReadOnly(join(path, e.name));
    await chmodQuiet(path, (mode & ~0o222) | 0o555);
  } else {
    await chmodQuiet(path, (mode & ~0o222) | 0o444);
  }
}

/** Delete a tree that may be read-only: write bits are restored top-down first. */
export async function removeTree(path: string): Promise<void> {
  await restoreWriteBits(path);
  await Deno.remove(path, { recursive: true });
}

async function restoreWriteBits(path: string): Promise<void> {
  const st = await Deno.lstat(path).catch(() => null);
  if (!st || st.isSymlink) return;
  const mode = (st.mode ?? 0o644) & 0o7777;
  if (st.isDirectory) {
    if ((mode & 0o700) !== 0o700) await chmodQuiet(path, mode | 0o700);
    for await (const e of Deno.readDir(path)) await restoreWriteBits(join(path, e.name));
  } else if (Deno.build.os === "windows") {
    // Only Windows refuses to delete a read-only file in a writable dir.
    await chmodQuiet(path, mode | 0o200);
  }
}

/** Remove `<key>.staging.*` / `<key>.deleting.*` dirs; call only while holding the entry lock. */
async function removeLeftovers(nsDir: string, key: string): Promise<void> {
  for await (const e of Deno.readDir(nsDir)) {
    if (e.name.startsWith(`${key}.staging.`) || e.name.startsWith(`${key}.deleting.`)) {
      await removeTree(join(nsDir, e.name)).catch(() => {});
    }
  }
}

async function chmodQuiet(path: string, mode: number): Promise<void> {
  try {
    await Deno.chmod(path, mode);
  } catch {
    // Not supported (Windows) or not our file (shared cache): permissions are a
    // safety net, not a correctness requirement.
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}
