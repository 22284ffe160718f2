/**
 * The `PackageHandler` base class every handler extends — built-in or third party.
 *
 * @module
 */

import type { ObjectSchema } from "./schema.ts";
import type { Condition } from "./conditions.ts";
import { TaskHandle } from "./events.ts";
import type { BuildInfo, DestroyInfo, LeafInfo, RootInfo } from "./info.ts";
import type { PackageView } from "./package_view.ts";
import type { HandlerPhaseSpec } from "./phase.ts";

/**
 * Thrown from a leaf callback to abort the whole update with this message. Any
 * other error in a leaf callback is reported as a warning and the update goes on.
 * (Root callbacks need no special error: anything they throw aborts the update.)
 * It is recognised by its `name`, so a copy of this class from another module
 * instance works too.
 *
 * @example
 * ```ts
 * import { HandlerFatalError, PackageHandler, type PackageView } from "@ivpm/plugin";
 * class Strict extends PackageHandler {
 *   static override name = "strict";
 *   override onLeafPostLoad(pkg: PackageView) {
 *     if (pkg.name.includes(" ")) throw new HandlerFatalError(`bad package name '${pkg.name}'`);
 *   }
 * }
 * ```
 */
export class HandlerFatalError extends Error {
  /**
   * Creates the error.
   *
   * @param message One line naming the package and the problem; shown to the user as is.
   * @param options `cause`: the underlying error, if any.
   *
   * @example
   * ```ts
   * import { HandlerFatalError } from "@ivpm/plugin";
   * throw new HandlerFatalError("required file missing");
   * ```
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HandlerFatalError";
  }
}

/**
 * A command-line option a handler adds to an ivpm sub-command (shown in its `--help`).
 *
 * @example
 * ```ts
 * import type { CliOption } from "@ivpm/plugin";
 * const o: CliOption = { command: "update", flags: "--my-fast", description: "skip slow checks" };
 * ```
 */
export interface CliOption {
  /** Sub-command name: `update`, `clone`, `build`, `activate`, … */
  command: string;
  /** Commander-style flags, e.g. `--py-uv` or `--jobs <n>`. */
  flags: string;
  /** Help text; ivpm appends `[<handler name>]`. */
  description: string;
  /** Default value of the option. */
  default?: string | boolean;
}

/**
 * Receives options from {@link PackageHandler.addOptions} for one sub-command.
 *
 * @example
 * ```ts
 * import type { OptionTarget } from "@ivpm/plugin";
 * function add(t: OptionTarget) {
 *   t.option("--my-flag", "does something");
 * }
 * ```
 */
export interface OptionTarget {
  /**
   * Adds one option (commander-style `flags`). A flag that the command already has
   * is ignored with a warning. Returns the target (its type is not part of the API).
   *
   * @example
   * ```ts
   * import { type OptionTarget, PackageHandler } from "@ivpm/plugin";
   * class Gen extends PackageHandler {
   *   static override name = "gen";
   *   static override addOptions(commands: Record<string, OptionTarget>) {
   *     commands.update?.option("--gen-out <dir>", "where to write generated files", "generated");
   *   }
   * }
   * ```
   */
  option(flags: string, description: string, defaultValue?: string | boolean): unknown;
}

/**
 * Base class of every handler. Handlers declare static metadata (name, phase,
 * ordering constraints, conditions, options) and override the callbacks they need.
 *
 * Always set `static override name = "my-handler"` explicitly: without it the
 * handler is named after its class, and bundlers rename classes. Names are
 * letters, digits, `.`, `_` and `-`, unique among installed handlers.
 *
 * Leaf callbacks run in Web Workers, several at once; each worker has its own
 * instance, so state kept on `this` in a leaf callback is NOT seen by the root
 * pass. Hand results over with {@link PackageHandler.collect}: the root instance
 * receives every record, exactly once, in package resolution order, as
 * `info.records` (and `this.records`). Leaf callbacks may also set `pkg.pkgType`
 * and add to `pkg.typeData`; the root pass sees those changes.
 *
 * Every other callback (`onRootPreLoad`, `onRootPostLoad`, `getLockEntries`,
 * `getStateEntries`, `onDestroy`, `build`) runs on one root-side instance per
 * run, one call at a time: in the ivpm process for built-ins, in the plugin's own
 * sandboxed worker for third-party handlers (so their arguments and results are
 * plain data as well). See `docs/writing-plugins.md` and `docs/handlers.md`.
 *
 * @example
 * ```ts
 * import { HandlerPhase, hasType, PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";
 *
 * export class CoreLister extends PackageHandler {
 *   static override name = "core-lister";
 *   static override description = "Lists packages holding .core files";
 *   static override phase = HandlerPhase.INTEGRATE;
 *   static override rootWhen = [hasType("fusesoc")];
 *
 *   override async onLeafPostLoad(pkg: PackageView) {
 *     for await (const e of Deno.readDir(pkg.path)) {
 *       if (e.name.endsWith(".core")) {
 *         pkg.pkgType = "fusesoc";
 *         this.collect({ dir: pkg.path });
 *         return;
 *       }
 *     }
 *   }
 *
 *   override async onRootPostLoad(info: RootInfo) {
 *     const dirs = info.records.map((r) => (r.record as { dir: string }).dir);
 *     await Deno.writeTextFile(`${info.depsDir}/cores.txt`, dirs.join("\n") + "\n");
 *   }
 * }
 * ```
 */
export abstract class PackageHandler {
  /** Human-readable description (shown by `ivpm show handler`). */
  static description = "";
  /** Phase of the root callback: a `HandlerPhase` value, a phase name in any case, or a legacy integer. */
  static phase: HandlerPhaseSpec = "integrate";
  /** Handler names or `phase:<name>` this handler's root callback runs after (unknown names warn). */
  static runAfter: readonly string[] = [];
  /** Handler names or `phase:<name>` this handler's root callback runs before (unknown names warn). */
  static runBefore: readonly string[] = [];
  /** Leaf conditions, checked per package before each leaf callback: `null` = every package, `[]` = none. */
  static leafWhen: readonly Condition[] | null = null;
  /** Root conditions, checked on all packages before `onRootPostLoad`: `null` = always, `[]` = never. */
  static rootWhen: readonly Condition[] | null = null;
  /** Schema of this handler's `package.with.<name>` block (unknown keys are errors); unset = not validated. */
  static options?: ObjectSchema;
  /**
   * CLI options this handler adds (declarative form of {@link PackageHandler.addOptions}).
   * Plugins should use this: it is plain metadata ivpm can cache, so it works even when the
   * plugin's code is not loaded in the ivpm process.
   */
  static cliOptions: readonly CliOption[] = [];
  /**
   * Extra permissions a built-in handler's leaf code needs beyond read access. Ignored for
   * plugins: what their leaf code may do is granted by the user, never requested by the code.
   */
  static permissions?: { run?: boolean | string[]; write?: boolean | string[]; net?: boolean; env?: boolean };

