/**
 * What handlers see of a package: plain, serialisable data, identical in leaf
 * workers and in the root pass.
 *
 * @module
 */

/**
 * A content type attached to a package (`type: python` or `type: {python: {editable: false}}`).
 *
 * @example
 * ```ts
 * import type { TypeData } from "@ivpm/plugin";
 * const t: TypeData = { name: "python", options: { editable: false } };
 * ```
 */
export interface TypeData {
  /** Content type name, e.g. `python`, `fusesoc`. */
  name: string;
  /** The type's options (`{}` when the type was given as a plain name). */
  options: Record<string, unknown>;
}

/**
 * One package of the update, as handlers see it. Leaf callbacks may set
 * `pkgType` and add to `typeData`; those changes are carried back to the root
 * pass and to later leaf callbacks of the same package. Every other change is
 * local to the callback (the view is a copy, sent to the worker as plain data).
 *
 * @example
 * ```ts
 * import type { PackageView } from "@ivpm/plugin";
 * function isPython(pkg: PackageView): boolean {
 *   return pkg.pkgType === "python" || pkg.typeData.some((t) => t.name === "python");
 * }
 * ```
 */
export interface PackageView {
  /** Package name: its directory under the deps dir and its key in the lock file. */
  name: string;
  /** Absolute path of `packages/<name>` (it may not exist for virtual packages). */
  path: string;
  /** The `src:` type, e.g. `git`, `http`, `pypi`. */
  srcType: string;
  /** The declared `url:`, if the source has one. */
  url?: string;
  /** Source-specific keys as declared (`branch`, `version`, …). */
  options: Record<string, unknown>;
  /** Declared content types, plus those the package declares for itself. */
  typeData: TypeData[];
  /** Type detected by a leaf handler (e.g. `python`), if any; the last handler to set it wins. */
  pkgType?: string;
  /** `root` or the name of the package that declared it. */
  resolvedBy: string;
  /** The dep-set its own dependencies were loaded from. */
  depSet: string;
  /** True for packages with no directory (pypi, npm, dep-set factories). */
  virtual: boolean;
  /** This package's own `package.with` from its ivpm.yaml (handler configuration it carries). */
  ownWith: Record<string, Record<string, unknown>>;
  /** Extra keys of the dependency entry handlers may read (e.g. `agents`). */
  extra: Record<string, unknown>;
}
