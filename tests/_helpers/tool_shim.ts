/**
 * Counting shims for external tools (npm, pip, …): a directory put first on
 * PATH holding a script per tool that logs its arguments, then runs the real
 * tool. Proves that a re-run invoked no installer, without faking the tool.
 *
 * @module
 */

import { delimiter, join } from "node:path";

/** A shim directory on PATH; `calls()` lists the logged invocations, `dispose()` restores PATH. */
export interface ToolShim {
  /** The directory holding the shims. */
  dir: string;
  /** Logged invocations, one `"<tool> <args…>"` string each, oldest first. */
  calls(): Promise<string[]>;
  /** Restores PATH and removes the shim directory. */
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
 * Puts logging shims for `tools` first on PATH (POSIX shells only). Tools not
 * installed get no shim, so calling them still fails as "not found".
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
  const oldPath = Deno.env.get("PATH");
  Deno.env.set("PATH", `${dir}${delimiter}${oldPath ?? ""}`);
  return {
    dir,
    calls: async () => (await Deno.readTextFile(log)).split("\n").filter((l) => l !== ""),
    dispose: async () => {
      if (oldPath === undefined) Deno.env.delete("PATH");
      else Deno.env.set("PATH", oldPath);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Sets PATH to `value` until the returned function is called. */
export function withPath(value: string): () => void {
  const old = Deno.env.get("PATH");
  Deno.env.set("PATH", value);
  return () => (old === undefined ? Deno.env.delete("PATH") : Deno.env.set("PATH", old));
}
