/**
 * Counting shims for external tools (npm, pip, …): a directory holding a
 * script per tool that logs its arguments, then runs the real tool, and an
 * environment with that directory first on PATH. Proves that a re-run invoked
 * no installer, without faking the tool.
 *
 * @module
 */

import { delimiter, join } from "node:path";
import { envWithPathFirst } from "./env.ts";

/** A shim directory; `env` has it first on PATH, `calls()` lists the logged invocations. */
export interface ToolShim {
  /** The directory holding the shims. */
  dir: string;
  /** The process environment with the shim directory first on PATH (pass it as the update's `env`). */
  env: Record<string, string>;
  /** Logged invocations, one `"<tool> <args…>"` string each, oldest first. */
  calls(): Promise<string[]>;
  /** Removes the shim directory. */
  dispose(): Promise<void>;
}

/** The absolute path of `tool` on the current PATH, or undefined. */
export async function whichTool(tool: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, tool);
    const st = await Deno.stat(p).catch(() => undefined);
    if (st?.isFile && ((st.mode ?? 0o111) & 0o111)) return p;
  }
  return undefined;
}

/**
 * Makes logging shims for `tools` (POSIX shells only) and an environment with
 * them first on PATH. Tools not installed get no shim, so calling them still
 * fails as "not found".
 */
export async function installToolShim(tools: string[]): Promise<ToolShim> {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-shim-" });
  const log = join(dir, "calls.log");
  await Deno.writeTextFile(log, "");
  for (const tool of tools) {
    const real = await whichTool(tool);
    if (!real) continue;
    const script = `#!/bin/sh\necho "${tool} $*" >> '${log}'\nexec '${real}' "$@"\n`;
    await Deno.writeTextFile(join(dir, tool), script, { mode: 0o755 });
  }
  return {
    dir,
    env: envWithPathFirst(dir),
    calls: async () => (await Deno.readTextFile(log)).split("\n").filter((l) => l !== ""),
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
}
