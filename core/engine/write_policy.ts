/**
 * Where third-party plugin code may write under the deps dir. Deno's grant says which paths a worker may
 * write; this says which of those a plugin is *entitled* to, because `packages/` holds what trusted code
 * later runs or sources (a venv's `bin/python`, `.pth` files, `packages.envrc`, a node env's `.npmrc`) and
 * ivpm's own state (`ivpm.json`, the lock). A plugin writes under `packages/` only into its own output
 * directories (`packages/.ivpm/out/<handler>/`), or inside a path its grant names explicitly that lies
 * strictly inside the deps dir (`allow-write: [packages/ip-lib/generated]`). Nothing of ivpm's own names
 * (`package-lock.json`, `ivpm.json`, `python`, `node`, hidden names) is ever writable; other files of ivpm
 * and the built-ins (`packages.envrc`, `fusesoc-cores.txt`) only when the grant names them exactly.
 *
 * @module
 */

import { join, relative, sep as SEP } from "node:path";
import { packageNameProblem } from "../util/package_name.ts";
import { isGitDirName, isWithin } from "../util/path.ts";

/** ivpm's own folder under the deps dir (removed by destroy). */
export const IVPM_DIR = ".ivpm";
/** Folder, under the deps dir, of the handlers' own output directories. */
export const OUTPUTS_DIR = join(IVPM_DIR, "out");

/** The output directory of `handler` (a plain name, checked by the registry) under `depsDir`. */
export function outputDirOf(depsDir: string, handler: string): string {
  return join(depsDir, OUTPUTS_DIR, handler);
}

/** Whether any component of `path` names git's control directory in some file system's spelling. */
export function hasGitComponent(path: string): boolean {
  return path.split(/[\\/]/).some(isGitDirName);
}

/** What a plugin worker may write: resolved (real) directories. */
export interface WritePolicy {
  /** The deps dir, symlinks resolved. */
  depsDir: string;
  /** The plugin's own output directories (one per handler), symlinks resolved. */
  outputDirs: string[];
  /** The grant's `allow-write` paths, symlinks resolved. */
  grantWrite: string[];
}

/**
 * Top-level names under the deps dir no plugin may ever write, not even through a grant that names
 * them: ivpm's own state and work areas, and the environments whose programs trusted code runs (a venv's
 * `bin/python` and `.pth` files, a node env's `.npmrc` and `bin/`). Compared case-insensitively.
 */
const NEVER_WRITABLE = new Set([
  "package-lock.json",
  "ivpm.json",
  "python",
  "node",
]);

/**
 * Why a plugin may not write `target` (a real path) under the deps dir, or `undefined` when it may.
 * Paths outside the deps dir are Deno's grant's business alone. Under it, a plugin writes into its own
 * output directories, or inside a path its grant names that lies strictly inside the deps dir (a file
 * such as `packages/fusesoc-cores.txt`, a directory of one package): a grant of the deps dir itself, or
 * of the project, opens none of it. ivpm's state, the venv, the node env and hidden names are never
 * writable.
 *
 * @example
 * ```ts
 * const policy = { depsDir: "/p/packages", outputDirs: ["/p/packages/.ivpm/out/h"], grantWrite: [] };
 * writeRefusal("/p/packages/.ivpm/out/h/report.txt", policy); // undefined
 * writeRefusal("/p/packages/python/bin/python", policy); // "…"
 * ```
 */
export function writeRefusal(target: string, policy: WritePolicy): string | undefined {
  if (!isWithin(target, policy.depsDir)) return undefined;
  if (policy.outputDirs.some((d) => isWithin(target, d))) return undefined;
  const top = relative(policy.depsDir, target).split(SEP)[0];
  if (top === "") return "it is the deps dir itself";
  if (top.startsWith(".") || NEVER_WRITABLE.has(top.toLowerCase()) || isGitDirName(top)) {
    return "it belongs to ivpm (its state, the lock, the python venv or node env, or a hidden directory)";
  }
  const granted = policy.grantWrite.some((g) =>
    isWithin(target, g) && g !== policy.depsDir && isWithin(g, policy.depsDir)
  );
  if (granted) return undefined;
  return packageNameProblem(top) === undefined
    ? `it is inside package '${top}', and the plugin's allow-write does not name it`
    : `it is '${top}', a file of ivpm or another handler, and the plugin's allow-write does not name it`;
}
