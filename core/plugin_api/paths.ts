/**
 * Checking paths a handler did not compute itself. Records replayed from the last run's `ivpm.json`, an
 * exchange key, a package's own `ivpm.yaml`: each may name a path, and a handler that reads, links,
 * sources or removes it must first know it stays where it should, after symbolic links are resolved.
 *
 * @module
 */

/** Whether `path` is absolute (POSIX `/…`, Windows `C:\\…` or `\\\\server\\…`). */
function isAbsolute(path: string): boolean {
  return /^([\\/]|[A-Za-z]:[\\/])/.test(path);
}

/** The components of an absolute path with `.` and `..` applied (case kept; `\\` is a separator). */
function components(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split(/[\\/]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out;
}

/**
 * Whether the absolute path `path` is `dir` or inside it, comparing the paths as written (`..` applied).
 *
 * @example
 * ```ts
 * import { isInside } from "@ivpm/plugin";
 * isInside("/p/packages/ip/x.envrc", "/p/packages/ip"); // true
 * isInside("/p/packages/other", "/p/packages/ip"); // false
 * ```
 */
export function isInside(path: string, dir: string): boolean {
  const p = components(path), d = components(dir);
  return p.length >= d.length && d.every((c, i) => c === p[i]);
}

/**
 * The real path `path` reaches (absolute, or relative to `root`) when it exists and, with every symbolic
 * link resolved, stays inside the real `root`; `undefined` otherwise (missing, or leading out).
 *
 * @example
 * ```ts
 * import { realPathInside } from "@ivpm/plugin";
 * async function envrcOf(pkgPath: string, file: string) {
 *   const real = await realPathInside(pkgPath, file);
 *   if (!real) throw new Error(`'${file}' is not a file inside the package`);
 *   return real;
 * }
 * ```
 */
export async function realPathInside(root: string, path: string): Promise<string | undefined> {
  try {
    const realRoot = await Deno.realPath(root);
    const real = await Deno.realPath(isAbsolute(path) ? path : `${root}/${path}`);
    return isInside(real, realRoot) ? real : undefined;
  } catch {
    return undefined;
  }
}
