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
import { getEntry, type LEntry, type LMap, type LNode, type LSeq, parseLocated } from "./located.ts";

export { type ReadText, readTextOrUndefined, UnreadableConfigFile } from "./read_text.ts";
import { type ReadText, readTextOrUndefined, UnreadableConfigFile } from "./read_text.ts";

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