  /**
   * Adds CLI options to sub-commands (`commands.update`, `commands.clone`, …).
   * Called on the class, without running any callback, and only where the class is
   * loaded in the ivpm process; a plugin registered from cached metadata gets only its
   * {@link PackageHandler.cliOptions}, so plugins should prefer those.
   *
   * @example
   * ```ts
   * import { type OptionTarget, PackageHandler } from "@ivpm/plugin";
   * class Py extends PackageHandler {
   *   static override name = "py";
   *   static override addOptions(commands: Record<string, OptionTarget>) {
   *     commands.update?.option("--py-fast", "skip the pip check");
   *   }
   * }
   * ```
   */
  static addOptions(_commands: Record<string, OptionTarget>): void {}

  /** Records collected by this handler's leaf callbacks (root instance; set before `onRootPostLoad`). */
  records: { package: string; record: unknown }[] = [];
  #collected: unknown[] = [];

  /**
   * The handler's name (its class's static `name`), e.g. for messages.
   *
   * @example
   * ```ts
   * import { PackageHandler, type RootInfo } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override onRootPostLoad(info: RootInfo) {
   *     console.log(`${this.handlerName}: ${info.packages.length} packages`);
   *   }
   * }
   * ```
   */
  get handlerName(): string {
    return (this.constructor as { name: string }).name;
  }

