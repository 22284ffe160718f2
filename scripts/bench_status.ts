/**
 * `deno run -A scripts/bench_status.ts` — how long `ivpm status` takes on a
 * workspace of N git packages (default 300; target: well under 2 s).
 *
 * Builds N local repositories (the update benchmark's fixture), runs a real
 * `ivpm update` (cache off), then makes every tenth package modified, every
 * seventh one commit ahead, and measures:
 * - in-process: `workspaceStatus` (git for every package, in parallel), median of 5;
 * - CLI: `deno run main.ts status` (start-up, config, git, rendering), median of 3;
 * - CLI start: `main.ts --version`, median of 3, so the difference is status's own work.
 *
 * Flags: `--n <count>`, `--keep` (leave the temp dir), `--strict` (exit 1 above 2 s).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { runUpdate } from "../core/update/update.ts";
import { workspaceStatus } from "../core/status/status.ts";
import { renderStatus } from "../core/status/render.ts";
import { makeBenchSet, pkgName } from "./bench/fixture.ts";
import { pool } from "./bench/pool.ts";

const REPO_ROOT = resolve(import.meta.dirname!, "..");
const TARGET_MS = 2000;

const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@ivpm.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@ivpm.invalid",
};

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function run(cmd: string, args: string[], cwd: string): Promise<number> {
  const t = performance.now();
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "piped", env: GIT_ENV })
    .output();
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(r.stderr)}`);
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const n = Number(arg("--n") ?? 300);
  const jobs = navigator.hardwareConcurrency ?? 2;
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-bench-status-" }));
  for (const [k, v] of Object.entries(GIT_ENV)) Deno.env.set(k, v);
  try {
    console.log(`building ${n} repositories and updating (cores: ${jobs}) …`);
    const set = await makeBenchSet(root, n, jobs);
    await runUpdate({ projectDir: set.projectDir, cacheDir: null, anonymousGit: true, jobs });
    const deps = join(set.projectDir, "packages");
    const names = Array.from({ length: n }, (_, i) => pkgName(i));
    await pool(names.map((name, i) => ({ name, i })), jobs * 2, async ({ name, i }) => {
      if (i % 10 === 0) await Deno.writeTextFile(join(deps, name, "local-change.txt"), "x\n");
      if (i % 7 === 0) await run("git", ["commit", "-q", "--allow-empty", "-m", "local"], join(deps, name));
    });

    const inProc: number[] = [];
    let rows = await workspaceStatus(set.projectDir);
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      rows = await workspaceStatus(set.projectDir);
      inProc.push(performance.now() - t);
    }
    const summary = renderStatus(rows).at(-1);
    const main = join(REPO_ROOT, "main.ts"), config = join(REPO_ROOT, "deno.json");
    const cli: number[] = [], start: number[] = [];
    for (let k = 0; k < 3; k++) {
      cli.push(await run(Deno.execPath(), ["run", "-A", "--config", config, main, "status"], set.projectDir));
      start.push(
        await run(Deno.execPath(), ["run", "-A", "--config", config, main, "--version"], set.projectDir),
      );
    }
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`packages: ${rows.length}; ${summary}`);
    console.log(
      `in-process workspaceStatus: median ${fmt(median(inProc))} (runs: ${inProc.map(fmt).join(", ")})`,
    );
    console.log(`CLI 'ivpm status':          median ${fmt(median(cli))}; CLI start-up ${fmt(median(start))}`);
    const ok = median(cli) < TARGET_MS;
    console.log(`target < ${TARGET_MS} ms for the CLI: ${ok ? "met" : "MISSED"}`);
    if (!ok && Deno.args.includes("--strict")) Deno.exitCode = 1;
  } finally {
    if (Deno.args.includes("--keep")) console.log(`kept ${root}`);
    else await Deno.remove(root, { recursive: true });
  }
}

await main();
