/**
 * The requirement files `packages/python_pkgs_<N>.txt`: ivpm's
 * own install arguments, then every pypi requirement, then one file per
 * dependency layer of source packages (dependencies first).
 *
 * @module
 */

import { HandlerFatalError, type PackageView } from "@ivpm/plugin";
import { pythonType } from "./classify.ts";
import {
  distributionNameProblem,
  extraProblem,
  LINE_BREAK,
  printable,
  versionSpec,
  versionSpecProblem,
} from "./pep508.ts";

/** Name of the N-th requirement file (1-based). */
export function requirementFileName(n: number): string {
  return `python_pkgs_${n}.txt`;
}

/** Matches the requirement files this handler writes. */
export const REQUIREMENT_FILE = /^python_pkgs_[0-9]+\.txt$/;

function list(v: unknown): string[] {
  if (typeof v === "string") return v.split(",").map((x) => x.trim()).filter(Boolean);
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  return [];
}

/** The error for a value that would not be one well-formed requirement. */
function refuse(pkg: PackageView, problem: string): HandlerFatalError {
  return new HandlerFatalError(
    `package '${pkg.name}': ${problem}; nothing was installed (fix the entry in the ivpm.yaml that declares it)`,
  );
}

/**
 * Extras of a package: `type: {python: {extras}}`, else the entry's `extras:`.
 * Each must be a PEP 508 extra name (they are written into a requirements file).
 */
export function extrasOf(pkg: PackageView): string[] {
  const typed = pythonType(pkg)?.extras;
  const extras = typed !== undefined ? list(typed) : list(pkg.options.extras);
  for (const x of extras) {
    const problem = extraProblem(x);
    if (problem) throw refuse(pkg, `invalid extra: ${problem}`);
  }
  return extras;
}

function withExtras(base: string, extras: string[]): string {
  return extras.length ? `${base}[${extras.join(",")}]` : base;
}

/**
 * The requirement line of a `src: pypi` package: `name[extras]` plus the
 * version — verbatim when it starts with an operator (`<>=!~`), else `==version`.
 * The name, extras and version are checked (PEP 508/440) first: a value from a
 * dependency's ivpm.yaml or a lock file never reaches pip as anything else.
 */
export function pypiLine(pkg: PackageView): string {
  const nameProblem = distributionNameProblem(pkg.name);
  if (nameProblem) throw refuse(pkg, `invalid PyPI package name: ${nameProblem}`);
  const base = withExtras(pkg.name, extrasOf(pkg));
  const v = pkg.options.version;
  if (v === undefined || v === null || String(v).trim() === "") return base;
  const version = String(v);
  const problem = versionSpecProblem(version);
  if (problem) throw refuse(pkg, `invalid version: ${problem}`);
  return `${base}${versionSpec(version)}`;
}

/** The requirement line of a source package: `-e <deps>/<name>[extras]` (no `-e` with `editable: false`). */
export function sourceLine(pkg: PackageView, depsDir: string): string {
  const editable = pythonType(pkg)?.editable !== false;
  return `${editable ? "-e " : ""}${withExtras(`${depsDir}/${pkg.name}`, extrasOf(pkg))}`;
}

/**
 * Source packages in dependency layers: a package comes after every source
 * package it declared (`resolvedBy` is its name). Layers are sorted by name.
 */
export function sourceLayers(sources: PackageView[]): PackageView[][] {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (p: PackageView): number => {
    const known = depth.get(p.name);
    if (known !== undefined) return known;
    if (visiting.has(p.name)) return 0; // cannot happen (one declarer each), but never loop
    visiting.add(p.name);
    let d = 0;
    for (const dep of sources) if (dep.resolvedBy === p.name && dep !== p) d = Math.max(d, layerOf(dep) + 1);
    visiting.delete(p.name);
    depth.set(p.name, d);
    return d;
  };
  const layers: PackageView[][] = [];
  for (const p of sources) (layers[layerOf(p)] ??= []).push(p);
  return layers.filter(Boolean).map((l) =>
    l.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  );
}

/** One requirement file: its lines and the packages it installs (for error messages). */
export interface RequirementSet {
  /** What the file installs, for progress and errors. */
  label: string;
  lines: string[];
  /** Package names with a hint to spot each in installer output (a path or a distribution name). */
  packages: { name: string; marker: string }[];
}

/** Inputs of {@link requirementSets}. */
export interface RequirementInputs {
  /** ivpm's self-install arguments (empty: none). */
  selfInstall: string[];
  /** `src: pypi` packages, in resolution order. */
  pypi: PackageView[];
  /** Requirements harvested from pyproject.toml files. */
  harvested: { name: string; spec: string }[];
  /** Source packages, in resolution order. */
  sources: PackageView[];
  depsDir: string;
}

/** The requirement files to write, in install order (empty sets produce no file). */
export function requirementSets(i: RequirementInputs): RequirementSet[] {
  const sets: RequirementSet[] = [];
  if (i.selfInstall.length) {
    sets.push({
      label: "ivpm",
      lines: [...i.selfInstall],
      packages: [{ name: "ivpm", marker: "ivpm" }],
    });
  }
  if (i.pypi.length || i.harvested.length) {
    sets.push({
      label: "PyPI packages",
      lines: [...i.pypi.map(pypiLine), ...i.harvested.map((h) => h.spec)],
      packages: [
        ...i.pypi.map((p) => ({ name: p.name, marker: p.name })),
        ...i.harvested.map((h) => ({ name: h.name, marker: h.name })),
      ],
    });
  }
  for (const layer of sourceLayers(i.sources)) {
    sets.push({
      label: `source packages ${layer.map((p) => p.name).join(", ")}`,
      lines: layer.map((p) => sourceLine(p, i.depsDir)),
      packages: layer.map((p) => ({ name: p.name, marker: `${i.depsDir}/${p.name}` })),
    });
  }
  return sets;
}

/** File text of a requirement set: one requirement per line (a line break inside one is refused). */
export function requirementText(set: RequirementSet): string {
  for (const l of set.lines) {
    if (LINE_BREAK.test(l)) {
      throw new HandlerFatalError(
        `requirement '${printable(l)}' (${set.label}) contains a line break; nothing was installed`,
      );
    }
  }
  return set.lines.map((l) => `${l}\n`).join("");
}
