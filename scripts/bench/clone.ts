/**
 * The baseline of the update benchmark: every repository of a bench set cloned
 * by a bare promise pool of `git clone -q`, no ivpm in between.
 *
 * @module
 */

import { join } from "node:path";
import type { BenchSet } from "./fixture.ts";
import { pool } from "./pool.ts";

/** Clones every repository of `set` into `dest/<name>`, `jobs` at a time. */
export async function plainClone(set: BenchSet, dest: string, jobs: number): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  await pool([...set.urls], jobs, async ([name, url]) => {
    const out = await new Deno.Command("git", {
      args: ["clone", "-q", url, join(dest, name)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (out.code !== 0) throw new Error(`git clone ${url} failed: ${new TextDecoder().decode(out.stderr)}`);
  });
}
