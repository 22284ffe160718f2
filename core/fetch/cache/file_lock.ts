/**
 * A cross-process exclusive lock on a file, built on Deno's advisory file lock
 * (`Deno.FsFile.lock`, `flock(2)` on Unix, `LockFileEx` on Windows). No native addon.
 *
 * Properties callers rely on:
 * - The lock belongs to an open file, not to a process, so two acquisitions in the
 *   same process exclude each other just as two processes do.
 * - The kernel drops the lock when the holder dies (even by SIGKILL), so a crashed
 *   holder never blocks anyone: there are no stale lock files to break.
 * - The holder writes its pid, host and the time it took the lock into the file,
 *   so a waiter can say who it is waiting for.
 *
 * Used for cache entries (`<cache>/<ns>/<key>.lock`) and the per-project update lock
 * (`packages/.ivpm.lock`).
 *
 * @module
 */

import { hostname } from "node:os";
import { IvpmError } from "../../base/errors.ts";

/** Who holds a lock, as written into the lock file by the holder. */
export interface LockHolder {
  /** Process id of the holder. */
  pid: number;
  /** Host name of the holder (a pid means nothing on another machine of a shared cache). */
  host: string;
  /** When the holder took the lock (ISO 8601). */
  since: string;
}

/** Options for {@linkcode acquireLock}. */
export interface AcquireLockOptions {
  /** Wait for the current holder to release the lock; when false, fail at once with {@linkcode LockBusyError}. */
  wait: boolean;
  /** Give up waiting after this many milliseconds (default: wait for ever). */
  timeoutMs?: number;
  /** Called once, when the lock is found busy and we start waiting; `holder` is null if unreadable. */
  onWait?: (holder: LockHolder | null) => void;
}

/** A held lock. */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Release the lock. With `remove`, the lock file is deleted first (safe: waiters
   * that locked the deleted file notice and retry on the new one). Idempotent.
   */
  release(options?: { remove?: boolean }): Promise<void>;
}

/** The lock is held by someone else and the caller asked not to wait (or stopped waiting). */
export class LockBusyError extends IvpmError {
  /** The lock file. */
  readonly path: string;
  /** Who holds it, if the lock file said. */
  readonly holder: LockHolder | null;

  constructor(path: string, holder: LockHolder | null, timedOut: boolean) {
    const who = describeHolder(holder);
    super(
      timedOut ? `Timed out waiting for lock ${path} held by ${who}` : `Lock ${path} is held by ${who}`,
      { hint: "wait for the other ivpm process to finish, or stop it (a dead process never keeps a lock)" },
    );
    this.name = "LockBusyError";
    this.path = path;
    this.holder = holder;
  }
}

/** One-line description of a holder for messages, e.g. `pid 1234 on host since 2024-…`. */
export function describeHolder(holder: LockHolder | null): string {
  if (!holder) return "another process";
  return `pid ${holder.pid} on ${holder.host} since ${holder.since}`;
}

/**
 * Take an exclusive lock on `path` (created if missing; its parent must exist).
 *
 * @throws {LockBusyError} when busy and `wait` is false, or when `timeoutMs` elapses.
 * @throws {IvpmError} when the lock file cannot be opened.
 */
export async function acquireLock(path: string, options: AcquireLockOptions): Promise<FileLock> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let told = false;
  let delay = 5;
  for (;;) {
    const file = await openLockFile(path);
    let locked = false;
    try {
      locked = await file.tryLock(true);
      if (locked && await sameFile(file, path)) {
        await writeHolder(file);
        return heldLock(path, file);
      }
    } catch (e) {
      file.close();
      throw e;
    }
    if (locked) {
      // We locked a file that was deleted (or replaced) after we opened it: its
      // owner released it with `remove`. Retry at once on the current file.
      file.close();
      continue;
    }
    file.close();
    if (!options.wait || Date.now() >= deadline) {
      throw new LockBusyError(path, await readHolder(path), options.wait);
    }
    if (!told) {
      told = true;
      options.onWait?.(await readHolder(path));
    }
    // Poll rather than block in `lock()`: a blocking call cannot be cancelled,
    // which would make timeouts leave a thread (and the process) hanging.
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 200);
  }
}

/** Read who holds the lock at `path`, or null if nobody wrote a readable record. */
export async function readHolder(path: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text);
    if (typeof v?.pid === "number" && typeof v?.host === "string" && typeof v?.since === "string") {
      return { pid: v.pid, host: v.host, since: v.since };
    }
  } catch {
    // Half-written by a holder that is writing right now, or empty after a release.
  }
  return null;
}

async function openLockFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true, write: true, create: true });
  } catch (e) {
    // A lock file created by another user of a shared cache may be read-only to
    // us; a read-only descriptor locks just as well.
    if (e instanceof Deno.errors.PermissionDenied) {
      try {
        return await Deno.open(path, { read: true });
      } catch { /* report the first error */ }
    }
    throw new IvpmError(`Cannot open lock file ${path}: ${(e as Error).message}`, {
      hint: "check that the directory exists and is writable by you",
      cause: e,
    });
  }
}

/** True if `path` still names the file we hold open (not deleted or replaced meanwhile). */
async function sameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  const held = await file.stat();
  if (held.ino === null) return true; // Windows: no inode numbers, and open files cannot be deleted.
  try {
    const now = await Deno.stat(path);
    return now.ino === held.ino && now.dev === held.dev;
  } catch {
    return false;
  }
}

async function writeHolder(file: Deno.FsFile): Promise<void> {
  const holder: LockHolder = { pid: Deno.pid, host: hostname(), since: new Date().toISOString() };
  const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
  try {
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
  } catch {
    // The record is only for messages; a lock file we cannot write (e.g. another
    // user's file in a shared cache) still locks.
  }
}

function heldLock(path: string, file: Deno.FsFile): FileLock {
  let released = false;
  return {
    path,
    async release(options = {}) {
      if (released) return;
      released = true;
      try {
        if (options.remove) {
          await Deno.remove(path).catch(() => {});
        } else {
          // Clear the record so nobody reports a holder that has gone.
          await file.truncate(0).catch(() => {});
        }
        await file.unlock().catch(() => {});
      } finally {
        file.close();
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
