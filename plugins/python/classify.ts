/**
 * Which packages the python handler installs, and how (as the original IVPM does):
 * `src: pypi` from the index, `src: pyproject.toml` harvested, and
 * source packages — declared `type: python`, or detected by their build files.
 *
 * @module
 */

import type { PackageView } from "@ivpm/plugin";

/** How the handler treats a package. */
export type PythonKind = "pypi" | "pyproject" | "source";

/** Files that mark a directory as a Python project. */
export const PROJECT_FILES = ["setup.py", "setup.cfg", "pyproject.toml"] as const;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The `type: python` options of a package, if it has that type. */
export function pythonType(pkg: PackageView): Record<string, unknown> | undefined {
  return pkg.typeData.find((t) => t.name === "python")?.options;
}

/**
 * Classifies one package; `undefined` = not the python handler's. Auto-detection
 * (a setup.py / setup.cfg / pyproject.toml in the package root) applies only to
 * packages no handler typed yet and not declared `type: raw`.
 */
export async function classifyPackage(pkg: PackageView): Promise<PythonKind | undefined> {
  if (pkg.srcType === "pypi") return "pypi";
  if (pkg.srcType === "pyproject.toml") return "pyproject";
  if (pkg.virtual) return undefined;
  if (pythonType(pkg) || pkg.pkgType === "python") return "source";
  if (pkg.pkgType || pkg.typeData.some((t) => t.name === "raw")) return undefined;
  for (const f of PROJECT_FILES) {
    if (await isFile(`${pkg.path}/${f}`)) return "source";
  }
  return undefined;
}
