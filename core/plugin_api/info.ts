/**
 * What ivpm passes to handler callbacks. Everything is plain data, so the same
 * objects reach a handler on the main thread and in a worker.
 *
 * @module
 */

import type { PackageView } from "./package_view.ts";
import type { HandlerEvent } from "./events.ts";

/**
 * Context of a leaf callback (`onLeafPreLoad`, `onLeafPostLoad`).
 *
 * @example
 * ```ts
 * import type { LeafInfo } from "@ivpm/plugin";
 * function where(info: LeafInfo): string {
 *   return info.depsDir;
 * }
 * ```
 */
export interface LeafInfo {
  /** Absolute project directory. */
  projectDir: string;
  /** Absolute deps directory (`<project>/packages`). */
  depsDir: string;
  /** This handler's `package.with.<name>` block of the root ivpm.yaml (validated against its options). */
  config: Record<string, unknown>;
  /** Values of the CLI options this handler added with `addOptions`, keyed by option name (camelCase). */
  args: Record<string, unknown>;
  /** Where task events go; absent when nothing displays them (then task calls are no-ops). */
  emit?: (event: HandlerEvent) => void;
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
  /** Records this handler's leaf callbacks collected, in package resolution order. */
  records: LeafRecord[];
  /** What this handler's `getStateEntries()` returned on the previous update, if anything. */
  state?: Record<string, unknown>;
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
export interface DestroyInfo {
  projectDir: string;
  depsDir: string;
  /** Report what would be removed; change nothing. */
  dryRun: boolean;
  config: Record<string, unknown>;
  state?: Record<string, unknown>;
  emit?: (event: HandlerEvent) => void;
}

/**
 * Context of `build`.
 *
 * @example
 * ```ts
 * import type { BuildInfo } from "@ivpm/plugin";
 * const mode = (i: BuildInfo) => (i.debug ? "debug" : "release");
 * ```
 */
export interface BuildInfo {
  projectDir: string;
  depsDir: string;
  debug: boolean;
  packages: PackageView[];
  config: Record<string, unknown>;
  args: Record<string, unknown>;
  emit?: (event: HandlerEvent) => void;
}
