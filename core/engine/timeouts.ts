/**
 * Time limits of plugin callbacks: a callback that does not return in time has its worker terminated
 * and fails the run naming the handler, its plugin and how to raise the limit.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";

/** Default limit of one package's leaf callbacks (they inspect files; minutes mean a hang). */
export const DEFAULT_LEAF_TIMEOUT_MS = 10 * 60_000;
/** Default limit of one root callback (root work such as a venv or npm install can be long). */
export const DEFAULT_ROOT_TIMEOUT_MS = 30 * 60_000;

/** A handler callback ran past its time limit; its worker was terminated. */
export class HandlerTimeoutError extends IvpmError {
  constructor(handler: string, what: string, ms: number, plugin?: string) {
    super(
      `handler '${handler}'${plugin ? ` (plugin ${plugin})` : ""} did not finish ${what} within ${
        Math.round(ms / 1000)
      } s; its worker was stopped`,
      {
        hint:
          "if it needs longer, raise the limit with --handler-timeout <seconds> (or IVPM_HANDLER_TIMEOUT), " +
          "or with 'timeout: <seconds>' in the plugin's entry",
      },
    );
    this.name = "HandlerTimeoutError";
  }
}

/**
 * The `--handler-timeout` / `IVPM_HANDLER_TIMEOUT` value in milliseconds, or undefined when unset.
 *
 * @example
 * ```ts
 * handlerTimeoutMs(undefined, { IVPM_HANDLER_TIMEOUT: "90" }); // 90_000
 * ```
 */
export function handlerTimeoutMs(
  flag: number | undefined,
  env: Record<string, string | undefined>,
): number | undefined {
  if (flag !== undefined) return flag * 1000;
  const raw = env.IVPM_HANDLER_TIMEOUT;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new IvpmError(`IVPM_HANDLER_TIMEOUT must be a positive number of seconds, got '${raw}'`, {
      hint: "unset it or set e.g. IVPM_HANDLER_TIMEOUT=600",
    });
  }
  return n * 1000;
}
