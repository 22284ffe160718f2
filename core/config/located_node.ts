/**
 * The located tree a YAML document is parsed into (by `located.ts`): every node keeps
 * the file, line and column it came from. Plain data and helpers only — no YAML library —
 * so code that reads a parsed tree does not load the parser.
 *
 * @module
 */

import type { Diagnostic, Loc } from "../base/diagnostics.ts";

/** A scalar value with its location. */
export interface LScalar {
  kind: "scalar";
  value: string | number | boolean | null;
  loc: Loc;
  /** For a plain number, the text as written (`1.10`), so a version keeps its digits. */
  source?: string;
}

/** One `key: value` entry of a mapping. */
export interface LEntry {
  key: string;
  keyLoc: Loc;
  value: LNode;
}

/** A mapping, entries in source order. */
export interface LMap {
  kind: "map";
  entries: LEntry[];
  loc: Loc;
}

/** A sequence. */
export interface LSeq {
  kind: "seq";
  items: LNode[];
  loc: Loc;
}

/** Any located node. */
export type LNode = LScalar | LMap | LSeq;

/** Biggest ivpm.yaml accepted; real ones are a few KB, so this only stops accidents quickly. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Result of parsing: a tree, or diagnostics. */
export interface ParseResult {
  root?: LNode;
  diagnostics: Diagnostic[];
}

/** Looks up a key in a located map. */
export function getEntry(map: LMap, key: string): LEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** Converts a located node back to plain data. */
export function toPlain(node: LNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  // defineProperty: a `__proto__` key is data, not the object's prototype.
  for (const e of node.entries) {
    Object.defineProperty(out, e.key, {
      value: toPlain(e.value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
