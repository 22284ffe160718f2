/**
 * File-system steps of the agents handler: what is at a path, symbolic links
 * (relative inside the project), the copy fallback and its up-to-date check.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

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

/** Whether `path` is `dir` or below it (lexically; both absolute and normalized). */
export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
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

async function copyTree(src: string, dest: string): Promise<void> {
  const st = await Deno.stat(src); // follows links, like shutil.copytree(symlinks=False)
  if (!st.isDirectory) {
    await Deno.copyFile(src, dest);
    return;
  }
  await Deno.mkdir(dest, { recursive: true });
  for await (const e of Deno.readDir(src)) await copyTree(join(src, e.name), join(dest, e.name));
}

/**
 * Copies a skill (SKILL.md plus `scripts/`, `references/`, `assets/`) into `dest`.
 *
 * @example
 * ```ts
 * import { copySkill } from "./fs_ops.ts";
 * await copySkill("/p/packages/uvm", "/p/.agents/skills/uvm");
 * ```
 */
export async function copySkill(skillDir: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for (const name of COPIED) {
    const src = join(skillDir, name);
    if (await Deno.stat(src).then(() => true, () => false)) await copyTree(src, join(dest, name));
  }
}

async function listFiles(dir: string, base = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const st = await Deno.stat(dir).catch(() => undefined);
  if (!st) return out;
  if (!st.isDirectory) {
    out.set(base, dir);
    return out;
  }
  if (base) out.set(`${base}/`, dir);
  for await (const e of Deno.readDir(dir)) {
    for (const [k, v] of await listFiles(join(dir, e.name), base ? `${base}/${e.name}` : e.name)) {
      out.set(k, v);
    }
  }
  return out;
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
 * import { copyIsCurrent } from "./fs_ops.ts";
 * await copyIsCurrent("/p/packages/uvm", "/p/.agents/skills/uvm");
 * ```
 */
export async function copyIsCurrent(skillDir: string, dest: string): Promise<boolean> {
  const want = new Map<string, string>();
  for (const name of COPIED) {
    for (const [k, v] of await listFiles(join(skillDir, name), name)) want.set(k, v);
  }
  const have = await listFiles(dest);
  have.delete("");
  if (want.size !== have.size) return false;
  for (const [k, src] of want) {
    const dst = have.get(k);
    if (dst === undefined) return false;
    if (!k.endsWith("/") && !(await sameBytes(src, dst))) return false;
  }
  return true;
}
