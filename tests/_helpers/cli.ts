/**
 * Runs the real `ivpm` CLI in a child process (`deno run main.ts …`) and
 * captures what a user would see.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The project's deno.json (import map for `yaml`, `commander`, …). */
export const DENO_JSON: string = fileURLToPath(new URL("../../deno.json", import.meta.url));
/** The CLI entry point. */
export const MAIN_TS: string = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** What one run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runIvpm}. */
export interface RunOptions {
  /** Working directory (the project dir for most commands). */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Environment variables to remove from the inherited environment (e.g. `NO_COLOR`). */
  unsetEnv?: string[];
  /** Script to run instead of main.ts (e.g. a driver that adds a test command). */
  script?: string;
}

/** `deno run` arguments that start `script` (default main.ts) with `args`. */
export function ivpmCommandArgs(args: string[], script: string = MAIN_TS): string[] {
  return ["run", "-A", "--unstable-worker-options", "--config", DENO_JSON, script, ...args];
}

function childEnv(opts: RunOptions): { env: Record<string, string>; clearEnv: boolean } {
  if (!opts.unsetEnv?.length) return { env: opts.env ?? {}, clearEnv: false };
  const env = Deno.env.toObject();
  for (const k of opts.unsetEnv) delete env[k];
  return { env: { ...env, ...opts.env }, clearEnv: true };
}

/** Runs `ivpm <args>` with stdin closed and output captured. */
export async function runIvpm(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ivpmCommandArgs(args, opts.script),
    cwd: opts.cwd,
    ...childEnv(opts),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
