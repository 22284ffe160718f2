/**
 * Finding skill directories under one root (a package or the project): by the
 * configured glob patterns, or by the auto-probe (`SKILL.md` at the root plus
 * every `skills/**` `/SKILL.md`).
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { skillFileProblem } from "./front_matter.ts";
import { glob } from "./glob.ts";

/** Patterns of the auto-probe, used when no `skills:` patterns are configured. */
export const AUTO_PATTERNS: readonly string[] = ["SKILL.md", "skills/**/SKILL.md"];

/** What {@link findSkills} found. */
export interface FoundSkills {
  /** Absolute skill directories (each holds a valid SKILL.md), in pattern then path order. */
  dirs: string[];
  /** Warnings, each a full sentence naming `label` and the file. */
  warnings: string[];
}

/**
 * Reads a `skills:` value (consumer override or `with.agents.skills`): a list of
 * strings, `undefined` when absent, or a warning text when it has another shape.
 *
 * @example
 * ```ts
 * import { skillPatterns } from "./discover.ts";
 * skillPatterns({ skills: ["SKILL.md"] }); // ["SKILL.md"]
 * ```
 */
export function skillPatterns(block: unknown): string[] | undefined | { invalid: string } {
  if (!block || typeof block !== "object" || Array.isArray(block)) return undefined;
  const skills = (block as Record<string, unknown>).skills;
  if (skills === undefined || skills === null) return undefined;
  if (!Array.isArray(skills) || skills.some((p) => typeof p !== "string")) {
    return { invalid: "'skills' must be a list of glob patterns" };
  }
  return skills as string[];
}

/**
 * Finds skill directories under `root`. With `patterns`, each must match
 * something (else a warning) and must stay inside `root`; without, the
 * auto-probe runs silently. Every candidate SKILL.md is validated; invalid ones
 * are skipped with a warning.
 *
 * @param root Absolute package or project directory.
 * @param patterns Globs relative to `root`, or `undefined` for the auto-probe.
 * @param label How warnings name the owner, e.g. `package 'uvm'` or `project`.
 * @param skipDirs Absolute directories `**` does not descend into.
 *
 * @example
 * ```ts
 * import { findSkills } from "./discover.ts";
 * const { dirs, warnings } = await findSkills("/path/to/pkg", undefined, "package 'pkg'");
 * ```
 */
export async function findSkills(
  root: string,
  patterns: readonly string[] | undefined,
  label: string,
  skipDirs: readonly string[] = [],
): Promise<FoundSkills> {
  const dirs: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns ?? AUTO_PATTERNS) {
    const segs = pattern.split(/[\\/]/);
    if (pattern.startsWith("/") || /^[A-Za-z]:/.test(pattern) || segs.includes("..")) {
      warnings.push(`${label}: skill pattern '${pattern}' leaves the package directory; ignored`);
      continue;
    }
    const matches = await glob(root, pattern.replaceAll("\\", "/"), { skipDirs });
    if (!matches.length) {
      if (patterns) warnings.push(`${label}: skill pattern '${pattern}' matched no files`);
      continue;
    }
    for (const match of matches) {
      const path = join(root, match);
      const isDir = await Deno.stat(path).then((s) => s.isDirectory, () => false);
      // A pattern may name the skill directory itself instead of its SKILL.md.
      const file = isDir ? join(path, "SKILL.md") : path;
      const rel = isDir ? `${match}/SKILL.md` : match;
      if (basename(file) !== "SKILL.md") {
        warnings.push(`${label}: ${match} is not a SKILL.md file; skipped`);
        continue;
      }
      const dir = dirname(file);
      if (seen.has(dir)) continue;
      seen.add(dir);
      const problem = await skillFileProblem(file);
      if (problem) {
        warnings.push(`${label}: ${rel} ${problem}; skipped`);
        continue;
      }
      dirs.push(dir);
    }
  }
  return { dirs, warnings };
}
