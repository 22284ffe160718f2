/**
 * `src: module` — a package provided by the site's Environment Modules (or
 * Lmod): nothing is copied into packages/; the module is located with the
 * module command and its install root recorded in the lock.
 *
 * The module system is configured by the ROOT project's `with.modules`
 * (`variant`, `modulecmd`), read here from the project's ivpm.yaml because a
 * fetch is given no handler configuration (the original never passed it to
 * the source at all).
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import type { DependencySpec } from "../../config/model.ts";
import { IvpmError } from "../../base/errors.ts";
import { infoOf } from "../../config/source_info.ts";
import { detectModules, modulePath, moduleShow, rootFromShow } from "./modulecmd.ts";
import type { FetchContext, FetchOutcome, Source } from "./types.ts";

/** The module a `src: module` dependency names: `module:`, else `<name>/<version>`. */
export function moduleSpecOf(dep: Pick<DependencySpec, "name" | "options">): string {
  const m = dep.options.module;
  if (typeof m === "string" && m.trim()) return m.trim();
  const v = dep.options.version;
  if (v !== undefined && v !== null && String(v).trim()) return `${dep.name}/${String(v).trim()}`;
  throw new IvpmError(`src: module requires a 'module:' or 'version:' specifier (package '${dep.name}')`, {
    hint: "add 'module: <name>/<version>' (e.g. module: gcc/15.2.0) or 'version: <version>'",
  });
}

/** Expands `$VAR` / `${VAR}` from `env` (unknown names are kept as written). */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, b) => {
    const v = env[a ?? b];
    return v === undefined ? m : v;
  });
}

/** The root project's `with.modules` settings that matter to the source. */
export interface ModulesSettings {
  /** `auto`, `modules-3x`, `modules-4x` or `lmod`. */
  variant?: string;
  /** The module command (a relative path is already resolved against the project). */
  modulecmd?: string;
}

/**
 * Reads `package.with.modules` of the project's ivpm.yaml (includes and variables applied; the
 * values persisted by the last update stand in for `-D`). A file the full loader rejects (for
 * instance one configuring a plugin handler this process does not know) is read raw instead.
 */
export async function readModulesSettings(
  projectDir: string,
  depsDir: string,
  env: Record<string, string>,
): Promise<ModulesSettings> {
  let cfg: Record<string, unknown> | undefined;
  try {
    const state = JSON.parse(await Deno.readTextFile(join(depsDir, "ivpm.json")).catch(() => "{}"));
    // Against the built-in schema: a project using a plugin's keys fails here and is read raw below.
    const { loadProject } = await import("../../config/load.ts");
    cfg = loadProject(projectDir, { env, persisted: state?.vars ?? {} }).with.modules;
  } catch {
    try {
      const YAML = await import("yaml");
      const raw = YAML.parse(await Deno.readTextFile(join(projectDir, "ivpm.yaml")));
      cfg = raw?.package?.with?.modules;
    } catch {
      cfg = undefined;
    }
  }
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const modulecmd = str(cfg?.modulecmd);
  return {
    variant: str(cfg?.variant),
    // A relative modulecmd path is relative to the project; a bare name is looked up on PATH.
    modulecmd: modulecmd && modulecmd.includes("/")
      ? resolve(projectDir, expandVars(modulecmd, env))
      : modulecmd,
  };
}

/** Where a module lives, as recorded in the lock. */
export interface ResolvedModule {
  /** The module spec, e.g. `gcc/15.2.0`. */
  module: string;
  /** Absolute path of its modulefile. */
  modulefile: string;
  /** Its install root: what the package stands for. */
  root: string;
  /** How the root was chosen: `root`, `resolve-root`, `modulefile`. */
  rootFrom: "root" | "resolve-root" | "modulefile";
}

/**
 * Locates `dep`'s module and its root: `root:` (env-expanded) > `resolve-root` (parsed from
 * `module show`: `setenv *_HOME` > `prepend-path PATH <x>/bin` > `set root`) > the modulefile's
 * directory.
 */
