/**
 * Which packages the modules handler loads, and under which module name.
 *
 * @module
 */

import type { PackageView, TypeData } from "@ivpm/plugin";

/** The package's `module` content type, if declared (by its consumer or by itself). */
export function moduleType(pkg: Pick<PackageView, "typeData">): TypeData | undefined {
  return pkg.typeData.find((t) => t.name === "module");
}

/**
 * The module spec to `module load` for a package, or undefined when it is not a module to load:
 * `src: module` packages and packages with `type: module` count, unless `type: {module: {load: false}}`.
 * The spec is the source's `module:`, else `<name>/<version>` (src: module only), else the name.
 */
export function moduleLoadSpec(
  pkg: Pick<PackageView, "name" | "srcType" | "options" | "typeData">,
): string | undefined {
  const t = moduleType(pkg);
  if (!t && pkg.srcType !== "module") return undefined;
  if (t?.options.load === false) return undefined;
  if (pkg.srcType === "module") {
    const m = pkg.options.module;
    if (typeof m === "string" && m.trim()) return m.trim();
    const v = pkg.options.version;
    if (v !== undefined && v !== null && String(v).trim()) return `${pkg.name}/${String(v).trim()}`;
  }
  return pkg.name;
}
