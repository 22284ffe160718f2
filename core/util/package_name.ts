/**
 * What a package name is. A name becomes the package's directory
 * `<deps-dir>/<name>`, so it must stay there: one or more plain path segments
 * (`libA`, or `group/lib` one directory down), none hidden (`.git`) nor another
 * name of `.git` (`GIT~1`, see {@link isGitDirName}), the first
 * not one of ivpm's own files, and never inside another package (`libA/sub`
 * when `libA` is a package). Every place a name comes from checks it here:
 * ivpm.yaml (the project's and every dependency's), lock files (`--lock-file`,
 * the workspace's, a deps-source's) and the resolver across packages.
 *
 * @module
 */

import { isGitDirName, segmentProblem } from "./path.ts";

/**
 * Names ivpm and its built-in handlers create directly in the deps dir. A package
 * of one of these names would replace that file (or be replaced by it). Compared
 * case-insensitively: on macOS and Windows `Python` is `python`.
 */
export const RESERVED_NAMES: readonly string[] = [
  // The update's own records and work areas.
  "package-lock.json",
  "ivpm.json",
  ".ivpm.lock",
  ".ivpm-staging",
  ".ivpm-placed",
  ".ivpm-sources",
  ".fusesoc-index",
  // Handler outputs.
  "python",
  "node",
  "packages.envrc",
  "modules.envrc",
  "fusesoc-cores.txt",
  "fusesoc-cores.envrc",
  "packages_activate.bat",
  "packages_activate.ps1",
];

/** Families of names ivpm creates: python requirement files, temp files of atomic writes. */
const RESERVED_PATTERNS: readonly { re: RegExp; what: string }[] = [
  { re: /^python_pkgs_[0-9]+\.txt$/i, what: "python_pkgs_<N>.txt files" },
  { re: /^(package-lock|ivpm)\.json\.tmp-/i, what: "temp files of package-lock.json and ivpm.json" },
];

/** Windows device names: `nul` or `con.txt` is not a file there. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Characters a name segment may hold (portable file names; `@` for scopes, `+` for versions). */
const SEGMENT_CHARS = /^[A-Za-z0-9_.@+-]+$/;

/**
 * Why `name` is not a valid package name, or `undefined` when it is. Checks the
 * name alone; {@link PackageNames} checks it against the other packages.
 *
 * @example
 * ```ts
 * packageNameProblem("libA");            // undefined
 * packageNameProblem("libA/.git/config"); // "'.git' is a hidden name (…)"
 * ```
 */
export function packageNameProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name.includes("\\")) return "it contains '\\' (use '/' to nest a name)";
  const segments = name.split("/");
  for (const seg of segments) {
    if (seg === "") return "it has an empty path segment (a leading, trailing or doubled '/')";
    const problem = segmentProblem(seg);
    if (problem) return segments.length > 1 ? `segment '${seg}': ${problem}` : problem;
    if (seg.startsWith(".")) {
      return `'${seg}' is a hidden name (names starting with '.' belong to ivpm and tools such as git)`;
    }
    if (isGitDirName(seg)) return `'${seg}' is git's directory '.git' on Windows file systems (a short name)`;
    if (!SEGMENT_CHARS.test(seg)) {
      return `'${seg}' holds a character other than letters, digits and _ . @ + -`;
    }
    if (seg.endsWith(".")) return `'${seg}' ends with '.' (Windows drops it)`;
    if (WINDOWS_DEVICE.test(seg)) return `'${seg}' is a device name on Windows`;
  }
  const first = segments[0];
  const reserved = reservedName(first);
  if (reserved) return `'${first}' is reserved: ivpm creates ${reserved} in the deps dir`;
  return undefined;
}

/**
 * What of ivpm's `segment` collides with (case-insensitively), as a phrase:
 * `'python'`, `python_pkgs_<N>.txt files`; undefined when none.
 */
export function reservedName(segment: string): string | undefined {
  const lower = segment.toLowerCase();
  const hit = RESERVED_NAMES.find((r) => r.toLowerCase() === lower);
  if (hit) return hit === segment ? `'${hit}'` : `'${hit}' (the same name on case-insensitive file systems)`;
  return RESERVED_PATTERNS.find((p) => p.re.test(segment))?.what;
}

