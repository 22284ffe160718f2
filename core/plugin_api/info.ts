/**
 * What ivpm passes to handler callbacks. Everything is plain data, so the same
 * objects reach a handler on the main thread and in a worker.
 *
 * @module
 */

import type { PackageView } from "./package_view.ts";
import type { HandlerEvent } from "./events.ts";
import type { SiteSettings } from "./site_config.ts";

/**
 * What every callback's info carries: where the project is, the handler's own
 * configuration, the site settings and the ways to report (`warn`, `note`) and
 * to show progress (`emit`). {@link LeafInfo}, {@link RootInfo},
 * {@link BuildInfo} and {@link DestroyInfo} extend it.
 *
 * @example
 * ```ts
 * import type { CallbackInfo } from "@ivpm/plugin";
 * function report(info: CallbackInfo, missing: string[]) {
 *   if (missing.length) info.warn?.(`missing: ${missing.join(", ")}`);
 *   else info.note?.(`all present in ${info.depsDir}`);
 * }
 * ```
 */
export interface CallbackInfo {
  /** Absolute project directory. */
  projectDir: string;
  /** Absolute deps directory (`<project>/packages`). */
  depsDir: string;
  /**
   * This handler's own output directory, `<deps dir>/.ivpm/out/<handler name>` (absolute). A plugin's
   * callbacks may write under the deps dir only here (created before its callbacks run), or inside a
   * package path its `allow-write` grant names; ivpm's state, the venv, the node env and other handlers'
   * files are never writable to plugins, nor is a path its grant names only by naming the deps dir or the
   * project. Built-in handlers get the path too (not created for them). Always set by ivpm (optional only
   * so that an info built by hand in a plugin's own tests need not name it).
   */
  outputDir?: string;
  /** This handler's `package.with.<name>` block of the root ivpm.yaml (validated against its options). */
  config: Record<string, unknown>;
  /**
   * Where task events go. Pass the info to `this.taskContext()` rather than calling it
   * directly. It may be absent (nothing displays progress); task calls are then no-ops.
   */
  emit?: (event: HandlerEvent) => void;
  /** Effective settings of the active site config (cache dir, ivpm install args, git auth order). */
  site?: SiteSettings;
  /**
   * The environment of the run (read this, not `Deno.env`: an update may be given its own). Built-in
   * handlers see all of it; a plugin sees only the variables its `allow-env` grant names, and nothing
   * (undefined) without that grant.
   */
  env?: Readonly<Record<string, string>>;
  /** Reports a warning (shown by default, prefixed with the handler's name). */
  warn?: (message: string) => void;
  /** Reports a note (shown with `-v`, prefixed with the handler's name). */
  note?: (message: string) => void;
}

/**
 * Context of a leaf callback (`onLeafPreLoad`, `onLeafPostLoad`). The same
 * fields, plus the root-only ones of {@link RootInfo}, reach root callbacks.
 *
 * @example
 * ```ts
 * import type { LeafInfo } from "@ivpm/plugin";
 * function where(info: LeafInfo): string {
 *   return info.depsDir;
 * }
 * ```
 */
export interface LeafInfo extends CallbackInfo {
  /**
   * Values of the CLI options this handler added (`cliOptions` / `addOptions`) to the running
   * sub-command, keyed by camelCase attribute name (`--py-fast` → `pyFast`, `--no-venv` → `venv`).
   */
  args: Record<string, unknown>;
}

/**
 * One record produced by a leaf callback with `collect()`.
 *
 * @example
 * ```ts
 * import type { LeafRecord } from "@ivpm/plugin";
 * const r: LeafRecord<{ cores: string[] }> = { package: "ip-lib", record: { cores: ["a.core"] } };
 * ```
 */
export interface LeafRecord<T = unknown> {
  /** Name of the package whose leaf callback collected it. */
  package: string;
  /** The value passed to `collect()` (a structured-clone copy of it). */
  record: T;
}

/**
 * Context of the root callbacks (`onRootPreLoad`, `onRootPostLoad`).
 *
 * @example
 * ```ts
 * import type { RootInfo } from "@ivpm/plugin";
 * function names(info: RootInfo): string[] {
 *   return info.packages.map((p) => p.name);
 * }
 * ```
 */
export interface RootInfo extends LeafInfo {
  /** Every package of the update, in resolution order (empty in `onRootPreLoad`). */
  packages: PackageView[];
  /**
   * Records this handler's leaf callbacks collected, each exactly once, in package resolution
   * order (collection order within one package); empty in `onRootPreLoad`.
   */
  records: LeafRecord[];
  /** What this handler's `getStateEntries()` returned on the previous update, if anything. */
  state?: Record<string, unknown>;
  /**
   * Plain data handed from earlier root handlers to later ones (DAG order), e.g. the
   * python handler publishes skill directories for the agents handler. A plugin running
   * in a worker gets a copy; the keys it sets are merged back.
   */
  exchange: Record<string, unknown>;
}

/**
 * Context of `onDestroy`.
 *
 * @example
 * ```ts
 * import type { DestroyInfo } from "@ivpm/plugin";
 * const plan = (i: DestroyInfo) => (i.dryRun ? "would remove" : "removing");
 * ```
 */
export interface DestroyInfo extends CallbackInfo {
  /** Report what would be removed; change nothing. */
  dryRun: boolean;
  /** What this handler's `getStateEntries()` returned on the last update, if anything. */
  state?: Record<string, unknown>;
}

/**
 * Context of `build` (`ivpm build`; the command itself arrives in a later release).
 *
 * @example
 * ```ts
 * import type { BuildInfo } from "@ivpm/plugin";
 * const mode = (i: BuildInfo) => (i.debug ? "debug" : "release");
 * ```
 */
export interface BuildInfo extends CallbackInfo {
  /** `ivpm build --debug` was given. */
  debug: boolean;
  /** Every package of the project, in resolution order. */
  packages: PackageView[];
  /** Values of the CLI options this handler added to `build`, keyed by option name (camelCase). */
  args: Record<string, unknown>;
}
