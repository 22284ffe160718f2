/**
 * The time limit of one git command: a remote that accepts the connection and
 * then stalls would otherwise hang `ivpm update` forever. Curl's low-speed
 * limit catches a transfer that stops; the overall limit (`IVPM_GIT_TIMEOUT`,
 * seconds, `0` turns it off) catches everything else, and the git process is
 * stopped when it is reached.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";

/** Default overall limit of one git command (a large clone on a slow link can take long). */
export const DEFAULT_GIT_TIMEOUT_S = 3600;

/** Curl gives up when fewer than this many bytes per second arrive … */
export const LOW_SPEED_LIMIT = "1";
/** … for this many seconds (a stalled server, not a slow one). */
export const LOW_SPEED_TIME = "60";

/**
 * The overall limit in milliseconds from `IVPM_GIT_TIMEOUT` (seconds), or
 * undefined when it is `0` (no limit).
 *
 * @throws {IvpmError} for a value that is not a number of seconds.
 */
export function gitTimeoutMs(env: Record<string, string | undefined>): number | undefined {
  const raw = env.IVPM_GIT_TIMEOUT;
  if (raw === undefined || raw.trim() === "") return DEFAULT_GIT_TIMEOUT_S * 1000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new IvpmError(`IVPM_GIT_TIMEOUT must be a number of seconds, got '${raw}'`, {
      hint: `unset it (default ${DEFAULT_GIT_TIMEOUT_S} s), set e.g. IVPM_GIT_TIMEOUT=600, or 0 for no limit`,
    });
  }
  return n === 0 ? undefined : n * 1000;
}

/** A git command ran past {@link gitTimeoutMs}; its process was stopped. */
export class GitTimeoutError extends IvpmError {
  constructor(sub: string, target: string, ms: number) {
    super(
      `git ${sub} for ${target} did not finish within ${
        ms / 1000
      } s (IVPM_GIT_TIMEOUT); the git process was stopped`,
      {
        hint: "check that the server answers (a stalled or very slow remote), or raise the limit with " +
          "IVPM_GIT_TIMEOUT=<seconds> (0 turns it off)",
      },
    );
    this.name = "GitTimeoutError";
  }
}
