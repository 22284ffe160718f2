/**
 * Handler phases: barriers that order root callbacks.
 *
 * @module
 */

/**
 * The five ordered, barrier-separated phases of the root pass. Every handler in
 * one phase finishes before any handler of the next starts.
 *
 * @example
 * ```ts
 * import { HandlerPhase, PackageHandler } from "@ivpm/plugin";
 * class Venv extends PackageHandler {
 *   static override name = "my-venv";
 *   static override phase = HandlerPhase.INSTALL;
 * }
 * ```
 */
export const HandlerPhase = {
  /** First: set-up the others rely on (the original's direnv, phase 0). */
  PREPARE: "prepare",
  /** Tool environments (the original's environment modules, phase 1–2). */
  ENVIRONMENT: "environment",
  /** Installing into the project (the original's Python venv, phase 3–5). */
  INSTALL: "install",
  /** The default: wiring packages into tools and IDEs (agents, node; phase 6–9). */
  INTEGRATE: "integrate",
  /** Last: work that needs everything else done (the original's fusesoc, phase ≥ 10). */
  FINALIZE: "finalize",
} as const;

/**
 * One of the {@link HandlerPhase} values.
 *
 * @example
 * ```ts
 * import type { HandlerPhaseName } from "@ivpm/plugin";
 * const p: HandlerPhaseName = "install";
 * ```
 */
export type HandlerPhaseName = typeof HandlerPhase[keyof typeof HandlerPhase];

/**
 * A phase as a handler may declare it: a name in lower case, upper case or capitalised (normalised by
 * ivpm), or a legacy integer of the Python original.
 *
 * @example
 * ```ts
 * import type { HandlerPhaseSpec } from "@ivpm/plugin";
 * const phases: HandlerPhaseSpec[] = ["install", "INSTALL", "Install", 5];
 * ```
 */
export type HandlerPhaseSpec =
  | HandlerPhaseName
  | Uppercase<HandlerPhaseName>
  | Capitalize<HandlerPhaseName>
  | number;

/**
 * Phases in execution order. Used by the engine; not part of the public API.
 *
 * @example
 * ```ts
 * import { PHASE_ORDER } from "./phase.ts";
 * console.log(PHASE_ORDER.indexOf("install")); // 2
 * ```
 */
export const PHASE_ORDER: readonly HandlerPhaseName[] = [
  "prepare",
  "environment",
  "install",
  "integrate",
  "finalize",
];

/**
 * Maps a phase given as a name or a legacy integer (the Python original's
 * `phase = 5`) to a phase name. Integers map: ≤0 → prepare, 1–2 → environment,
 * 3–5 → install, 6–9 → integrate, ≥10 → finalize — which keeps the original's
 * built-in order (direnv 0, modules 1, python 5, agents/node 6, fusesoc 10).
 * Used by the engine; not part of the public API.
 *
 * @example
 * ```ts
 * import { normalizePhase } from "./phase.ts";
 * normalizePhase(5); // "install"
 * normalizePhase("INTEGRATE"); // "integrate"
 * ```
 */
export function normalizePhase(phase: string | number | undefined): HandlerPhaseName {
  if (phase === undefined) return "integrate";
  if (typeof phase === "number") {
    if (phase <= 0) return "prepare";
    if (phase <= 2) return "environment";
    if (phase <= 5) return "install";
    if (phase <= 9) return "integrate";
    return "finalize";
  }
  const p = phase.toLowerCase() as HandlerPhaseName;
  if (!PHASE_ORDER.includes(p)) {
    throw new Error(`unknown handler phase '${phase}' (use one of ${PHASE_ORDER.join(", ")})`);
  }
  return p;
}