/**
 * How `a` and `b` would collide as directories of the deps dir: `"same"` when they
 * name the same directory on a case-insensitive file system (and are not equal),
 * `"inside"` when one lies inside the other (`libA` and `libA/sub`), else undefined.
 */
export function nameCollision(a: string, b: string): "same" | "inside" | undefined {
  if (a === b) return undefined;
  const x = a.toLowerCase(), y = b.toLowerCase();
  if (x === y) return "same";
  if (x.startsWith(y + "/") || y.startsWith(x + "/")) return "inside";
  return undefined;
}

/** The names of one kind of package (with or without a directory), for {@link PackageNames}. */
class NameSet {
  /** Lower-cased name → the name as given. */
  readonly names = new Map<string, string>();
  /** Lower-cased proper prefix (`group` of `group/lib`) → a name below it. */
  readonly prefixes = new Map<string, string>();

  conflict(name: string): { other: string; how: "same" | "below" | "above" } | undefined {
    const lower = name.toLowerCase();
    const same = this.names.get(lower);
    if (same !== undefined && same !== name) return { other: same, how: "same" };
    const below = this.prefixes.get(lower);
    if (below !== undefined) return { other: below, how: "below" };
    const segments = lower.split("/");
    for (let i = 1; i < segments.length; i++) {
      const above = this.names.get(segments.slice(0, i).join("/"));
      if (above !== undefined) return { other: above, how: "above" };
    }
    return undefined;
  }

  add(name: string): void {
    const lower = name.toLowerCase();
    if (!this.names.has(lower)) this.names.set(lower, name);
    const segments = lower.split("/");
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i).join("/");
      if (!this.prefixes.has(prefix)) this.prefixes.set(prefix, name);
    }
  }
}

/**
 * The names of a set of packages, for finding collisions as names are added
 * (linear in the number of names, where comparing every pair would not be).
 *
 * Directory names compare case-insensitively (on macOS and Windows `LibA` is
 * `liba`). A package without a directory (pypi, npm, a module: `hasDirectory`
 * false) collides only with a package that has one — ivpm records and removes
 * packages by name, so no name may also be another package's directory — and
 * never with another package without one: `JSON` and `json` are two npm packages.
 */
export class PackageNames {
  readonly #dirs = new NameSet();
  readonly #virtual = new NameSet();

  /**
   * The added name `name` collides with (see {@link nameCollision}), with a sentence
   * saying how; undefined when none. An equal name is not a collision.
   *
   * @example
   * ```ts
   * const names = new PackageNames();
   * names.add("LibA");
   * names.conflict("liba")?.reason;      // "'liba' and 'LibA' are the same directory on …"
   * names.add("JSON", false);
   * names.conflict("json", false);        // undefined: neither has a directory
   * ```
   */
  conflict(name: string, hasDirectory = true): { other: string; reason: string } | undefined {
    const dir = this.#dirs.conflict(name);
    if (dir) return { other: dir.other, reason: reasonOf(name, dir, hasDirectory ? "both" : "other") };
    if (!hasDirectory) return undefined;
    const virtual = this.#virtual.conflict(name);
    return virtual && { other: virtual.other, reason: reasonOf(name, virtual, "mine") };
  }

  /** Adds `name` (whether or not it collides); `hasDirectory` false for a package without a directory. */
  add(name: string, hasDirectory = true): void {
    (hasDirectory ? this.#dirs : this.#virtual).add(name);
  }
}

/** Why `name` and `c.other` collide; `dirs` says which of them has a directory. */
function reasonOf(
  name: string,
  c: { other: string; how: "same" | "below" | "above" },
  dirs: "both" | "mine" | "other",
): string {
  if (dirs === "both") {
    if (c.how === "same") {
      return `'${name}' and '${c.other}' are the same directory on case-insensitive file systems`;
    }
    if (c.how === "below") return `package '${c.other}' would lie inside '${name}'`;
    return `'${name}' would lie inside package '${c.other}'`;
  }
  const withDir = dirs === "mine" ? name : c.other;
  if (c.how === "same") {
    return `'${name}' and '${c.other}' differ only in case, and '${withDir}' has a directory: ` +
      "ivpm records and removes packages by name, and could not tell them apart on case-insensitive file systems";
  }
  const inner = c.how === "below"
    ? `'${c.other}' would lie inside '${name}'`
    : `'${name}' would lie inside '${c.other}'`;
  return `${inner}, the directory of package '${withDir}'`;
}
