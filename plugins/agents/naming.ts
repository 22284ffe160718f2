/**
 * Names of the entries in `.agents/skills/`: each skill gets a list of
 * candidate names, from short to long; entries whose names collide all move to
 * their next candidate until every name is unique or a colliding entry has no
 * longer candidate; names still shared then get `-2`, `-3`, … suffixes.
 *
 * @module
 */

import { basename, relative, sep } from "node:path";

/** One skill to place. */
export interface SkillEntry {
  /** `dependency` (a package, or a Python entry point) or `project` (the project's own). */
  kind: "dependency" | "project";
  /** Package (or entry-point) name; the project directory's name for project skills. */
  owner: string;
  /** Absolute directory the skill was found under (package root, project root, or the skill dir itself). */
  root: string;
  /** Absolute skill directory (holds SKILL.md). */
  dir: string;
}

/** An entry with the name it is placed under. */
export interface NamedSkill extends SkillEntry {
  /** Entry name in the skills directories. */
  name: string;
}

/**
 * Candidate names of an entry, shortest first. A dependency's skill at the
 * package root is `[pkg]`; one at `skills/review` is `pkg-review`, then
 * `pkg-skills-review`. A project skill at `skills/review` is `review`, then
 * `skills-review`; one at the project root is named after the project directory.
 *
 * @example
 * ```ts
 * import { candidateNames } from "./naming.ts";
 * candidateNames({ kind: "dependency", owner: "uvm", root: "/p/uvm", dir: "/p/uvm/skills/review" });
 * // ["uvm-review", "uvm-skills-review"]
 * ```
 */
export function candidateNames(e: SkillEntry): string[] {
  const rel = relative(e.root, e.dir);
  const parts = rel === "" ? [] : rel.split(sep);
  if (!parts.length) return [e.kind === "project" ? basename(e.root) : e.owner];
  const out: string[] = [];
  for (let n = 1; n <= parts.length; n++) {
    const tail = parts.slice(parts.length - n).join("-");
    out.push(e.kind === "project" ? tail : `${e.owner}-${tail}`);
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts entries by (kind, owner, dir) and gives each a unique name.
 *
 * @example
 * ```ts
 * import { assignNames } from "./naming.ts";
 * const named = assignNames([
 *   { kind: "dependency", owner: "a", root: "/p/a", dir: "/p/a/x/review" },
 *   { kind: "dependency", owner: "a", root: "/p/a", dir: "/p/a/y/review" },
 * ]);
 * named.map((e) => e.name); // ["a-x-review", "a-y-review"]
 * ```
 */
export function assignNames(entries: readonly SkillEntry[]): NamedSkill[] {
  const sorted = [...entries].sort((a, b) =>
    compare(a.kind, b.kind) || compare(a.owner, b.owner) || compare(a.dir, b.dir)
  );
  const cands = sorted.map(candidateNames);
  const level = sorted.map(() => 0);
  const nameAt = (i: number) => cands[i][level[i]];
  for (;;) {
    const groups = new Map<string, number[]>();
    sorted.forEach((_, i) => groups.set(nameAt(i), [...(groups.get(nameAt(i)) ?? []), i]));
    let advanced = false;
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      for (const i of members) {
        if (level[i] < cands[i].length - 1) {
          level[i]++;
          advanced = true;
        }
      }
    }
    if (!advanced) break;
  }
  // Still shared: the first (in sort order) keeps the name, the others get -2, -3, …
  const taken = new Set(sorted.map((_, i) => nameAt(i)));
  const used = new Set<string>();
  return sorted.map((e, i) => {
    let name = nameAt(i);
    if (used.has(name)) {
      let n = 2;
      while (taken.has(`${name}-${n}`) || used.has(`${name}-${n}`)) n++;
      name = `${name}-${n}`;
    }
    used.add(name);
    return { ...e, name };
  });
}
