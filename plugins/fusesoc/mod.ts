/**
 * The `fusesoc` handler: finds the FuseSoC core directories of the project and
 * its packages and publishes them as `packages/fusesoc-cores.txt`,
 * `packages/fusesoc-cores.envrc` (`FUSESOC_CORES`, sourced from
 * `packages.envrc`) and, with `update-conf: true`, `[library.ivpm.*]` sections
 * of the project's `fusesoc.conf`. See docs/handlers.md (fusesoc).
 *
 * @module
 */

import { join, resolve } from "node:path";
import {
  type DestroyInfo,
  HandlerPhase,
  type ObjectSchema,
  PackageHandler,
  type PackageView,
  type RootInfo,
  s,
  type TaskHandle,
  updateEnvrcFile,
} from "@ivpm/plugin";
import { findCoreDirs } from "./core_dirs.ts";
import { ivpmSections, libraryNames, removeIvpmLibraries, setIvpmLibraries } from "./conf.ts";
import {
  type CoreDir,
  CORES_ENVRC,
  CORES_TXT,
  coresEnvrc,
  coresTxt,
  ENVRC_LINE,
  ENVRC_SECTION,
  summaryNote,
} from "./outputs.ts";

/** Owner name of the project's own cores. */
export const PROJECT_OWNER = "__project__";
/** The project file `update-conf` maintains. */
export const CONF_FILE = "fusesoc.conf";
/** Where `src: fusesoc` keeps its clone of the core index (inside the deps dir). */
export const INDEX_DIR = ".fusesoc-index";

/** What a leaf callback hands to the root pass. */
export interface FusesocRecord {
  /** Absolute core directories of the package, sorted. */
  dirs: string[];
  /** Problems to report (globs matching nothing). */
  warnings: string[];
}

/** What the handler remembers between runs (`packages/ivpm.json`). */
export interface FusesocState {
  /** Core directories by owner (package name or `__project__`), as last published. */
  core_dirs: Record<string, string[]>;
  /** Present while ivpm has sections in `fusesoc.conf`. */
  conf?: {
    /** ivpm created the file (so it may delete it once nothing else is in it). */
    created: boolean;
    /** What was inserted before ivpm's sections (removed with them). */
    separator: string;
  };
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Writes only when the content differs, so an unchanged re-run keeps mtimes. */
async function writeIfChanged(path: string, text: string): Promise<void> {
  if ((await readText(path)) !== text) await Deno.writeTextFile(path, text);
}

/** Removes a file; returns whether it existed. */
async function removeFile(path: string, dryRun = false): Promise<boolean> {
  try {
    await Deno.lstat(path);
  } catch {
    return false;
  }
  if (!dryRun) await Deno.remove(path, { recursive: true });
  return true;
}

/** Publishes the FuseSoC core directories of the project and its packages. */
export class FusesocHandler extends PackageHandler {
  /** Handler name (`package.with.fusesoc`). */
  static override name = "fusesoc";
  /** Shown by `ivpm show handler`. */
  static override description =
    "Collects FuseSoC core directories into packages/fusesoc-cores.{txt,envrc} and fusesoc.conf";
  /** The original's phase 10: after the venv, node and agents, and after direnv wrote packages.envrc. */
  static override phase: typeof HandlerPhase.FINALIZE = HandlerPhase.FINALIZE;
  /** `with.fusesoc` (the root's, and each package's own `cores`). */
  static override options: ObjectSchema = s.object({
    cores: s.array(
      s.string(),
      "Globs (relative to the package) of .core files or of directories holding them; default: the root",
    ),
    import: s.union(
      [s.enum(["all"]), s.array(s.string())],
      "Packages whose cores to publish: all (default) or a list of package names",
    ),
    "update-conf": s.boolean("Maintain [library.ivpm.*] sections of the project's fusesoc.conf"),
  });

  #previous?: FusesocState;
  #state?: FusesocState;

  /** Forgets the previous run. */
  override reset(): void {
    this.#previous = undefined;
    this.#state = undefined;
  }

  /** Remembers the state of the last update (sections written to fusesoc.conf). */
  override onRootPreLoad(info: RootInfo): void {
    super.onRootPreLoad(info);
    this.#previous = info.state as FusesocState | undefined;
  }

  /** Finds the package's core directories and hands them to the root pass. */
  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    if (pkg.virtual) return;
    const st = await Deno.stat(pkg.path).catch(() => undefined);
    if (!st?.isDirectory) return;
    const found = await findCoreDirs(
      pkg.path,
      stringList(pkg.ownWith.fusesoc?.cores),
      `package '${pkg.name}'`,
    );
    const dirs = new Set(found.dirs);
    // src: fusesoc guarantees the resolved core at the package root (the catalog's .core when the
    // provider's repository lacks it), whatever its CAPI version: the original's catalog_core_dir.
    if (pkg.srcType === "fusesoc") dirs.add(resolve(pkg.path));
    if (!dirs.size && !found.warnings.length) return;
    // Marked as a type, not as pkgType: pkgType would stop python/node from auto-detecting the same
    // package (an IP package often also holds a setup.py or a package.json).
    if (dirs.size && !pkg.typeData.some((t) => t.name === "fusesoc")) {
      pkg.typeData.push({ name: "fusesoc", options: {} });
    }
    this.collect({ dirs: [...dirs].sort(), warnings: found.warnings } satisfies FusesocRecord);
  }

