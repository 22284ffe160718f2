/**
 * File-system steps of the agents handler: what is at a path, symbolic links
 * (relative inside the project), the copy fallback (which never follows a link
 * out of the skill's package) and its up-to-date check.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { isInside } from "@ivpm/plugin";

/** What a path is, without following a final symbolic link. */
export type PathKind = "missing" | "symlink" | "dir" | "file";

/** Files and directories the copy fallback takes from a skill directory. */
export const COPIED: readonly string[] = ["SKILL.md", "scripts", "references", "assets"];

/**
 * What is at `path` (a symbolic link is reported as such, whatever it points to).
 *
 * @example
 * ```ts
 * import { pathKind } from "./fs_ops.ts";
 * await pathKind("/tmp"); // "dir"
 * ```
 */
export async function pathKind(path: string): Promise<PathKind> {
  try {
    const st = await Deno.lstat(path);
    return st.isSymlink ? "symlink" : st.isDirectory ? "dir" : "file";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw e;
  }
}

/**
 * Text of the link placed in `linkDir` for `skillDir`: relative when the skill
 * lives inside the project (the project can move), else absolute.
 *
 * @example
 * ```ts
 * import { linkText } from "./fs_ops.ts";
 * linkText("/p/.agents/skills", "/p/packages/uvm", "/p"); // "../../packages/uvm"
 * ```
 */
export function linkText(linkDir: string, skillDir: string, projectDir: string): string {
  return isInside(skillDir, projectDir) ? relative(linkDir, skillDir) || "." : skillDir;
}

/**
 * Where the symbolic link at `path` points, resolved lexically against its directory.
 *
 * @example
 * ```ts
 * import { linkTarget } from "./fs_ops.ts";
 * const target = await linkTarget("/p/.agents/skills/uvm");
 * ```
 */
export async function linkTarget(path: string): Promise<string> {
  const text = await Deno.readLink(path);
  return isAbsolute(text) ? resolve(text) : resolve(dirname(path), text);
}

/**
 * Whether symbolic links can be made in `dir`, by making and removing
 * `.ivpm_symlink_probe` there.
 *
 * @example
 * ```ts
 * import { symlinksSupported } from "./fs_ops.ts";
 * await symlinksSupported("/p/.agents/skills");
 * ```
 */
export async function symlinksSupported(dir: string): Promise<boolean> {
  const probe = join(dir, ".ivpm_symlink_probe");
  await Deno.remove(probe).catch(() => {});
  try {
    await Deno.symlink(".", probe);
  } catch {
    return false;
  }
  await Deno.remove(probe).catch(() => {});
  return true;
}

/** One thing a copy holds: a directory (no `src`) or a regular file copied from `src`. */
export interface CopyItem {
  /** Path inside the copy, `/`-separated. */
  rel: string;
  /** Real path of the file to copy; absent for a directory. */
  src?: string;
}

/** What copying a skill takes, decided before anything is written. */
export interface CopyPlan {
  /** Directories and files to create, each directory before what it holds. */
  items: CopyItem[];
  /** Why parts of the skill are left out (a sentence each, naming the path). */
  skipped: string[];
  /** False when the skill directory or its SKILL.md cannot be copied: the skill is not placed. */
  usable: boolean;
}

/**
 * Plans the copy of a skill (SKILL.md plus `scripts/`, `references/`, `assets/`).
 * A symbolic link is followed only when its target stays inside `packageRoot`
 * (both resolved with realPath): then its content is copied, as the copy fallback
 * runs where links cannot be made. A link leaving the package, a dangling one, one
 * to a directory it is inside of (a loop) and anything that is neither a regular
 * file nor a directory are left out, each with a line in `skipped`.
 *
 * @example
 * ```ts
 * import { planSkillCopy } from "./fs_ops.ts";
 * const plan = await planSkillCopy("/p/packages/uvm/skills/run", "/p/packages/uvm");
 * ```
 */