  /**
   * Hands a serialisable record from a leaf callback to the root pass.
   *
   * @example
   * ```ts
   * import { PackageHandler, type PackageView } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override onLeafPostLoad(pkg: PackageView) {
   *     this.collect({ name: pkg.name });
   *   }
   * }
   * ```
   */
  collect(record: unknown): void {
    this.#collected.push(record);
  }

  /** Takes the records collected since the last call. Used by the engine; handlers do not call it. */
  drainCollected(): unknown[] {
    const out = this.#collected;
    this.#collected = [];
    return out;
  }

  /**
   * Clears per-run state; called by the default `onRootPreLoad` (leaf workers start
   * with fresh instances and never call it).
   *
   * @example
   * ```ts
   * import { PackageHandler } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   seen: string[] = [];
   *   override reset() {
   *     this.seen = [];
   *   }
   * }
   * ```
   */
  reset(): void {}

  /**
   * Called in a leaf worker before a package is fetched (or found up to date);
   * the package directory may not exist yet. Rarely needed.
   *
   * @example
   * ```ts
   * import { PackageHandler, type PackageView } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override onLeafPreLoad(pkg: PackageView) {
   *     console.log("about to fetch", pkg.name);
   *   }
   * }
   * ```
   */
  onLeafPreLoad(_pkg: PackageView, _info: LeafInfo): void | Promise<void> {}

  /**
   * Called in a leaf worker once a package is on disk (fetched, or already up to
   * date), while other packages are still being fetched. Several run at once, each
   * worker with its own instance: hand results to the root pass with {@link PackageHandler.collect}.
   *
   * @example
   * ```ts
   * import { PackageHandler, type PackageView } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override async onLeafPostLoad(pkg: PackageView) {
   *     const hasMake = await Deno.stat(`${pkg.path}/Makefile`).then(() => true, () => false);
   *     if (hasMake) this.collect(pkg.name);
   *   }
   * }
   * ```
   */
  onLeafPostLoad(_pkg: PackageView, _info: LeafInfo): void | Promise<void> {}

  /**
   * Called on the root-side instance before any package is fetched, for every handler
   * (`rootWhen` is not evaluated yet; `info.packages` and `info.records` are empty,
   * `info.state` is set). The default calls {@link PackageHandler.reset}. Throwing
   * aborts the update.
   *
   * @example
   * ```ts
   * import { PackageHandler, type RootInfo } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override onRootPreLoad(info: RootInfo) {
   *     super.onRootPreLoad(info);
   *   }
   * }
   * ```
   */
  onRootPreLoad(_info: RootInfo): void | Promise<void> {
    this.reset();
  }

  /**
   * Called on the root-side instance once every package has landed, if `rootWhen` holds on
   * all packages, in the handlers' resolved order (phases, then `runAfter`/`runBefore`,
   * then name). The place for heavy work (venvs, generated files). Throwing aborts the
   * update before the lock file is written.
   *
   * @example
   * ```ts
   * import { PackageHandler, type RootInfo } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override async onRootPostLoad(info: RootInfo) {
   *     await Deno.writeTextFile(`${info.depsDir}/count.txt`, `${info.packages.length}\n`);
   *   }
   * }
   * ```
   */
  onRootPostLoad(_info: RootInfo): void | Promise<void> {}

  /**
   * Removes what this handler created (`ivpm destroy`), for every handler in reverse
   * order; honour `info.dryRun` (report, change nothing). Returns the paths removed
   * (or that would be), or `undefined`.
   *
   * @example
   * ```ts
   * import { type DestroyInfo, PackageHandler } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override async onDestroy(info: DestroyInfo) {
   *     const f = `${info.depsDir}/count.txt`;
   *     if (!info.dryRun) await Deno.remove(f).catch(() => {});
   *     return [f];
   *   }
   * }
   * ```
   */
  onDestroy(_info: DestroyInfo): string[] | undefined | Promise<string[] | undefined> {
    return undefined;
  }

