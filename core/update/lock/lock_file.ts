/**
 * `packages/package-lock.json`: exactly what an update got, in the original
 * IVPM's format, written atomically.
 *
 * @module
 */

import { join } from "node:path";
import { createHash } from "node:crypto";
import { IvpmError } from "../../base/errors.ts";
import { pythonJson, pythonUtcNow } from "./json.ts";
import { writeFileAtomic } from "../../util/fs.ts";
import { packageNameProblem, PackageNames } from "../../util/package_name.ts";
import { builtinSources } from "../../config/source_info.ts";

/** The lock file's name inside the deps dir. */
export const LOCK_FILE = "package-lock.json";

/** One package's entry. Fields beyond the base ones depend on `src`. */
export interface LockEntry {
  src: string;
  resolved_by: string;
  dep_set: string | null;
  reproducible: boolean;
  [field: string]: unknown;
}

/** The whole lock document. */
export interface LockFile {
  ivpm_lock_version: number;
  generated: string;
  packages: Record<string, LockEntry>;
  ivpm_sources?: Record<string, Record<string, unknown>>;
  sha256?: string;
  /** Handler contributions (`python_packages`, `modules`, …). */
  [key: string]: unknown;
}

/** Checksum over the lock without its `sha256` key, as the original computes it. */
export function lockChecksum(lock: LockFile): string {
  const { sha256: _omit, ...rest } = lock;
  return createHash("sha256").update(pythonJson(rest)).digest("hex");
}

/** Builds a lock document (adds `generated` and `sha256`). */
export function makeLock(
  packages: Record<string, LockEntry>,
  extra: { ivpm_sources?: Record<string, Record<string, unknown>>; contributions?: Record<string, unknown> } =
    {},
  now = new Date(),
): LockFile {
  const lock: LockFile = {
    ivpm_lock_version: 1,
    generated: pythonUtcNow(now),
    packages,
    ...(extra.ivpm_sources && Object.keys(extra.ivpm_sources).length
      ? { ivpm_sources: extra.ivpm_sources }
      : {}),
    ...(extra.contributions ?? {}),
  };
  lock.sha256 = lockChecksum(lock);
  return lock;
}

/** Serialises a lock document (Python-compatible, trailing newline). */
export function lockText(lock: LockFile): string {
  return pythonJson(lock) + "\n";
}

/** Writes `<depsDir>/package-lock.json` atomically. */
export async function writeLock(depsDir: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(join(depsDir, LOCK_FILE), lockText(lock));
}

/** The lock's content without its `generated` time and `sha256`, for comparing two locks. */
function contentOf(lock: LockFile): string {
  const { generated: _g, sha256: _s, ...rest } = lock;
  return pythonJson(rest);
}

/**
 * Writes the lock unless `<depsDir>/package-lock.json` already holds the same content
 * (apart from its `generated` time) with a valid checksum, so a no-op update leaves the
 * file — and its mtime — alone. Returns the lock now on disk.
 */
export async function writeLockIfChanged(depsDir: string, lock: LockFile): Promise<LockFile> {
  const current = await readLock(join(depsDir, LOCK_FILE)).catch(() => undefined);
  if (current && !current.checksumMismatch && contentOf(current.lock) === contentOf(lock)) {
    return current.lock;
  }
  await writeLock(depsDir, lock);
  return lock;
}

/**
 * Removes `package-lock.json.tmp-*` (and `ivpm.json.tmp-*`) files left by a run killed
 * while writing. Call only while holding the project lock: a live writer's temp file is
 * then impossible.
 */
export async function removeStaleTemps(depsDir: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(depsDir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const e of entries) {
    if (e.isFile && /^(package-lock|ivpm)\.json\.tmp-/.test(e.name)) {
      await Deno.remove(join(depsDir, e.name)).catch(() => {});
    }
  }
}

/** The warning for a lock whose checksum does not match its content (status, sync and update say it alike). */
export function lockMismatchMessage(depsDir: string): string {
  return `${join(depsDir, LOCK_FILE)}: checksum mismatch — the file was edited by hand (or damaged); ` +
    "ivpm rewrites it on the next successful update";
}

/** Result of reading a lock. */
export interface ReadLock {
  lock: LockFile;
  /** The checksum did not match (hand-edited); a warning, never fatal. */
  checksumMismatch: boolean;
}

/** A lock entry whose name is not a package name (it would put the package outside its directory). */
export class LockNameError extends IvpmError {
  constructor(path: string, name: string, problem: string) {
    super(`${path}: entry '${name}' is not a valid package name: ${problem}`, {
      hint: "a lock file names each package by its directory under the deps dir; " +
        "use a lock written by 'ivpm update', or fix the entry's name",
    });
    this.name = "LockNameError";
  }
}

/**
 * Refuses entries whose names are not package names or collide with another entry's
 * directory: a lock is untrusted input (`--lock-file`, a deps-source, a hand edit), and
 * its names become paths that update, destroy and snapshot write and remove.
 */
function checkLockNames(path: string, lock: LockFile): void {
  const names = new PackageNames();
  for (const name of Object.keys(lock.packages)) {
    const problem = packageNameProblem(name);
    if (problem) throw new LockNameError(path, name, problem);
    const entry = lock.packages[name];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new IvpmError(`${path}: entry '${name}' is not a JSON object`, {
        hint: "restore the lock from version control, or delete it and run 'ivpm update'",
      });
    }
    // As the resolver: `JSON` and `json` (npm) may both be there, `LibA` and `liba` (git) may not.
    // Only built-in sources have no directory; an unknown `src` is taken to have one.
    const hasDirectory = !builtinSources.some((s) => s.name === entry.src && s.virtual);
    const clash = names.conflict(name, hasDirectory);
    if (clash) throw new LockNameError(path, name, clash.reason);
    names.add(name, hasDirectory);
  }
}

/** Reads a lock file; `undefined` when there is none. Throws a clear error for an unusable one. */
export async function readLock(path: string): Promise<ReadLock | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let lock: LockFile;
  try {
    lock = JSON.parse(text);
  } catch (e) {
    throw new IvpmError(`${path} is not valid JSON (${(e as Error).message})`, {
      hint: "restore it from version control, or delete it and run 'ivpm update'",
    });
  }
  if (typeof lock !== "object" || lock === null || Array.isArray(lock)) {
    throw new IvpmError(`${path} is not a lock file (expected a JSON object)`);
  }
  const version = lock.ivpm_lock_version ?? 0;
  if (version !== 1) {
    throw new IvpmError(`${path}: lock version ${version} is not supported (expected 1)`, {
      hint: "regenerate it with 'ivpm update'",
    });
  }
  if (typeof lock.packages !== "object" || lock.packages === null) lock.packages = {};
  checkLockNames(path, lock);
  const checksumMismatch = typeof lock.sha256 === "string" && lock.sha256 !== lockChecksum(lock);
  return { lock, checksumMismatch };
}
