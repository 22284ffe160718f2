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
  visit,
} from "yaml";
import type { Diagnostic, Loc } from "../base/diagnostics.ts";
import { registerSource } from "../base/diagnostics.ts";

export {
  getEntry,
  type LEntry,
  type LMap,
  type LNode,
  type LScalar,
  type LSeq,
  MAX_FILE_BYTES,
  type ParseResult,
  toPlain,
} from "./located_node.ts";
import { type LEntry, type LNode, MAX_FILE_BYTES, type ParseResult } from "./located_node.ts";

/** Upper bound on nodes after alias expansion (stops "billion laughs" documents). */
const MAX_NODES = 200_000;
/** Deepest nesting accepted (real files nest about 6 levels). */
const MAX_DEPTH = 100;

/** Parses YAML text into a located tree, reporting every syntax error with its position. */
export function parseLocated(file: string, text: string): ParseResult {
  registerSource(file, text);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_FILE_BYTES) {
    return {
      diagnostics: [{
        severity: "error",
        message: `File is too large (${(bytes / 1048576).toFixed(1)} MB; ivpm.yaml files are limited to ${
          MAX_FILE_BYTES / 1048576
        } MB)`,
        loc: { file, line: 1, col: 1 },
        notes: ["split large dependency lists with 'include:' or check that this is the right file"],
      }],
    };
  }
  const lc = new LineCounter();
  const at = (offset: number | undefined): Loc => {
    const p = lc.linePos(offset ?? 0);
    return { file, line: p.line, col: p.col };
  };
  // Binary files decode to U+FFFD (invalid UTF-8) or contain NULs; YAML would read them as one odd scalar.
  const bad = badCharacter(text);
  if (bad) {
    const before = text.slice(0, bad.index);
    const line = before.split("\n").length;
    const col = bad.index - before.lastIndexOf("\n");
    return { diagnostics: [{ severity: "error", message: bad.message, loc: { file, line, col } }] };
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const diagnostics: Diagnostic[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const offset = errorOffset(text, e.pos[0], e.code, e.message);
    diagnostics.push({
      severity: "error",
      message: yamlMessage(e.message, e.code, text, offset),
      loc: at(offset),
    });
  }
  if (diagnostics.length) return { diagnostics };
  if (doc.contents === null) return { diagnostics };

  let targets: Map<Alias, Node>;
  try {
    targets = aliasTargets(doc);
  } catch (e) {
    // visit() recurses; a document nested deeper than the stack allows is refused, not a crash.
    if (!(e instanceof RangeError)) throw e;
    return { diagnostics: [{ severity: "error", message: "Nesting is too deep to parse", loc: at(0) }] };
  }
  let count = 0;
  const onPath = new Set<Node>();
  const convert = (node: Node | null | undefined, fallback: Loc, depth: number): LNode => {
    if (++count > MAX_NODES) throw new TooLarge(fallback, "many");
    if (depth > MAX_DEPTH) throw new TooLarge(fallback, "deep");
    if (node === null || node === undefined) return { kind: "scalar", value: null, loc: fallback };
    if (isAlias(node)) {
      const aloc = node.range ? at(node.range[0]) : fallback;
      const target = targets.get(node as Alias);
      if (!target) throw new Invalid(aloc, `Unknown YAML alias '*${(node as Alias).source}'`);
      if (onPath.has(target)) {
        throw new Invalid(aloc, `YAML alias '*${(node as Alias).source}' refers to a node that contains it`);
      }
      return convert(target, aloc, depth + 1);
    }
    const loc = node.range ? at(node.range[0]) : fallback;
    onPath.add(node);
    try {
      if (isMap(node)) {
        const entries: LEntry[] = [];
        for (const item of node.items) {
          if (!isPair(item)) continue;
          const keyNode = item.key as Node | null;
          const keyLoc = keyNode && keyNode.range ? at(keyNode.range[0]) : loc;
          const keyValue = isScalar(keyNode) ? (keyNode as Scalar).value : undefined;
          if (keyValue === undefined || keyValue === null || typeof keyValue === "object") {
            diagnostics.push({
              severity: "error",
              message: "Mapping keys must be plain strings",
              loc: keyLoc,
            });
            continue;
          }
          const key =
            isScalar(keyNode) && (keyNode as Scalar).source !== undefined && typeof keyValue === "number"
              ? String((keyNode as Scalar).source)
              : String(keyValue);
          if (key === "<<" && (keyNode as Scalar).type === "PLAIN") {
            diagnostics.push({
              severity: "error",
              message: "YAML merge keys ('<<') are not supported in ivpm.yaml",
              loc: keyLoc,
              notes: ["write the keys out, or use 'include:' to share parts of a package"],
            });
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
        const sc = node as Scalar;
        const v = sc.value;
        if (typeof v === "number") {
          if (!Number.isFinite(v)) throw new Invalid(loc, `Unsupported number '${sc.source ?? v}'`);
          return typeof sc.source === "string" && sc.type === "PLAIN"
            ? { kind: "scalar", value: v, loc, source: sc.source }
            : { kind: "scalar", value: v, loc };
        }
        if (v === null || typeof v === "string" || typeof v === "boolean") {
          return { kind: "scalar", value: v, loc };
        }
        throw new Invalid(
          loc,
          `Unsupported YAML value${sc.tag ? ` (tag ${sc.tag.replace("tag:yaml.org,2002:", "!!")})` : ""}`,
        );
      }
      return { kind: "scalar", value: null, loc };
    } finally {
      onPath.delete(node);
    }
  };
  try {
    const root = convert(doc.contents as Node, { file, line: 1, col: 1 }, 0);
    return { root, diagnostics };
  } catch (e) {
    if (e instanceof TooLarge) {
      return {
        diagnostics: [{
          severity: "error",
          message: e.why === "deep"
            ? `Nesting is too deep (more than ${MAX_DEPTH} levels)`
            : `Document expands to too many nodes (more than ${MAX_NODES}; YAML aliases nested too deeply?)`,
          loc: e.loc,
          notes: e.why === "deep" ? undefined : ["ivpm.yaml files rarely need aliases; write the values out"],
        }],
      };
    }
    if (e instanceof Invalid) {
      return { diagnostics: [...diagnostics, { severity: "error", message: e.message, loc: e.loc }] };
    }
    throw e;
  }
}

/** The first character YAML does not allow (or that shows the file is binary), if any. */
function badCharacter(text: string): { index: number; message: string } | undefined {
  // A NUL or an undecodable byte anywhere means binary (or not UTF-8): say so rather than name one byte.
  const binary = [text.indexOf("\u0000"), text.indexOf("\ufffd")].filter((i) => i >= 0);
  if (binary.length) {
    return { index: Math.min(...binary), message: "File is not valid UTF-8 text (is it a binary file?)" };
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c !== 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    const code = c.toString(16).toUpperCase().padStart(4, "0");
    return { index: i, message: `Control character U+${code} is not allowed in YAML` };
  }
  return undefined;
}

/** Maps each alias to its anchor (the last one of that name before it), in one pass over the document. */
function aliasTargets(doc: ReturnType<typeof parseDocument>): Map<Alias, Node> {
  // Alias.resolve() walks the whole document per call, which is quadratic for alias-heavy files.
  const out = new Map<Alias, Node>();
  const anchors = new Map<string, Node>();
  visit(doc, {
    Node: (_k, node) => {
      if (isAlias(node)) {
        const t = anchors.get(node.source);
        if (t) out.set(node, t);
      } else if ((node as { anchor?: string }).anchor) anchors.set((node as { anchor: string }).anchor, node);
    },
  });
  return out;
}

class TooLarge extends Error {
  constructor(readonly loc: Loc, readonly why: "many" | "deep") {
    super("too large");
  }
}

class Invalid extends Error {
  constructor(readonly loc: Loc, message: string) {
    super(message);
  }
}

/** Moves a library error position to where a reader would look: the opening quote, or the first non-blank. */
function errorOffset(text: string, offset: number, code: string, message: string): number {
  const quote = /Missing closing (["'])quote/.exec(message);
  if (code === "MISSING_CHAR" && quote) {
    const open = text.lastIndexOf(quote[1], offset - 1);
    if (open >= 0) return open;
  }
  let o = offset;
  while (text[o] === " ") o++;
  return o < text.length && text[o] !== "\n" && text[o] !== "\r" ? o : offset;
}

function yamlMessage(message: string, code: string, text: string, offset: number): string {
  // npm:yaml messages carry a position suffix and library wording; keep the first sentence, in our words.
  const first = message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").trim();
  switch (code) {
    case "DUPLICATE_KEY": {
      const key = /^[^\s:#,\[\]{}]+|^"[^"]*"|^'[^']*'/.exec(text.slice(offset))?.[0];
      return key
        ? `Duplicate key ${key.startsWith("'") || key.startsWith('"') ? key : `'${key}'`}`
        : "Duplicate key";
    }
    case "MULTIPLE_DOCS":
      return "The file must hold a single YAML document (found a second '---')";
    case "RESOURCE_EXHAUSTION":
      return "Nesting is too deep to parse";
    case "TAG_RESOLVE_FAILED":
      return `Unsupported YAML tag${
        /: (.+)$/.exec(first) ? ` '${/: (.+)$/.exec(first)![1].replace("tag:yaml.org,2002:", "!!")}'` : ""
      }`;
  }
  return first.charAt(0).toUpperCase() + first.slice(1);
}
