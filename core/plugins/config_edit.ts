/**
 * Adding and removing plugin entries in ivpm.yaml / config.yaml while keeping
 * the user's comments and formatting (npm:yaml's document API).
 *
 * @module
 */

import { isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { IvpmError } from "../errors.ts";
import type { PluginGrant } from "../handlers/registry.ts";

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
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new IvpmError(`${file} is not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  }
  const path = pathOf(file);
  let seq = doc.getIn(path) as YAMLSeq | undefined;
  if (seq !== undefined && !isSeq(seq)) throw new IvpmError(`'${path.join(".")}' in ${file} is not a list`);
  if (seq?.items.some((i) => entrySpec(i) === spec)) {
    throw new IvpmError(`${spec} is already listed in ${file}`, {
      hint: "use 'ivpm plugin update' to move its pin",
    });
  }
  const perms: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(grant)) if (v?.length) perms[`allow-${k}`] = v;
  const node = Object.keys(perms).length ? doc.createNode({ spec, ...perms }) : doc.createNode(spec);
  if (!seq) {
    doc.setIn(path, doc.createNode([]));
    seq = doc.getIn(path) as YAMLSeq;
  }
  seq.items.push(node);
  await Deno.writeTextFile(file, doc.toString());
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
  const doc = parseDocument(text);
  const seq = doc.getIn(pathOf(file)) as YAMLSeq | undefined;
  if (!seq || !isSeq(seq)) return undefined;
  const idx = seq.items.findIndex((i) => {
    const s = entrySpec(i);
    return s !== undefined && match(s);
  });
  if (idx < 0) return undefined;
  const spec = entrySpec(seq.items[idx])!;
  seq.items.splice(idx, 1);
  await Deno.writeTextFile(file, doc.toString());
  return spec;
}
