/**
 * The validated, typed form of an `ivpm.yaml` — what the rest of ivpm consumes.
 *
 * @module
 */

import type { Diagnostic, Loc } from "../base/diagnostics.ts";
import type { DependencySpec as PluginDependencySpec } from "../plugin_api/source.ts";

/** A content type attached to a package (`type: python` or `type: {python: {editable: false}}`). */
export interface TypeSpec {
  name: string;
  options: Record<string, unknown>;
  loc?: Loc;
}

/** One dependency as declared in a dep-set: what a source sees (the plugin API's) plus what ivpm uses. */
export interface DependencySpec extends PluginDependencySpec {
  types: TypeSpec[];
  /** Dep-set to load from this package's own ivpm.yaml. */
  depSet: string;
  /** `deps: skip` — do not process this package's own dependencies. */
  skipDeps: boolean;
  /** Consumer override of the package's skills (`agents: {skills: [...]}`). */
  agents?: { skills?: string[] };
  loc: Loc;
}

/** A named dependency set. */
export interface DepSet {
  name: string;
  deps: DependencySpec[];
  uses?: string;
  defaultDepSet?: string;
  loc: Loc;
}

/** One `env:` directive, applied by `activate`. */
export interface EnvDirective {
  name: string;
  op: "value" | "path" | "path-append" | "path-prepend";
  value: string | string[];
  loc: Loc;
}

/** A named group of env directives. */
export interface EnvSet {
  name: string;
  env: EnvDirective[];
}

/** A plugin listed in the project (filled in by the plugin issue). */
export interface PluginEntry {
  spec: string;
  options: Record<string, unknown>;
  loc: Loc;
}

/** A loaded project: the root `ivpm.yaml` after includes, variables and validation. */
export interface ProjectConfig {
  /** Absolute path of the root ivpm.yaml. */
  file: string;
  /** Project directory (the file's directory). */
  dir: string;
  name: string;
  version?: string;
  types: TypeSpec[];
  /** Handler configuration (`package.with`), keyed by handler name. */
  with: Record<string, Record<string, unknown>>;
  /** Deps directory name relative to the project (default `packages`). */
  depsDir: string;
  defaultDepSet?: string;
  /** Dep-sets in file order, with `uses:` inheritance already applied. */
  depSets: DepSet[];
  env: EnvDirective[];
  envSets: EnvSet[];
  /** `paths:` kind → type → absolute paths. */
  paths: Record<string, Record<string, string[]>>;
  setupDeps: string[];
  /** Final variable values (after `-D`, `IVPM_VAR_*`, persisted, defaults). */
  vars: Record<string, string | number | boolean>;
  plugins: PluginEntry[];
  /** Every file read (root first, then includes). */
  files: string[];
  /** Non-fatal problems found while loading (printed by the caller). */
  warnings: Diagnostic[];
}

/** Finds a dep-set by name. */
export function findDepSet(config: ProjectConfig, name: string): DepSet | undefined {
  return config.depSets.find((d) => d.name === name);
}
