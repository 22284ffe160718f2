/**
 * SKILL.md front-matter: the `---` … `---` block a skill file must start with,
 * holding at least a non-empty `name:` and `description:`.
 *
 * @module
 */

// The block must open the file; fields are `key: value` lines (the original's
// `^(\w[\w-]*):\s*(.+)$`, kept to one line so an empty `name:` cannot swallow the next line).
const BLOCK = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const FIELD = /^([\p{L}\p{N}_][\p{L}\p{N}_-]*):[ \t]*(.+)$/gmu;

/**
 * Parses the front-matter fields of a SKILL.md text; `undefined` when the text
 * does not start with a front-matter block.
 *
 * @example
 * ```ts
 * import { parseFrontMatter } from "./front_matter.ts";
 * parseFrontMatter("---\nname: x\ndescription: y\n---\nBody\n"); // { name: "x", description: "y" }
 * ```
 */
export function parseFrontMatter(text: string): Record<string, string> | undefined {
  const m = BLOCK.exec(text.replace(/^\uFEFF/, ""));
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  for (const f of m[1].matchAll(FIELD)) fields[f[1]] = f[2].trim();
  return fields;
}

/**
 * Checks a SKILL.md file. Returns `undefined` when it is a valid skill, else
 * what is wrong with it (a phrase to follow the file's name in a warning).
 *
 * @example
 * ```ts
 * import { skillFileProblem } from "./front_matter.ts";
 * const problem = await skillFileProblem("/path/to/SKILL.md");
 * if (problem) console.log(`SKILL.md ${problem}`);
 * ```
 */
export async function skillFileProblem(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    return `cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
  const fields = parseFrontMatter(text);
  if (!fields) return "has missing or malformed front-matter";
  const missing = ["name", "description"].filter((k) => !fields[k]);
  if (missing.length) {
    return `front-matter lacks ${missing.map((k) => `'${k}'`).join(" and ")}`;
  }
  return undefined;
}
