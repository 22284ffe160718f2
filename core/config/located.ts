/**
 * A YAML document as a small tree of located nodes. Every node keeps the file,
 * line and column it came from, so merges (`include:`), variable substitution and
 * validation can all report exact positions.
 *
 * @module
 */

import {
  type Alias,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
} from "yaml";
import type { Diagnostic, Loc } from "../ui/diagnostics.ts";
import { registerSource } from "../ui/diagnostics.ts";

/** A scalar value with its location. */
export interface LScalar {
  kind: "scalar";
  value: string | number | boolean | null;
  loc: Loc;
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
/** Upper bound on nodes after alias expansion (stops "billion laughs" documents). */
const MAX_NODES = 200_000;

/** Result of parsing: a tree, or diagnostics. */
export interface ParseResult {
  root?: LNode;
  diagnostics: Diagnostic[];
}

/** Looks up a key in a located map. */
export function getEntry(map: LMap, key: string): LEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** Human name for a node kind, used in type errors. */
export function kindName(node: LNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  const v = node.value;
  if (v === null) return "null";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "number") return "a number";
  return "a string";
}

/** Converts a located node back to plain data. */
export function toPlain(node: LNode): unknown {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toPlain(e.value);
  return out;
}

/** Parses YAML text into a located tree, reporting every syntax error with its position. */
export function parseLocated(file: string, text: string): ParseResult {
  registerSource(file, text);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_FILE_BYTES) {
    return {
      diagnostics: [{
        severity: "error",
        message: `file is too large (${(bytes / 1048576).toFixed(1)} MB; ivpm.yaml files are limited to ${
          MAX_FILE_BYTES / 1048576
        } MB)`,
        loc: { file, line: 1, col: 1 },
        notes: ["split large dependency lists with 'include:' or check that this is the right file"],
      }],
    };
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number | undefined): Loc => {
    const p = lc.linePos(offset ?? 0);
    return { file, line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    diagnostics.push({ severity: "error", message: yamlMessage(e.message, e.code), loc: at(e.pos[0]) });
  }
  if (diagnostics.length) return { diagnostics };
  if (doc.contents === null) return { diagnostics };

  let count = 0;
  const convert = (node: Node | null | undefined, fallback: Loc, depth: number): LNode => {
    if (++count > MAX_NODES || depth > 200) {
      throw new TooLarge(fallback);
    }
    if (node === null || node === undefined) return { kind: "scalar", value: null, loc: fallback };
    if (isAlias(node)) {
      const target = (node as Alias).resolve(doc);
      return convert(target as Node | undefined, at(node.range?.[0]), depth + 1);
    }
    const loc = node.range ? at(node.range[0]) : fallback;
    if (isMap(node)) {
      const entries: LEntry[] = [];
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const keyNode = item.key as Node | null;
        const keyLoc = keyNode && keyNode.range ? at(keyNode.range[0]) : loc;
        let key: string;
        if (isScalar(keyNode)) key = String((keyNode as Scalar).value);
        else {
          diagnostics.push({ severity: "error", message: "mapping keys must be plain strings", loc: keyLoc });
          continue;
        }
        const valueNode = item.value as Node | null;
        // An empty value (`key:`) has no range of its own; point at the key.
        const valueLoc = valueNode && valueNode.range && valueNode.range[0] !== valueNode.range[1]
          ? at(valueNode.range[0])
          : keyLoc;
        entries.push({ key, keyLoc, value: convert(valueNode, valueLoc, depth + 1) });
      }
      return { kind: "map", entries, loc };
    }
    if (isSeq(node)) {
      return { kind: "seq", items: node.items.map((i) => convert(i as Node, loc, depth + 1)), loc };
    }
    if (isScalar(node)) {
      const v = (node as Scalar).value;
      const value = v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? v
        : String(v);
      return { kind: "scalar", value, loc };
    }
    return { kind: "scalar", value: null, loc };
  };
  try {
    const root = convert(doc.contents as Node, { file, line: 1, col: 1 }, 0);
    return { root, diagnostics };
  } catch (e) {
    if (e instanceof TooLarge) {
      return {
        diagnostics: [{
          severity: "error",
          message: "document expands to too many nodes (YAML aliases nested too deeply?)",
          loc: e.loc,
          notes: ["ivpm.yaml files rarely need aliases; write the values out"],
        }],
      };
    }
    throw e;
  }
}

class TooLarge extends Error {
  constructor(readonly loc: Loc) {
    super("too large");
  }
}

function yamlMessage(message: string, code: string): string {
  // npm:yaml messages carry a position suffix and code-like wording; keep the first sentence.
  const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").trim();
  if (code === "DUPLICATE_KEY") return first.replace(/^Map keys must be unique/, "duplicate key");
  return first.charAt(0).toLowerCase() + first.slice(1);
}
