/**
 * `include:` — merging partial `package:` bodies from other files into the
 * including one, as the original IVPM does. The includer always wins; locations of
 * adopted nodes are kept so errors point into the file they came from.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { IvpmError } from "../base/errors.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import {
  getEntry,
  type LEntry,
  type LMap,
  type LNode,
  type LSeq,
  MAX_FILE_BYTES,
  parseLocated,
} from "./located.ts";

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
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
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

function realPath(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch {
    return resolve(p);
  }
}

const LIST_APPEND = new Set(["env", "env-sets", "setup-deps", "dep-sets"]);
const DEEP_MERGE = new Set(["with", "vars"]);

/**
 * Resolves `include:` in a `package:` map (recursively), returning the merged map.
 * Problems are appended to `diags`; the merge goes on where it can so all are reported.
 * A file reached twice without a cycle (a diamond) is merged once: `merged` holds the
 * real paths already merged.
 */
export function resolveIncludes(
  pkg: LMap,
  file: string,
  diags: Diagnostic[],
  read: ReadText = readTextOrUndefined,
  chain: string[] = [realPath(file)],
  merged: Set<string> = new Set(chain),
): LMap {
  const inc = getEntry(pkg, "include");
  let result: LMap = { ...pkg, entries: pkg.entries.filter((e) => e.key !== "include") };
  if (!inc) return result;
  if (inc.value.kind !== "seq") {
    diags.push({
      severity: "error",
      message: "'include' must be a list of file paths",
      loc: inc.value.loc,
    });
    return result;
  }
  for (const item of inc.value.items) {
    if (item.kind !== "scalar" || typeof item.value !== "string") {
      diags.push({
        severity: "error",
        message: "'include' entries must be file-path strings",
        loc: item.loc,
      });
      continue;
    }
    const path = resolve(dirname(file), item.value);
    let text: string | undefined;
    try {
      text = read(path);
    } catch (e) {
      // A FIFO, a device, a directory, an oversized or unreadable file: an error at the include entry.
      if (!(e instanceof IvpmError)) throw e;
      diags.push({
        severity: "error",
        message: e instanceof UnreadableConfigFile
          ? `Include file '${item.value}' ${e.reason}`
          : `Include file '${item.value}' cannot be read: ${e.message}`,
        loc: item.loc,
        notes: e instanceof UnreadableConfigFile ? e.notes : undefined,
      });
      continue;
    }
    if (text === undefined) {
      diags.push({
        severity: "error",
        message: `Include file '${item.value}' does not exist (resolved to ${path})`,
        loc: item.loc,
      });
      continue;
    }
    const real = realPath(path);
    if (chain.includes(real)) {
      diags.push({
        severity: "error",
        message: `Cyclic include: '${item.value}' is already on the include chain (${
          [...chain, real].join(" -> ")
        })`,
        loc: item.loc,
      });
      continue;
    }
    // Diamond: already merged through another include; merging again would duplicate lists and dep-sets.
    if (merged.has(real)) continue;
    merged.add(real);
    const parsed = parseLocated(path, text);
    diags.push(...parsed.diagnostics);
    if (parsed.diagnostics.length) continue;
    if (!parsed.root || parsed.root.kind !== "map" || !getEntry(parsed.root, "package")) {
      diags.push({
        severity: "error",
        message: `Included file has no 'package:' mapping`,
        loc: parsed.root?.loc ?? { file: path, line: 1, col: 1 },
        notes: [`included from ${file}:${item.loc.line}:${item.loc.col}`],
      });
      continue;
    }
    const body = getEntry(parsed.root, "package")!.value;
    if (body.kind !== "map") {
      diags.push({ severity: "error", message: "'package' must be a mapping", loc: body.loc });
      continue;
    }
    for (const key of ["name", "version"]) {
      const e = getEntry(body, key);
      if (e) {
        diags.push({
          severity: "error",
          message:
            `Include '${item.value}' may not set '${key}'; package identity is anchored to the root file`,
          loc: e.keyLoc,
          notes: [`root file: ${chain.length === 1 ? file : chain[0]}`],
        });
      }
    }
    const included = resolveIncludes(body, path, diags, read, [...chain, real], merged);
    result = mergeInto(result, included);
  }
  return result;
}

/** Merges `other` (an include) into `local`; local wins. */
function mergeInto(local: LMap, other: LMap): LMap {
  const entries: LEntry[] = [...local.entries];
  for (const oe of other.entries) {
    if (oe.key === "name" || oe.key === "version") continue;
    const idx = entries.findIndex((e) => e.key === oe.key);
    if (idx < 0) {
      entries.push(oe);
      continue;
    }
    const le = entries[idx];
    if (LIST_APPEND.has(oe.key) && le.value.kind === "seq" && oe.value.kind === "seq") {
      entries[idx] = { ...le, value: { ...le.value, items: [...le.value.items, ...oe.value.items] } as LSeq };
    } else if (DEEP_MERGE.has(oe.key)) {
      entries[idx] = { ...le, value: deepMerge(le.value, oe.value, false) };
    } else if (oe.key === "paths") {
      entries[idx] = { ...le, value: deepMerge(le.value, oe.value, true) };
    }
    // Any other key: adopted only if absent locally — it is present, so local wins.
  }
  return { ...local, entries };
}

function deepMerge(local: LNode, other: LNode, appendLists: boolean): LNode {
  if (local.kind === "map" && other.kind === "map") {
    const entries = [...local.entries];
    for (const oe of other.entries) {
      const idx = entries.findIndex((e) => e.key === oe.key);
      if (idx < 0) entries.push(oe);
      else entries[idx] = { ...entries[idx], value: deepMerge(entries[idx].value, oe.value, appendLists) };
    }
    return { ...local, entries };
  }
  if (appendLists && local.kind === "seq" && other.kind === "seq") {
    return { ...local, items: [...local.items, ...other.items] };
  }
  return local;
}