  /** Writes (or removes) the generated files and fusesoc.conf sections. */
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const task = this.taskContext(info, "fusesoc", "fusesoc");
    try {
      await this.#publish(info, task);
      task.end();
    } catch (e) {
      task.fail(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  async #publish(info: RootInfo, task: TaskHandle): Promise<void> {
    const warn = (m: string) => info.warn ? info.warn(m) : task.progress(`warning: ${m}`);
    const cfg = info.config;
    const imports = stringList(cfg.import);
    const known = new Set(info.packages.map((p) => p.name));
    for (const name of imports ?? []) {
      if (!known.has(name)) {
        warn(`with.fusesoc.import names '${name}', which is not a package of this project`);
      }
    }

    const byDir = new Map<string, CoreDir>();
    const coreDirs: Record<string, string[]> = {};
    const add = (owner: string, dirs: string[]) => {
      if (!dirs.length) return;
      coreDirs[owner] = dirs;
      for (const dir of dirs) {
        const d = byDir.get(dir);
        if (d) {
          if (!d.owners.includes(owner)) d.owners.push(owner);
        } else byDir.set(dir, { dir, owners: [owner] });
      }
    };

    // The project's own cores come first; the deps dir is never searched as part of the project.
    const project = await findCoreDirs(info.projectDir, stringList(cfg.cores), "the project", [info.depsDir]);
    project.warnings.forEach(warn);
    add(PROJECT_OWNER, project.dirs);
    for (const { package: name, record } of info.records as { package: string; record: FusesocRecord }[]) {
      record.warnings.forEach(warn);
      if (imports && !imports.includes(name)) continue;
      add(name, record.dirs);
    }

    const dirs = [...byDir.values()];
    const txt = join(info.depsDir, CORES_TXT), envrc = join(info.depsDir, CORES_ENVRC);
    if (!dirs.length) {
      await removeFile(txt);
      await removeFile(envrc);
      await updateEnvrcFile(info.depsDir, ENVRC_SECTION, undefined);
    } else {
      await writeIfChanged(txt, coresTxt(dirs));
      await writeIfChanged(envrc, coresEnvrc(dirs));
      // Only an existing packages.envrc (the direnv handler's) gets the section.
      await updateEnvrcFile(info.depsDir, ENVRC_SECTION, [ENVRC_LINE], { createIfMissing: false });
      task.progress(summaryNote(dirs.length, Object.keys(coreDirs).length));
    }

    const conf = await this.#updateConf(info.projectDir, cfg["update-conf"] === true ? dirs : undefined);
    this.#state = { core_dirs: coreDirs, ...(conf ? { conf } : {}) };
  }

  /**
   * Sets ivpm's sections of fusesoc.conf to `dirs`, or removes them (`undefined`:
   * `update-conf` is off, so sections of an earlier run go). Returns the conf state.
   */
  async #updateConf(projectDir: string, dirs: CoreDir[] | undefined): Promise<FusesocState["conf"]> {
    const path = join(projectDir, CONF_FILE);
    const prev = this.#previous?.conf;
    const text = await readText(path);
    if (dirs === undefined || !dirs.length) {
      if (text !== undefined && (prev || ivpmSections(text).length)) {
        await this.#writeConf(path, removeIvpmLibraries(text, prev?.separator), prev?.created ?? false);
      }
      return undefined;
    }
    const edit = setIvpmLibraries(text ?? "", libraryNames(dirs), prev?.separator);
    await writeIfChanged(path, edit.text);
    return { created: prev?.created ?? text === undefined, separator: edit.separator };
  }

  /** Writes what is left of fusesoc.conf; a file ivpm created goes once nothing else is in it. */
  async #writeConf(path: string, text: string, created: boolean, dryRun = false): Promise<boolean> {
    if (created && text.trim() === "") return await removeFile(path, dryRun);
    if (!dryRun) await writeIfChanged(path, text);
    return false;
  }

  /** `{core_dirs, conf}` (see {@link FusesocState}). */
  override getStateEntries(): Record<string, unknown> | undefined {
    const st = this.#state ?? this.#previous;
    return st ? { ...st } : undefined;
  }

  /** Removes the generated files, the index clone, the envrc section and ivpm's fusesoc.conf sections. */
  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const state = info.state as FusesocState | undefined;
    const removed: string[] = [];
    // Own files (fixed names, never the user's) and the envrc section; the index src: fusesoc cloned is
    // ivpm's (destroy removes it), not this handler's.
    for (const f of [CORES_TXT, CORES_ENVRC]) {
      const path = join(info.depsDir, f);
      if (await removeFile(path, info.dryRun)) removed.push(path);
    }
    if (!info.dryRun) await updateEnvrcFile(info.depsDir, ENVRC_SECTION, undefined);
    const conf = join(info.projectDir, CONF_FILE);
    const text = await readText(conf);
    if (text !== undefined && ivpmSections(text).length) {
      const rest = removeIvpmLibraries(text, state?.conf?.separator);
      if (await this.#writeConf(conf, rest, state?.conf?.created ?? false, info.dryRun)) removed.push(conf);
    }
    return removed;
  }
}
