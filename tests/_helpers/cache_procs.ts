/**
 * Helpers for tests that need real second processes: write a small Deno script
 * into a temp dir, run it with the same `deno`, and wait for files it creates.
 *
 * @module
 */

import { join } from "node:path";

/** `file:` URL of a module under `core/`, for scripts that import it by absolute path. */
export function coreModuleUrl(relPath: string): string {
  return new URL(`../../core/${relPath}`, import.meta.url).href;
}

/** Write `source` as `<dir>/<name>` and return its path. */
export async function writeScript(dir: string, name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(path, source);
  return path;
}

/** Start `deno run --allow-all <script> …args` with piped output; always `await child.output()` later. */
export function spawnDenoScript(script: string, args: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--no-config", "--no-lock", script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Wait for a child and return its stdout, throwing (with its stderr) if it failed. */
export async function childStdout(child: Deno.ChildProcess): Promise<string> {
  const out = await child.output();
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(`child exited with ${out.code}: ${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout);
}

/** Poll until `path` exists; throws after `timeoutMs` (a safety net, not a timing assertion). */
export async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await Deno.lstat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
