/**
 * Finds the project a command works on, as git and cargo do: the nearest directory upward holding an
 * `ivpm.yaml` — unless that directory is itself a package inside an enclosing project's deps dir
 * (`packages/libD` has its own ivpm.yaml), in which case the enclosing project is meant.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The deps dir a project declares (`deps-dir:`), read cheaply from its text; default `packages`. */
function depsDirOf(project: string): string {
  try {
    const m = Deno.readTextFileSync(join(project, "ivpm.yaml")).match(/^\s*deps-dir:\s*["']?([^"'#\s]+)/m);
    return m ? m[1] : "packages";
  } catch {
    return "packages";
  }
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * The project directory for a command run in `start` (an explicit `-p` is used as given, not searched).
 * Without any `ivpm.yaml` upward, `start` itself (the command then reports the missing file).
 *
 * @example
 * ```ts ignore
 * findProjectDir("/work/soc/packages/libD/src"); // "/work/soc" when libD is a package of soc
 * ```
 */
export function findProjectDir(start: string): string {
  const projects: string[] = [];
  for (let dir = resolve(start);; dir = dirname(dir)) {
    if (isFile(join(dir, "ivpm.yaml"))) projects.push(dir);
    if (dirname(dir) === dir) break;
  }
  if (!projects.length) return resolve(start);
  // Nearest first; a project inside an enclosing project's deps dir defers to the enclosing one.
  let chosen = projects[0];
  for (const outer of projects.slice(1)) {
    if (inside(chosen, resolve(outer, depsDirOf(outer)))) chosen = outer;
  }
  return chosen;
}

/**
 * The project directory for a command's `-p/--project-dir` option: as given, else searched upward from
 * the current directory.
 *
 * @example
 * ```ts ignore
 * projectDirOption(undefined); // found upward from Deno.cwd()
 * ```
 */
export function projectDirOption(projectDir: string | undefined, cwd: string = Deno.cwd()): string {
  return projectDir !== undefined ? resolve(cwd, projectDir) : findProjectDir(cwd);
}
