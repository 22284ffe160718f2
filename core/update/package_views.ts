/**
 * What is known of one landed package: its own ivpm.yaml, the view handlers get of it, and its
 * lock entry's version.
 *
 * @module
 */

import { join } from "node:path";
import type { SchemaInputs } from "../config/ivpm_schema.ts";
import type { DependencySpec, ProjectConfig } from "../config/model.ts";
import type { PackageView } from "../plugin_api/package_view.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import type { UpdateTimings } from "./timings.ts";
import type { ResolvedPackage } from "./resolver.ts";

/** Whether every field of `spec` equals the same field of a lock entry (missing = null). */
export function specEqual(spec: Record<string, unknown>, entry: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(spec)) {
    if (JSON.stringify(v ?? null) !== JSON.stringify(entry[k] ?? null)) return false;
  }
  return true;
}

/** The short version a lock entry records (a commit's first 7 digits, or the resolved version). */
export function versionOf(entry: Record<string, unknown>): string | undefined {
  const v = entry.commit_resolved ?? entry.version_resolved;
  return typeof v === "string" ? (entry.commit_resolved ? v.slice(0, 7) : v) : undefined;
}

/** The package's own ivpm.yaml, parsed; undefined for a virtual package, a file, or none. */
export async function subConfig(
  path: string,
  dep: DependencySpec,
  virtual?: boolean,
  inputs?: SchemaInputs,
  timings?: UpdateTimings,
): Promise<ProjectConfig | undefined> {
  if (virtual) return undefined;
  // A package may be a single file (a .jar kept as downloaded): it has no ivpm.yaml.
  const st = await Deno.stat(path).catch(() => undefined);
  if (!st?.isDirectory) return undefined;
  const file = join(path, "ivpm.yaml");
  if (!(await lstatOrUndefined(file))) return undefined;
  if (timings) timings.configsParsed++;
  try {
    // Loaded here, not up front: an update that parses nothing (all remembered) never loads the YAML parser.
    const { loadConfigFile } = await import("../config/load.ts");
    return loadConfigFile(file, { inputs });
  } catch (e) {
    // A package whose dependencies are skipped may carry an ivpm.yaml we cannot read; that is fine.
    if (dep.skipDeps) return undefined;
    throw e;
  }
}

/** What handlers see of a resolved package. */
export function packageView(pkg: ResolvedPackage, depsDir: string, virtual: boolean): PackageView {
  return {
    name: pkg.name,
    path: join(depsDir, pkg.name),
    srcType: pkg.dep.src,
    url: pkg.dep.url,
    options: pkg.dep.options,
    typeData: pkg.typeData ?? pkg.dep.types.map((t) => ({ name: t.name, options: t.options })),
    pkgType: pkg.pkgType,
    resolvedBy: pkg.resolvedBy,
    depSet: pkg.dep.depSet,
    virtual,
    ownWith: pkg.config?.with ?? {},
    extra: pkg.dep.agents ? { agents: pkg.dep.agents } : {},
  };
}

/** The view leaf handlers start from once the package landed (before any callback changed it). */
export function startView(
  pkg: ResolvedPackage,
  depsDir: string,
  virtual: boolean,
  own?: ProjectConfig,
): PackageView {
  const probe: ResolvedPackage = { ...pkg, config: own, pkgType: undefined, typeData: undefined };
  mergeSelfTypes(probe, own);
  return packageView(probe, depsDir, virtual);
}

/** Takes the type results of a leaf callback onto the package. */
export function applyView(pkg: ResolvedPackage, view: PackageView): void {
  pkg.pkgType = view.pkgType;
  pkg.typeData = view.typeData;
}

/** A package's own `package.type` adds types its consumer did not declare (consumer wins). */
export function mergeSelfTypes(pkg: ResolvedPackage, own: ProjectConfig | undefined): void {
  if (!own?.types.length) return;
  const types = pkg.typeData ?? pkg.dep.types.map((t) => ({ name: t.name, options: t.options }));
  for (const t of own.types) {
    if (!types.some((x) => x.name === t.name)) types.push({ name: t.name, options: t.options });
  }
  pkg.typeData = types;
}
