/**
 * Activation conditions for `leafWhen` / `rootWhen`.
 *
 * @module
 */

import type { PackageView } from "./package_view.ts";

/**
 * A condition: called with one package in the leaf phase, and with every
 * package of the update in the root phase. Conditions in a list are AND-ed.
 *
 * @example
 * ```ts
 * import type { Condition } from "@ivpm/plugin";
 * const hasCmake: Condition = (p) => !Array.isArray(p) && p.name.startsWith("cmake-");
 * ```
 */
export type Condition = (target: PackageView | PackageView[]) => boolean | Promise<boolean>;

/**
 * Always true: marks a handler as intentionally unconditional.
 *
 * @example
 * ```ts
 * import { ALWAYS, PackageHandler } from "@ivpm/plugin";
 * class H extends PackageHandler {
 *   static override name = "h";
 *   static override rootWhen = [ALWAYS];
 * }
 * ```
 */
export const ALWAYS: Condition = Object.assign(() => true, { toString: () => "ALWAYS" });

function hasTypeIn(p: PackageView, name: string): boolean {
  return p.pkgType === name || p.typeData.some((t) => t.name === name);
}

/**
 * True when the package (leaf) or any package (root) has content type `name`,
 * either declared (`type:`) or detected by a leaf handler (`pkg.pkgType`).
 *
 * @example
 * ```ts
 * import { hasType, PackageHandler } from "@ivpm/plugin";
 * class Fuse extends PackageHandler {
 *   static override name = "fuse";
 *   static override rootWhen = [hasType("fusesoc")];
 * }
 * ```
 */
export function hasType(name: string): Condition {
  return Object.assign(
    (t: PackageView | PackageView[]) =>
      Array.isArray(t) ? t.some((p) => hasTypeIn(p, name)) : hasTypeIn(t, name),
    { toString: () => `hasType('${name}')` },
  );
}

/**
 * True when the package (leaf) or any package (root) comes from source type `src`.
 *
 * @example
 * ```ts
 * import { hasSourceType, PackageHandler } from "@ivpm/plugin";
 * class GitOnly extends PackageHandler {
 *   static override name = "git-only";
 *   static override leafWhen = [hasSourceType("git")];
 * }
 * ```
 */
export function hasSourceType(src: string): Condition {
  return Object.assign(
    (t: PackageView | PackageView[]) =>
      Array.isArray(t) ? t.some((p) => p.srcType === src) : t.srcType === src,
    { toString: () => `hasSourceType('${src}')` },
  );
}

/**
 * Evaluates a condition list: `null`/`undefined` = always, `[]` = never, else all must hold.
 * Used by the engine; not part of the public API.
 *
 * @example
 * ```ts
 * import { evaluateConditions, hasSourceType } from "./conditions.ts";
 * await evaluateConditions([hasSourceType("git")], []); // false
 * ```
 */
export async function evaluateConditions(
  conditions: readonly Condition[] | null | undefined,
  target: PackageView | PackageView[],
): Promise<boolean> {
  if (conditions === null || conditions === undefined) return true;
  if (conditions.length === 0) return false;
  for (const c of conditions) if (!(await c(target))) return false;
  return true;
}
