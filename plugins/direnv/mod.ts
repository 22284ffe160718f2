/**
 * The `direnv` built-in handler: `packages/packages.envrc`, the one file a
 * project's `.envrc` sources (`source_env packages/packages.envrc`). It exports
 * `IVPM_PACKAGES` and sources each package's envrc — the file its own ivpm.yaml
 * names in `with.direnv.envrc`, else its `export.envrc` — dependencies first,
 * then by name. Other handlers keep their own sentinel sections in the file.
 *
 * @module
 */

import { join, normalize } from "node:path";
import {
  type DestroyInfo,
  HandlerPhase,
  type HandlerPhaseName,
  type LeafInfo,
  type ObjectSchema,
  PackageHandler,
  type PackageView,
  realPathInside,
  type RootInfo,
  s,
} from "@ivpm/plugin";
import { composePackagesEnvrc, PACKAGES_ENVRC, stripDirenvLines } from "./envrc_text.ts";
import { dependencyOrder } from "./order.ts";

/** What a leaf callback hands the root pass: the package's envrc, relative to the package. */
export interface DirenvRecord {
  /** Normalized path inside the package, e.g. `export.envrc`. */
  file: string;
}

/** `handlers.direnv` in `packages/ivpm.json`: the envrc files sourced, relative to the deps dir. */
export interface DirenvState {
  /** `<package>/<file>` in the order written. */
  envrc: string[];
}

/** C0 controls (line breaks among them), DEL and C1 controls. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

async function isFile(path: string): Promise<boolean> {
  return await Deno.stat(path).then((st) => st.isFile, () => false);
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Writes `text` unless the file already holds exactly that (a re-run changes nothing). */
async function writeIfChanged(path: string, text: string): Promise<boolean> {
  if ((await readOrUndefined(path)) === text) return false;
  await Deno.writeTextFile(path, text);
  return true;
}

/** Generates `packages/packages.envrc`. */
export class DirenvHandler extends PackageHandler {
  static override name = "direnv";
  static override description = "Writes packages/packages.envrc sourcing each package's export.envrc";
  static override phase: HandlerPhaseName = HandlerPhase.PREPARE;
  /** `package.with.direnv` — read from each package's OWN ivpm.yaml. */
  static override options: ObjectSchema = s.object({
    envrc: s.string("envrc file of this package to source, relative to it (default export.envrc)"),
  });

  #entries: string[] = [];

  override async onLeafPostLoad(pkg: PackageView, _info: LeafInfo): Promise<void> {
    if (pkg.virtual) return;
    const declared = pkg.ownWith.direnv?.envrc;
    if (typeof declared === "string" && declared.trim()) {
      const file = normalize(declared.trim());
      if (file.startsWith("/") || file === ".." || file.startsWith("../")) {
        // A thrown error is reported as a warning naming the package; the update goes on.
        throw new Error(`with.direnv.envrc '${declared}' must be a path inside the package`);
      }
      // It is written into packages.envrc, edited line by line: no line break, no terminal control.
      if (CONTROL.test(file)) {
        throw new Error(`with.direnv.envrc '${declared}' holds a control character (a line break, ESC …)`);
      }
      if (!(await isFile(join(pkg.path, file)))) {
        throw new Error(`with.direnv.envrc names '${declared}', which does not exist in the package`);
      }
      this.collect({ file } satisfies DirenvRecord);
      return;
    }
    // Only export.envrc: a package's own .envrc is for working on that package, not for its users.
    if (await isFile(join(pkg.path, "export.envrc"))) {
      this.collect({ file: "export.envrc" } satisfies DirenvRecord);
    }
  }

  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const task = this.taskContext(info, "direnv-envrc", "Writing packages.envrc");
    try {
      const files = new Map<string, string>();
      const paths = new Map(info.packages.map((p) => [p.name, p.path]));
      for (const r of info.records) {
        // Records may be replayed from the last run's ivpm.json: what gets sourced must still be a file
        // inside its own package, links resolved.
        const file = (r.record as Partial<DirenvRecord> | undefined)?.file;
        const root = paths.get(r.package);
        if (typeof file !== "string" || root === undefined || !(await realPathInside(root, file))) {
          info.warn?.(
            `package '${r.package}': envrc '${String(file)}' is not a file inside the package; not sourced`,
          );
          continue;
        }
        files.set(r.package, file);
      }
      const path = join(info.depsDir, PACKAGES_ENVRC);
      const previous = await readOrUndefined(path);
      const before = (info.state as Partial<DirenvState> | undefined)?.envrc ?? [];
      if (!files.size) {
        this.#entries = [];
        // Nothing to source. A file we never wrote stays as it is; our stale lines go.
        if (previous !== undefined && before.length) {
          const rest = stripDirenvLines(previous, before);
          if (rest === undefined) await Deno.remove(path);
          else await writeIfChanged(path, rest);
        }
        task.progress("No package provides an envrc");
        task.end();
        return;
      }
      const order = dependencyOrder([...files.keys()], info.packages);
      this.#entries = order.map((name) => `${name}/${files.get(name)}`);
      await writeIfChanged(path, composePackagesEnvrc(info.depsDir, this.#entries, previous ?? ""));
      task.progress(`Generated packages.envrc with ${this.#entries.length} entries`);
      task.end();
    } catch (e) {
      task.fail(e);
      throw e;
    }
  }

  override getStateEntries(): Record<string, unknown> | undefined {
    return this.#entries.length ? { envrc: this.#entries } satisfies DirenvState : undefined;
  }

  override async onDestroy(info: DestroyInfo): Promise<string[]> {
    const entries = (info.state as Partial<DirenvState> | undefined)?.envrc ?? [];
    const path = join(info.depsDir, PACKAGES_ENVRC);
    const text = await readOrUndefined(path);
    if (!entries.length || text === undefined) return [];
    const rest = stripDirenvLines(text, entries);
    if (rest === undefined) {
      // Only our lines were left (other handlers removed their sections first): the file goes.
      if (!info.dryRun) await Deno.remove(path);
      return [path];
    }
    if (!info.dryRun) await writeIfChanged(path, rest);
    return [];
  }
}
