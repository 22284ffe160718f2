/**
 * Reading a configuration file safely: regular files only, bounded in size, so a
 * FIFO, a device or a huge file named by a dependency cannot hang or exhaust ivpm.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import { MAX_FILE_BYTES } from "./located_node.ts";
import { concatBytes } from "../util/bytes.ts";

/** Reads a file's text; undefined when it does not exist. */
export type ReadText = (path: string) => string | undefined;

/**
 * A configuration file that exists but must not be read: not a regular file
 * (a FIFO would block forever, `/dev/zero` never ends) or larger than the cap.
 */
export class UnreadableConfigFile extends IvpmError {
  /** Why, as a phrase: `is a FIFO, not a regular file`. */
  readonly reason: string;
  /** Notes for a located diagnostic. */
  readonly notes?: string[];

  constructor(path: string, reason: string, hint: string, notes?: string[]) {
    super(`Cannot read ${path}: it ${reason}`, { hint });
    this.name = "UnreadableConfigFile";
    this.reason = reason;
    this.notes = notes;
  }

  /** The problem as a diagnostic at the start of `file` (the file itself, not an include entry). */
  diagnostic(file: string): Diagnostic {
    return {
      severity: "error",
      message: `File ${this.reason}`,
      loc: { file, line: 1, col: 1 },
      notes: this.notes,
    };
  }
}

/**
 * Default reader using the file system: only regular files (after resolving
 * symlinks) of at most {@link MAX_FILE_BYTES}, read with a bounded buffer.
 *
 * @throws {UnreadableConfigFile} for a directory, FIFO, device or socket, or a file over the cap.
 * @throws {IvpmError} when the file cannot be read (permissions).
 */
export function readTextOrUndefined(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw cannotRead(path, e);
  }
  // Checked before opening: opening a FIFO blocks until a writer appears.
  if (!info.isFile) {
    throw new UnreadableConfigFile(
      path,
      `is ${kindOf(info)}, not a regular file`,
      "point it at a YAML file",
    );
  }
  if (info.size > MAX_FILE_BYTES) throw tooLarge(path, info.size);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    // Bounded even when the size lied (a file still growing, /proc): never more than the cap plus one chunk.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(64 * 1024);
      const n = file.readSync(buf);
      if (n === null) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES) throw tooLarge(path, total);
    }
    return new TextDecoder().decode(concatBytes(chunks));
  } catch (e) {
    if (e instanceof IvpmError) throw e;
    throw cannotRead(path, e);
  } finally {
    file.close();
  }
}

function cannotRead(path: string, e: unknown): IvpmError {
  return new IvpmError(`Cannot read ${path}: ${(e as Error).message}`, {
    hint: "check the file's permissions",
    cause: e,
  });
}

function tooLarge(path: string, bytes: number): UnreadableConfigFile {
  return new UnreadableConfigFile(
    path,
    `is too large (${(bytes / 1048576).toFixed(1)} MB; ivpm.yaml files are limited to ${
      MAX_FILE_BYTES / 1048576
    } MB)`,
    "check that this is the right file",
    ["split large dependency lists with 'include:' or check that this is the right file"],
  );
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "a special file";
}
