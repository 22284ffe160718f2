/**
 * The floors of the status and memory rows: a bare Deno process doing only the git work ivpm
 * cannot avoid, run as its own process so it is timed (and its peak memory taken) like ivpm.
 *
 *   deno run -A scripts/bench/floor.ts status <depsDir> <jobs>   `git status` of every package
 *   deno run -A scripts/bench/floor.ts clone <urls.json> <dest> <jobs>   `git clone -q` of every URL
 *
 * Output is piped and read, as ivpm reads it.
 *
 * @module
 */

import { join } from "node:path";
import { pool } from "./pool.ts";

async function run(args: string[], cwd?: string): Promise<void> {
  const out = await new Deno.Command("git", { args, cwd, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`git ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

if (import.meta.main) {
  const [what, ...rest] = Deno.args;
  if (what === "status") {
    const [depsDir, jobs] = rest;
    const dirs: string[] = [];
    for await (const e of Deno.readDir(depsDir)) {
      if (e.isDirectory && !e.name.startsWith(".")) dirs.push(join(depsDir, e.name));
    }
    await pool(
      dirs,
      Number(jobs),
      (dir) => run(["--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z"], dir),
    );
  } else if (what === "clone") {
    const [urlsFile, dest, jobs] = rest;
    const urls = JSON.parse(await Deno.readTextFile(urlsFile)) as [string, string][];
    await Deno.mkdir(dest, { recursive: true });
    await pool(urls, Number(jobs), ([name, url]) => run(["clone", "-q", url, join(dest, name)]));
  } else {
    console.error("usage: floor.ts status <depsDir> <jobs> | clone <urls.json> <dest> <jobs>");
    Deno.exit(2);
  }
}
