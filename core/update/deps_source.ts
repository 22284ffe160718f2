/**
 * Deps-sources: other deps directories (`--deps-source DIR`, `IVPM_DEPS_SOURCE`,
 * or automatically the main worktree's when the project is a linked git
 * worktree) whose packages are reused instead of fetched when they match.
 *
 * A match is decided from the parent's lock, without network: same source type
 * and the same request (url, branch, tag, commit, version …). `--trust-deps-source`
 * matches by name only. A hit is linked (or copied) into packages/ and recorded
 * with `from_deps_source` in the lock.
 *
 * @module
 */

import { delimiter, join, resolve } from "node:path";
import { IvpmError } from "../base/errors.ts";
import { LOCK_FILE, type LockEntry, LockNameError, readLock } from "./lock/lock_file.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import { nameCollision, packageNameProblem } from "../util/package_name.ts";

/** One parent deps dir and its lock. */
export interface DepsSourceDir {
  dir: string;
  packages: Record<string, LockEntry>;
  /** Found automatically (linked git worktree). */
  auto: boolean;
  hasLock: boolean;
}

/** Options of {@link openDepsSources}. */
export interface DepsSourceOptions {
  dirs?: string[];
  trust?: boolean;
  mode?: "link" | "copy";
  noWorktree?: boolean;
  projectDir: string;
  depsDirName: string;
  env?: Record<string, string>;
  note?: (m: string) => void;
}

/** The configured deps-sources. */
export class DepsSources {
  hits = 0;
  misses = 0;
  constructor(readonly dirs: DepsSourceDir[], readonly trust: boolean, readonly mode: "link" | "copy") {}

  /** The first parent package matching `name` and `spec`, if any. */
  async match(
    name: string,
    src: string,
    spec: Record<string, unknown>,
  ): Promise<{ path: string; entry?: LockEntry } | undefined> {
    // Names come from ivpm.yaml files and locks, checked there; checked again as this joins them to a path.
    if (packageNameProblem(name)) return this.miss();
    for (const d of this.dirs) {
      const path = join(d.dir, name);
      if (!(await lstatOrUndefined(path)) || !(await isOwnPackageDir(d, name))) continue;
      const e = Object.hasOwn(d.packages, name) ? d.packages[name] : undefined;
      if (this.trust && !d.auto) return { path: await Deno.realPath(path), entry: e };
      if (!e || e.src !== src) continue;
      const same = Object.entries(spec).every(([k, v]) =>
        JSON.stringify(v ?? null) === JSON.stringify(e[k] ?? null)
      );
      if (same) {
        this.hits++;
        return { path: await Deno.realPath(path), entry: e };
      }
    }
    return this.miss();
  }

  private miss(): undefined {
    this.misses++;
    return undefined;
  }
}

/**
 * Whether `<d.dir>/<name>` is a package of that deps dir in its own right, not a
 * directory inside another of its packages (`group/lib` where `group` is a package)
 * nor reached through a link: no package of its lock holds it, and every directory
 * above it is a plain directory that is not a package (no `.git`, no `ivpm.yaml`).
 */
async function isOwnPackageDir(d: DepsSourceDir, name: string): Promise<boolean> {
  if (Object.keys(d.packages).some((other) => other.length < name.length && nameCollision(name, other))) {
    return false;
  }
  const segments = name.split("/");
  for (let i = 1; i < segments.length; i++) {
    const above = join(d.dir, ...segments.slice(0, i));
    const st = await lstatOrUndefined(above);
    if (!st?.isDirectory) return false; // a symlink (a linked package) or a file
    for (const marker of [".git", "ivpm.yaml"]) {
      if (await lstatOrUndefined(join(above, marker))) return false;
    }
  }
  return true;
}

/** Detects a linked git worktree without running git: its `.git` is a file naming the main repository. */
async function mainWorktreeDepsDir(projectDir: string, depsDirName: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(projectDir, ".git"));
  } catch {
    return undefined; // a directory (main worktree) or no git at all
  }
  const m = /^gitdir:\s*(.+)$/m.exec(text);
  if (!m) return undefined;
  // <main>/.git/worktrees/<name> → <main>
  const gitdir = resolve(projectDir, m[1].trim());
  const parts = gitdir.split(/[\\/]/);
  const i = parts.lastIndexOf("worktrees");
  if (i < 1 || parts[i - 1] !== ".git") return undefined;
  const main = parts.slice(0, i - 1).join("/") || "/";
  if (resolve(main) === resolve(projectDir)) return undefined;
  const deps = join(main, depsDirName);
  return (await lstatOrUndefined(deps))?.isDirectory ? deps : undefined;
}

/** Opens the deps-sources an update should consult (none → undefined). */
export async function openDepsSources(o: DepsSourceOptions): Promise<DepsSources | undefined> {
  const env = o.env ?? Deno.env.toObject();
  let dirs = o.dirs?.length ? o.dirs : (env.IVPM_DEPS_SOURCE ?? "").split(delimiter).filter(Boolean);
  let auto = false;
  if (!dirs.length && !o.noWorktree) {
    const d = await mainWorktreeDepsDir(o.projectDir, o.depsDirName);
    if (d) {
      dirs = [d];
      auto = true;
      o.note?.(`git worktree detected: sourcing unchanged packages from the main worktree (${d})`);
    }
  }
  if (!dirs.length) return undefined;
  const out: DepsSourceDir[] = [];
  for (const raw of dirs) {
    const dir = resolve(o.projectDir, raw);
    const st = await lstatOrUndefined(dir);
    if (!st) throw new IvpmError(`--deps-source path is not a directory: ${dir}`, { hint: "check the path" });
    const real = await Deno.realPath(dir);
    if (!(await Deno.stat(real)).isDirectory) {
      throw new IvpmError(`--deps-source path is not a directory: ${dir}`, { hint: "check the path" });
    }
    let bad: LockNameError | undefined;
    const lock = await readLock(join(real, LOCK_FILE)).catch((e) => {
      if (e instanceof LockNameError) bad = e;
      return undefined;
    });
    if (bad) {
      // A lock naming paths outside its packages is not a deps-source to take anything from.
      o.note?.(`deps-source ${dir} is not used: ${bad.message}`);
      continue;
    }
    if (!lock && auto) {
      o.note?.(
        "  the main worktree has no package-lock.json; packages will be fetched (run 'ivpm update' there first)",
      );
    }
    out.push({ dir: real, packages: lock?.lock.packages ?? {}, auto, hasLock: !!lock });
  }
  return new DepsSources(out, !!o.trust, o.mode ?? "link");
}
