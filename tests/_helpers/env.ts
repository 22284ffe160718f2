/**
 * Environments for one test: a copy of the process environment with some
 * variables set or removed, handed to the code under test (`runUpdate({ env })`,
 * a handler's `info.env`, a spawned CLI). Tests never change the process
 * environment, so test files can run in parallel.
 *
 * @module
 */

import { delimiter } from "node:path";

/** The process environment with `vars` applied (`undefined` removes a variable). */
export function envWith(vars: Record<string, string | undefined> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** `env` (default: the process's) with `dir` first on PATH. */
export function envWithPathFirst(
  dir: string,
  env: Record<string, string> = envWith(),
): Record<string, string> {
  return { ...env, PATH: env.PATH ? `${dir}${delimiter}${env.PATH}` : dir };
}