  /**
   * Extra top-level keys for the lock file, asked of every handler after the root pass.
   * A key of ivpm's own (`packages`, `generated`, `sha256`, …) or of another handler is
   * an error that fails the update.
   *
   * @example
   * ```ts
   * import { PackageHandler } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override getLockEntries() {
   *     return { my_tool_version: "1.2.3" };
   *   }
   * }
   * ```
   */
  getLockEntries(_depsDir: string): Record<string, unknown> | Promise<Record<string, unknown>> {
    return {};
  }

  /**
   * State to persist in `packages/ivpm.json` (plain JSON), asked of every handler after the
   * root pass; offered back as `info.state` to the next update and to `onDestroy`.
   * Returning `undefined` drops the previous state.
   *
   * @example
   * ```ts
   * import { PackageHandler } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override getStateEntries() {
   *     return { generated: ["count.txt"] };
   *   }
   * }
   * ```
   */
  getStateEntries(): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined> {
    return undefined;
  }

  /**
   * Build step for `ivpm build` (the command arrives in a later release).
   *
   * @example
   * ```ts
   * import { type BuildInfo, PackageHandler } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override build(info: BuildInfo) {
   *     console.log(info.debug ? "debug build" : "release build");
   *   }
   * }
   * ```
   */
  build(_info: BuildInfo): void | Promise<void> {}

  /**
   * Opens a progress task (a no-op without a display). End it with `end()` or `fail()`;
   * open nested tasks with `task.taskContext()` or, better, `runTask(task, …)`, which
   * ends them for you (also on error).
   *
   * @example
   * ```ts
   * import { PackageHandler, type RootInfo } from "@ivpm/plugin";
   * class H extends PackageHandler {
   *   static override name = "h";
   *   override onRootPostLoad(info: RootInfo) {
   *     const task = this.taskContext(info, "h-write", "Writing files");
   *     task.progress("half way", 1, 2);
   *     task.end();
   *   }
   * }
   * ```
   */
  taskContext(info: { emit?: LeafInfo["emit"] }, taskId: string, taskName: string): TaskHandle {
    return new TaskHandle(info.emit, this.handlerName, taskId, taskName);
  }
}

/**
 * A handler class (what plugins export and the engine registers).
 *
 * @example
 * ```ts
 * import { type HandlerClass, PackageHandler } from "@ivpm/plugin";
 * class H extends PackageHandler {
 *   static override name = "h";
 * }
 * const cls: HandlerClass = H;
 * ```
 */
export type HandlerClass = (new () => PackageHandler) & {
  /** The handler's name (set `static override name` explicitly). */
  readonly name: string;
  /** See {@link PackageHandler.description}. */
  description: string;
  /** See {@link PackageHandler.phase}. */
  phase: HandlerPhaseSpec;
  /** See {@link PackageHandler.runAfter}. */
  runAfter: readonly string[];
  /** See {@link PackageHandler.runBefore}. */
  runBefore: readonly string[];
  /** See {@link PackageHandler.leafWhen}. */
  leafWhen: readonly Condition[] | null;
  /** See {@link PackageHandler.rootWhen}. */
  rootWhen: readonly Condition[] | null;
  /** See {@link PackageHandler.options}. */
  options?: ObjectSchema;
  /** See {@link PackageHandler.cliOptions}. */
  cliOptions: readonly CliOption[];
  /** See {@link PackageHandler.permissions}. */
  permissions?: PackageHandlerPermissions;
  /** See {@link PackageHandler.addOptions}. */
  addOptions(commands: Record<string, OptionTarget>): void;
};

/**
 * Extra permissions a built-in handler declares for its leaf workers.
 *
 * @example
 * ```ts
 * import type { PackageHandlerPermissions } from "@ivpm/plugin";
 * const p: PackageHandlerPermissions = { run: ["python3"] };
 * ```
 */
export type PackageHandlerPermissions = {
  /** Programs it runs (`true` = any). */
  run?: boolean | string[];
  /** Paths it writes (`true` = any). */
  write?: boolean | string[];
  /** Network access. */
  net?: boolean;
  /** Environment variables. */
  env?: boolean;
};