export async function planSkillCopy(skillDir: string, packageRoot: string): Promise<CopyPlan> {
  const items: CopyItem[] = [];
  const skipped: string[] = [];
  const root = await Deno.realPath(packageRoot).catch(() => resolve(packageRoot));
  const top = await Deno.realPath(skillDir).catch(() => undefined);
  if (top === undefined || !isInside(top, root)) {
    skipped.push(
      `${skillDir} resolves outside its package (to ${top ?? "nothing"}); the skill is not placed`,
    );
    return { items, skipped, usable: false };
  }
  // `path` is real up to its last component; `chain` holds the real directories being copied.
  const visit = async (path: string, rel: string, chain: string[]): Promise<void> => {
    const st = await Deno.lstat(path).catch(() => undefined);
    if (!st) return;
    const shown = join(skillDir, rel);
    let real = path;
    let info: Deno.FileInfo = st;
    if (st.isSymlink) {
      const target = await Deno.realPath(path).catch(() => undefined);
      if (target === undefined) {
        skipped.push(`${shown} is a dangling symbolic link; not copied`);
        return;
      }
      if (!isInside(target, root)) {
        skipped.push(`${shown} links outside its package (to ${target}); not copied`);
        return;
      }
      real = target;
      info = await Deno.stat(real);
    }
    if (info.isFile) {
      items.push({ rel, src: real });
      return;
    }
    if (!info.isDirectory) {
      skipped.push(`${shown} is not a regular file or directory; not copied`);
      return;
    }
    if (chain.some((dir) => isInside(dir, real))) {
      skipped.push(`${shown} links to a directory that contains it; not copied`);
      return;
    }
    items.push({ rel });
    const names: string[] = [];
    for await (const e of Deno.readDir(real)) names.push(e.name);
    for (const name of names.sort()) await visit(join(real, name), `${rel}/${name}`, [...chain, real]);
  };
  for (const name of COPIED) await visit(join(top, name), name, [top]);
  const usable = items.some((i) => i.rel === "SKILL.md" && i.src !== undefined);
  if (!usable) skipped.push(`${join(skillDir, "SKILL.md")} cannot be copied, so the skill is not placed`);
  return { items, skipped, usable };
}

/**
 * Writes the copy a {@link planSkillCopy} plan describes into `dest`.
 *
 * @example
 * ```ts
 * import { copySkill, planSkillCopy } from "./fs_ops.ts";
 * await copySkill(await planSkillCopy("/p/packages/uvm", "/p/packages/uvm"), "/p/.agents/skills/uvm");
 * ```
 */
export async function copySkill(plan: CopyPlan, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for (const item of plan.items) {
    const to = join(dest, ...item.rel.split("/"));
    if (item.src === undefined) await Deno.mkdir(to, { recursive: true });
    else await Deno.copyFile(item.src, to);
  }
}

/** Every entry under `dir` (`rel/` for a directory, `rel!` for anything else but a file), not following links. */
async function listCopy(dir: string, base: string, out: Map<string, string>): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const rel = base ? `${base}/${e.name}` : e.name;
    const path = join(dir, e.name);
    if (e.isDirectory) {
      out.set(`${rel}/`, path);
      await listCopy(path, rel, out);
    } else out.set(e.isFile ? rel : `${rel}!`, path);
  }
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Whether the copy at `dest` holds exactly what {@link copySkill} would put there.
 *
 * @example
 * ```ts
 * import { copyIsCurrent, planSkillCopy } from "./fs_ops.ts";
 * await copyIsCurrent(await planSkillCopy("/p/packages/uvm", "/p/packages/uvm"), "/p/.agents/skills/uvm");
 * ```
 */
export async function copyIsCurrent(plan: CopyPlan, dest: string): Promise<boolean> {
  const have = new Map<string, string>();
  try {
    await listCopy(dest, "", have);
  } catch {
    return false;
  }
  if (have.size !== plan.items.length) return false;
  for (const item of plan.items) {
    const dst = have.get(item.src === undefined ? `${item.rel}/` : item.rel);
    if (dst === undefined) return false;
    if (item.src !== undefined && !(await sameBytes(item.src, dst))) return false;
  }
  return true;
}
