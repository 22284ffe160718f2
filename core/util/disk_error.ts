/**
 * Disk errors (no space, permission denied, read-only file system…) as one-line
 * user errors naming the path. They are the machine's problem, not the
 * network's, the archive's or ivpm's: never retried, never "a bug in ivpm".
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";

/** A write or remove failed because of the file system; the fix is on the user's side. */
export class DiskError extends IvpmError {
  /** The OS error code (`ENOSPC`, `EACCES`, …). */
  readonly code: string;
  /** The path it happened on, when known. */
  readonly path?: string;

  constructor(code: string, path: string | undefined, cause: unknown) {
    const what = DISK_CODES[code];
    const where = path ? ` on ${path}` : "";
    super(`${what.message}${where}`, { hint: what.hint, cause });
    this.name = "DiskError";
    this.code = code;
    this.path = path;
  }
}

const DISK_CODES: Record<string, { message: string; hint: string }> = {
  ENOSPC: {
    message: "No space left",
    hint: "free some space on that file system (or move the project or the cache) and run the command again",
  },
  EDQUOT: {
    message: "Disk quota exceeded",
    hint: "free some space within your quota and run the command again",
  },
  EACCES: {
    message: "Permission denied",
    hint: "check the ownership and permissions of that path (and its parent directory)",
  },
  EPERM: {
    message: "Operation not permitted",
    hint: "check the ownership, permissions and attributes (immutable, append-only) of that path",
  },
  EROFS: {
    message: "Read-only file system",
    hint: "the file system is mounted read-only; use a writable location",
  },
  ENOTDIR: {
    message: "Not a directory (a parent is a file)",
    hint: "a component of that path is a regular file; move it away or choose another path",
  },
  EIO: {
    message: "Input/output error",
    hint: "the disk reported an error; check the device (dmesg) before trying again",
  },
  EMFILE: {
    message: "Too many open files",
    hint: "raise the open-file limit (ulimit -n) or use fewer parallel jobs (-j)",
  },
  ENFILE: {
    message: "Too many open files in the system",
    hint: "close other programs or raise the system's open-file limit",
  },
};

/** The OS error code of `e` when it is a disk error, else undefined. */
export function diskErrorCode(e: unknown): string | undefined {
  if (e instanceof DiskError) return e.code;
  if (!(e instanceof Error) || e instanceof IvpmError) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code in DISK_CODES) return code;
  // Without a code (some Deno errors): the class or the OS message still tells.
  if (e instanceof Deno.errors.PermissionDenied) return "EACCES";
  if (e instanceof Deno.errors.NotADirectory) return "ENOTDIR";
  const m = /\(os error (\d+)\)/.exec(e.message);
  if (m) return OS_ERRNO[Number(m[1])];
  return undefined;
}

/** Linux errno numbers of the codes above (Deno always includes `(os error N)` in the message). */
const OS_ERRNO: Record<number, string> = {
  1: "EPERM",
  5: "EIO",
  13: "EACCES",
  20: "ENOTDIR",
  23: "ENFILE",
  24: "EMFILE",
  28: "ENOSPC",
  30: "EROFS",
  122: "EDQUOT",
};

/**
 * `e` as a {@link DiskError} when it is one, else undefined. The path is taken
 * from the message (Deno writes `… (os error 28): open '/x/y'`), else `path`.
 */
export function asDiskError(e: unknown, path?: string): DiskError | undefined {
  if (e instanceof DiskError) return e;
  const code = diskErrorCode(e);
  if (!code) return undefined;
  const named = /: \w+ '([^']+)'(?: -> '[^']+')?$/.exec((e as Error).message)?.[1];
  return new DiskError(code, named ?? path, e);
}
