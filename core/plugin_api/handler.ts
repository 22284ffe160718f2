/**
 * The `PackageHandler` base class every handler extends — built-in or third party.
 *
 * @module
 */

import type { ObjectSchema } from "../config/schema.ts";
import type { Condition } from "./conditions.ts";
import { TaskHandle } from "./events.ts";
import type { BuildInfo, DestroyInfo, LeafInfo, RootInfo } from "./info.ts";
import type { PackageView } from "./package_view.ts";
import type { HandlerPhaseName } from "./phase.ts";

/**
 * Thrown from a leaf callback to abort the whole update with this message. Any
 * other error in a leaf callback is reported as a warning and the update goes on.
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
  description: string;
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
  option(flags: string, description: string, defaultValue?: string | boolean): unknown;
}

/**
 * Base class of every handler. Handlers declare static metadata (name, phase,
 * ordering constraints, conditions, options) and override the callbacks they need.
 *
 * Leaf callbacks run in Web Workers, several at once; each worker has its own
 * instance, so state kept on `this` in a leaf callback is NOT seen by the root
 * pass. Hand results over with {@link PackageHandler.collect}: the root instance
 * receives every record, exactly once, in package resolution order, as
 * `info.records` (and `this.records`). Leaf callbacks may also set `pkg.pkgType`
 * and add to `pkg.typeData`; the root pass sees those changes.
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
  /** Root-phase phase: a {@link HandlerPhase} value (or a legacy integer). Default `integrate`. */
  static phase: HandlerPhaseName | number = "integrate";
  /** Handler names or `phase:<name>` this handler must run after. */
  static runAfter: readonly string[] = [];
  /** Handler names or `phase:<name>` this handler must run before. */
  static runBefore: readonly string[] = [];
  /** Leaf conditions: `null` = every package, `[]` = no leaf dispatch. */
  static leafWhen: readonly Condition[] | null = null;
  /** Root conditions: `null` = always, `[]` = never. */
  static rootWhen: readonly Condition[] | null = null;
  /** Schema of this handler's `package.with.<name>` block (unknown keys are errors). */
  static options?: ObjectSchema;
  /** CLI options this handler adds (declarative form of {@link PackageHandler.addOptions}). */
  static cliOptions: readonly CliOption[] = [];
  /** Extra permissions a built-in handler's leaf workers need beyond read access (ignored for plugins). */
  static permissions?: { run?: boolean | string[]; write?: boolean | string[]; net?: boolean; env?: boolean };

  /**
   * Adds CLI options to sub-commands (`commands.update`, `commands.clone`, …).
   * Called on the class, without running any callback.
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

  /** The handler's name (its class's static `name`). */
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

  /** Takes the records collected since the last call (used by the engine). */
  drainCollected(): unknown[] {
    const out = this.#collected;
    this.#collected = [];
    return out;
  }

  /**
   * Clears per-run state; called by the default `onRootPreLoad`.
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
   * Called before a package is fetched (rarely needed).
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
   * Called in a worker once a package is on disk.
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
   * Called before any package is fetched. The default calls {@link PackageHandler.reset}.
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
   * Called after every package is fetched, in DAG order; builds the project views.
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
   * Removes what this handler created (`ivpm destroy`); honour `info.dryRun`. Returns the removed paths.
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
   * Extra top-level keys for the lock file (called after `onRootPostLoad`).
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
   * State to persist in `packages/ivpm.json`; offered back next run as `info.state`.
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
   * Build step for `ivpm build`.
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
   * Opens a progress task (a no-op without a display). End it with `end()`, or use `runTask`.
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
  readonly name: string;
  description: string;
  phase: HandlerPhaseName | number;
  runAfter: readonly string[];
  runBefore: readonly string[];
  leafWhen: readonly Condition[] | null;
  rootWhen: readonly Condition[] | null;
  options?: ObjectSchema;
  cliOptions: readonly CliOption[];
  permissions?: PackageHandlerPermissions;
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
  run?: boolean | string[];
  write?: boolean | string[];
  net?: boolean;
  env?: boolean;
};
