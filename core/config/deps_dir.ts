/**
 * The deps directory's name, read before the full load (the project state lives there).
 *
 * @module
 */

import { resolve } from "node:path";
import { type ReadText, readTextOrUndefined, UnreadableConfigFile } from "./read_text.ts";

/** Reads the raw `deps-dir` of a project without full validation (needed to find persisted variables). */
export function peekDepsDir(dir: string, read: ReadText = readTextOrUndefined): string {
  let text: string | undefined;
  try {
    text = read(resolve(dir, "ivpm.yaml"));
  } catch (e) {
    // A FIFO, a device or an oversized file: the full load reports it, with its position.
    if (e instanceof UnreadableConfigFile) return "packages";
    throw e;
  }
  if (!text) return "packages";
  const m = /^\s+deps-dir:\s*["']?([^"'#\n]+?)["']?\s*(#.*)?$/m.exec(text);
  return m && !m[1].includes("${{") ? m[1].trim() : "packages";
}