export async function resolveModule(
  dep: Pick<DependencySpec, "name" | "options">,
  ctx: Pick<FetchContext, "projectDir" | "depsDir" | "signal" | "note">,
  env: Record<string, string>,
): Promise<ResolvedModule> {
  const module = moduleSpecOf(dep);
  const settings = await readModulesSettings(ctx.projectDir, ctx.depsDir, env);
  const mi = await detectModules({ env, ...settings, signal: ctx.signal });
  if (!mi) {
    throw new IvpmError(
      "src: module needs Environment Modules or Lmod, and neither was found",
      {
        hint: "set $MODULESHOME or $LMOD_CMD, put modulecmd on PATH, " +
          "or set package.with.modules.modulecmd in ivpm.yaml",
      },
    );
  }
  const found = await modulePath(mi, module, ctx.signal);
  if (!found.path) {
    throw new IvpmError(
      `Module '${module}' is not available` +
        (found.reason ? `: ${found.reason}` : ""),
      {
        hint: `Check MODULEPATH (now '${env.MODULEPATH ?? ""}') and that 'module avail ${module}' lists it ` +
          `(asked ${mi.cmd}, found by ${mi.foundBy})`,
      },
    );
  }
  const modulefile = found.path;
  const mfDir = await Deno.stat(modulefile).then((s) => s.isFile, () => true)
    ? dirname(modulefile)
    : modulefile;
  const rootOpt = dep.options.root;
  if (typeof rootOpt === "string" && rootOpt.trim()) {
    const expanded = expandVars(rootOpt.trim(), env);
    const root = isAbsolute(expanded) ? expanded : resolve(ctx.projectDir, expanded);
    if (!(await Deno.stat(root).then((s) => s.isDirectory, () => false))) {
      throw new IvpmError(`root '${rootOpt}' of package '${dep.name}' (src: module) is not a directory`, {
        hint: expanded !== rootOpt ? `it expands to ${root}` : "fix the path or remove 'root:'",
      });
    }
    return { module, modulefile, root, rootFrom: "root" };
  }
  if (dep.options["resolve-root"] === true) {
    const show = await moduleShow(mi, module, ctx.signal);
    const root = await rootFromShow(show);
    if (root) return { module, modulefile, root, rootFrom: "resolve-root" };
    ctx.note(
      `resolve-root: 'module show ${module}' names no install prefix (setenv *_HOME, ` +
        `prepend-path PATH <dir>/bin, set root); using the modulefile directory ${mfDir}`,
    );
  }
  return { module, modulefile, root: mfDir, rootFrom: "modulefile" };
}

/** Options of {@link createModuleSource}. */
export interface ModuleSourceOptions {
  /** Environment the module system is found in and run with (default: the update's, else this process's). */
  env?: () => Record<string, string>;
}

/** Builds the `module` source (tests may pass their own environment). */
export function createModuleSource(opts: ModuleSourceOptions = {}): Source {
  const env = (ctx: FetchContext) => opts.env?.() ?? (ctx.env ? { ...ctx.env } : Deno.env.toObject());
  return {
    ...infoOf("module"),
    reproducible: false,
    spec: (dep) => ({
      module: moduleSpecOf(dep),
      root_requested: typeof dep.options.root === "string" ? dep.options.root : null,
      resolve_root: dep.options["resolve-root"] === true,
    }),
    async fetch(dep, ctx): Promise<FetchOutcome> {
      const r = await resolveModule(dep, ctx, env(ctx));
      ctx.note(`Module '${r.module}' resolved to ${r.root}`);
      // Nothing lands in packages/: the module system owns the files.
      return {
        placement: { kind: "none" },
        lock: { modulefile: r.modulefile, root: r.root },
        version: r.module,
      };
    },
    fromLock: (e) =>
      typeof e.module === "string"
        ? { options: { module: e.module, ...(typeof e.root === "string" ? { root: e.root } : {}) } }
        : undefined,
  };
}

/** `src: module`. */
export const moduleSource: Source = createModuleSource();
