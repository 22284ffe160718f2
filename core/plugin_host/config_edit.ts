/**
 * Adding and removing plugin entries in ivpm.yaml / config.yaml while keeping
 * the user's comments and formatting. The edit is a splice of the source text
 * at the positions npm:yaml reports (every other byte stays as written); only
 * layouts a splice cannot handle (flow collections, odd indentation) go through
 * the document API, which keeps comments but re-renders the file.
 *
 * @module
 */

import YAML, { type Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { IvpmError } from "../base/errors.ts";
import type { PluginGrant } from "../engine/registry.ts";

type Range = [number, number, number];
type Item = string | Record<string, unknown>;

function entrySpec(item: unknown): string | undefined {
  if (isScalar(item)) return String(item.value);
  if (isMap(item)) {
    const v = (item as YAMLMap).get("spec");
    return v === undefined ? undefined : String(v);
  }
  return undefined;
}

function pathOf(file: string): string[] {
  return file.endsWith("ivpm.yaml") ? ["package", "plugins"] : ["plugins"];
}

function parse(file: string, text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new IvpmError(`${file} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  }
  return doc;
}

/** The specs listed at `path` (undefined when the list is absent or not a list). */
function listedSpecs(doc: Document, path: string[]): (string | undefined)[] | undefined {
  const seq = doc.getIn(path, true);
  return isSeq(seq) ? seq.items.map(entrySpec) : undefined;
}

/** The specs of the plugin entries in a config file (empty when it is missing). */
export async function listedPluginSpecs(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    return [];
  }
  return (listedSpecs(parse(file, text), pathOf(file)) ?? []).filter((s): s is string => s !== undefined);
}

/** Adds a plugin entry (a plain spec, or a mapping when permissions are granted). */
export async function addPluginEntry(file: string, spec: string, grant: PluginGrant): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(file);
  } catch {
    if (file.endsWith("ivpm.yaml")) {
      throw new IvpmError(`no ivpm.yaml at ${file}`, {
        hint: "run 'ivpm init' first, or use --user / --site",
      });
    }
  }
  const doc = parse(file, text);
  const path = pathOf(file);
  const seq = doc.getIn(path, true);
  const empty = seq === undefined || seq === null || (isScalar(seq) && seq.value === null); // `plugins:`
  if (!empty && !isSeq(seq)) {
    throw new IvpmError(`'${path.join(".")}' in ${file} is not a list`);
  }
  if (isSeq(seq) && seq.items.some((i) => entrySpec(i) === spec)) {
    throw new IvpmError(`${spec} is already listed in ${file}`, {
      hint: "use 'ivpm plugin update' to move its pin",
    });
  }
  const perms: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(grant)) if (v?.length) perms[`allow-${k}`] = v;
  const item: Item = Object.keys(perms).length ? { spec, ...perms } : spec;
  const before = listedSpecs(doc, path) ?? [];
  let next = spliceAdd(text, doc, path, item);
  if (next === undefined || !sameList(next, path, [...before, spec])) next = documentAdd(doc, path, item);
  await Deno.mkdir(dirnameOf(file), { recursive: true });
  await Deno.writeTextFile(file, next);
}

/** Removes the entry whose spec matches; returns the removed spec (undefined when none matched). */
export async function removePluginEntry(
  file: string,
  match: (spec: string) => boolean,
): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    return undefined;
  }
  const doc = parse(file, text);
  const path = pathOf(file);
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) return undefined;
  const idx = seq.items.findIndex((i) => {
    const s = entrySpec(i);
    return s !== undefined && match(s);
  });
  if (idx < 0) return undefined;
  const spec = entrySpec(seq.items[idx])!;
  const after = seq.items.map(entrySpec).filter((_, i) => i !== idx);
  let next = spliceRemove(text, doc, path, idx);
  if (next === undefined || !sameList(next, path, after.length ? after : undefined)) {
    if (after.length) seq.items.splice(idx, 1);
    else doc.deleteIn(path);
    next = doc.toString();
  }
  await Deno.writeTextFile(file, next);
  return spec;
}

/**
 * Rewrites the spec of the entry listing `from` to `to` (e.g. a new caret range),
 * splicing only that scalar; returns false when no entry lists `from`.
 */
export async function replacePluginSpec(file: string, from: string, to: string): Promise<boolean> {
  const text = await Deno.readTextFile(file);
  const doc = parse(file, text);
  const path = pathOf(file);
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) return false;
  const idx = seq.items.findIndex((i) => entrySpec(i) === from);
  if (idx < 0) return false;
  const item = seq.items[idx];
  const node = isMap(item) ? (item as YAMLMap).get("spec", true) : item;
  const range = rangeOf(node);
  const after = seq.items.map(entrySpec).map((s, i) => i === idx ? to : s);
  let next: string | undefined;
  if (range) {
    const quoted = /^["']/.test(text.slice(range[0], range[1]));
    next = text.slice(0, range[0]) + (quoted ? JSON.stringify(to) : to) + text.slice(range[1]);
  }
  if (next === undefined || !sameList(next, path, after)) {
    if (isMap(item)) (item as YAMLMap).set("spec", to);
    else seq.items[idx] = doc.createNode(to);
    next = doc.toString();
  }
  await Deno.writeTextFile(file, next);
  return true;
}

function dirnameOf(file: string): string {
  return file.replace(/[\\/][^\\/]*$/, "") || ".";
}

/** Whether `text` parses and lists exactly `specs` at `path` (undefined = no list). */
function sameList(text: string, path: string[], specs: (string | undefined)[] | undefined): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length) return false;
  const got = listedSpecs(doc, path);
  return JSON.stringify(got) === JSON.stringify(specs);
}

function eolOf(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

/** Position just past the line holding the character before `pos` (so `pos` at a line start stays). */
function lineEndAfter(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const nl = text.indexOf("\n", pos);
  return nl < 0 ? text.length : nl + 1;
}

/** YAML of `value` as block lines, each prefixed by `indent`. */
function block(value: unknown, indent: string, eol: string): string {
  return YAML.stringify(value).trimEnd().split("\n").map((l) => indent + l).join(eol) + eol;
}

function rangeOf(node: unknown): Range | undefined {
  return (node as { range?: Range } | null)?.range ?? undefined;
}

/** Inserts `item` by splicing the text; undefined when the layout needs the document API. */
function spliceAdd(text: string, doc: Document, path: string[], item: Item): string | undefined {
  const eol = eolOf(text);
  const at = (pos: number, insert: string) => {
    const head = text.slice(0, pos);
    const sep = head.length && !head.endsWith("\n") ? eol : "";
    return head + sep + insert + text.slice(pos);
  };
  const seq = doc.getIn(path, true);
  if (seq !== undefined && seq !== null && !isSeq(seq)) return undefined;
  if (isSeq(seq)) {
    const range = rangeOf(seq);
    if (!range) return undefined;
    if ((seq as YAMLSeq).flow) {
      // `plugins: [a, b]` stays a flow list; JSON is valid YAML flow syntax.
      const inner = text.slice(range[0] + 1, range[1] - 1).trim();
      const added = JSON.stringify(item);
      return text.slice(0, range[0]) + `[${inner ? `${inner}, ` : ""}${added}]` + text.slice(range[1]);
    }
    const last = seq.items.at(-1);
    const lastRange = rangeOf(last);
    if (!lastRange) return undefined;
    const prefix = text.slice(lineStart(text, lastRange[0]), lastRange[0]);
    const m = /^( *)- +$/.exec(prefix);
    if (!m) return undefined;
    return at(lineEndAfter(text, lastRange[1]), block([item], m[1], eol));
  }
  const key = path[path.length - 1];
  if (path.length === 1) {
    const root = doc.contents;
    if (root !== null && !(isMap(root) && !(root as YAMLMap).flow)) return undefined;
    return at(text.length, block({ [key]: [item] }, "", eol));
  }
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent) || (parent as YAMLMap).flow || !parent.items.length) return undefined;
  const firstKey = rangeOf(parent.items[0].key);
  if (!firstKey) return undefined;
  const indent = text.slice(lineStart(text, firstKey[0]), firstKey[0]);
  if (!/^ *$/.test(indent)) return undefined;
  // Plugins go right after `name:` (near the top, where readers look); else at the end of the map.
  const name = parent.items.find((p) => isScalar(p.key) && p.key.value === "name");
  const anchor = name && isScalar(name.value) ? rangeOf(name.value) : rangeOf(parent);
  if (!anchor) return undefined;
  return at(lineEndAfter(text, anchor[1]), block({ [key]: [item] }, indent, eol));
}

/** Removes item `idx` by splicing the text (the whole key when it was the last); undefined when it cannot. */
function spliceRemove(text: string, doc: Document, path: string[], idx: number): string | undefined {
  const seq = doc.getIn(path, true) as YAMLSeq;
  if (seq.flow) return undefined;
  const itemRange = rangeOf(seq.items[idx]);
  if (!itemRange) return undefined;
  const start = lineStart(text, itemRange[0]);
  if (!/^ *- +$/.test(text.slice(start, itemRange[0]))) return undefined;
  const end = lineEndAfter(text, itemRange[1]);
  if (seq.items.length > 1) return text.slice(0, start) + text.slice(end);
  // The last entry: drop the key too, rather than leave `plugins:` with nothing (or `[]`).
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => p.value === seq);
  const keyRange = rangeOf(pair?.key);
  if (!keyRange) return undefined;
  const keyStart = lineStart(text, keyRange[0]);
  if (!/^ *$/.test(text.slice(keyStart, keyRange[0]))) return undefined;
  return text.slice(0, keyStart) + text.slice(end);
}

/** The document-API fallback (keeps comments, re-renders formatting). */
function documentAdd(doc: Document, path: string[], item: Item): string {
  let seq = doc.getIn(path, true) as YAMLSeq | undefined;
  if (!isSeq(seq)) {
    doc.setIn(path, doc.createNode([]));
    seq = doc.getIn(path, true) as YAMLSeq;
  }
  seq.items.push(doc.createNode(item));
  return doc.toString();
}
