/**
 * `deno run -A scripts/bench_status.ts` — how long `ivpm status` takes on a
 * workspace of N git packages (default 300; target for the CLI: ≤ 0.5 s).
 *
 * Builds N local repositories (the update benchmark's fixture), runs a real
 * `ivpm update` (cache off), then makes every tenth package modified, every
 * seventh one commit ahead, and measures:
 * - in-process: `workspaceStatus` (git for every package, in parallel), median of 5;
 * - CLI: `deno run main.ts status` (start-up, config, git, rendering), median of 3;
 * - CLI start: `main.ts --version`, median of 3, so the difference is status's own work.
 *
 * Flags: `--n <count>`, `--keep` (leave the temp dir), `--strict` (exit 1 above the target).
 *
 * @module
 */

import { join } from "node:path";
import { runUpdate } from "../core/update/update.ts";
import { workspaceStatus } from "../core/workspace/status/status.ts";
import { renderStatus } from "../core/workspace/status/render.ts";
import { type BenchSet, makeBenchSet, pkgName } from "./bench/fixture.ts";
import { pool } from "./bench/pool.ts";
import { HERMETIC_GIT_ENV, ivpmArgs, spawnTimed } from "./bench/spawn.ts";
import { median } from "./bench/stats.ts";

/** Target for `ivpm status` through the CLI at 300 packages, ms. */
export const STATUS_TARGET_MS = 500;

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function run(cmd: string, args: string[], cwd: string): Promise<number> {
  return (await spawnTimed(cmd, args, { cwd, env: HERMETIC_GIT_ENV })).ms;
}

/**
 * Gives an updated bench workspace something to report: every tenth package gets a local file,
 * every seventh a local commit (so it is ahead of its origin).
 */
export async function dirtyWorkspace(set: BenchSet, n: number, jobs: number): Promise<void> {
  const deps = join(set.projectDir, "packages");
  const names = Array.from({ length: n }, (_, i) => pkgName(i));
  await pool(names.map((name, i) => ({ name, i })), jobs * 2, async ({ name, i }) => {
    if (i % 10 === 0) await Deno.writeTextFile(join(deps, name, "local-change.txt"), "x\n");
    if (i % 7 === 0) await run("git", ["commit", "-q", "--allow-empty", "-m", "local"], join(deps, name));
  });
}

async function main(): Promise<void> {
  const n = Number(arg("--n") ?? 300);
  const jobs = navigator.hardwareConcurrency ?? 2;
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-bench-status-" }));
  for (const [k, v] of Object.entries(HERMETIC_GIT_ENV)) Deno.env.set(k, v);
  try {
    console.log(`building ${n} repositories and updating (cores: ${jobs}) …`);
    const set = await makeBenchSet(root, n, jobs);
    await runUpdate({ projectDir: set.projectDir, cacheDir: null, anonymousGit: true, jobs });
    await dirtyWorkspace(set, n, jobs);

    const inProc: number[] = [];
    let rows = await workspaceStatus(set.projectDir);
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      rows = await workspaceStatus(set.projectDir);
      inProc.push(performance.now() - t);
    }
    const summary = renderStatus(rows).at(-1);
    const cli: number[] = [], start: number[] = [];
    for (let k = 0; k < 3; k++) {
      cli.push(await run(Deno.execPath(), ivpmArgs("status"), set.projectDir));
      start.push(await run(Deno.execPath(), ivpmArgs("--version"), set.projectDir));
    }
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`packages: ${rows.length}; ${summary}`);
    console.log(
      `in-process workspaceStatus: median ${fmt(median(inProc))} (runs: ${inProc.map(fmt).join(", ")})`,
    );
    console.log(`CLI 'ivpm status':          median ${fmt(median(cli))}; CLI start-up ${fmt(median(start))}`);
    const ok = median(cli) <= STATUS_TARGET_MS;
    console.log(`target ≤ ${STATUS_TARGET_MS} ms for the CLI: ${ok ? "met" : "MISSED"}`);
    if (!ok && Deno.args.includes("--strict")) Deno.exitCode = 1;
  } finally {
    if (Deno.args.includes("--keep")) console.log(`kept ${root}`);
    else await Deno.remove(root, { recursive: true });
  }
}

if (import.meta.main) await main();
