/**
 * Timed child processes for the benchmarks: the ivpm CLI as a user runs it
 * (`deno run <flags> --config deno.json main.ts …`), any other command, and
 * optionally the child's peak memory from GNU time (`/usr/bin/time -f %M`).
 *
 * @module
 */

import { join, resolve } from "node:path";

/** The repository root (holds main.ts and deno.json). */
export const REPO_ROOT: string = resolve(import.meta.dirname!, "..", "..");

/** The flags the installed launcher runs ivpm with. */
const RUNTIME_FLAGS = ["--allow-all", "--unstable-worker-options"];

/** Where GNU time lives; peak memory is reported only where it exists. */
const GNU_TIME = "/usr/bin/time";

/** Git without the user's or the system's configuration (hooks, url rewrites, fsmonitor). */
export const HERMETIC_GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "bench@ivpm.invalid",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "bench@ivpm.invalid",
};

/**
 * Environment isolating ivpm from the machine it runs on: no user plugins or site config, no package
 * cache (`IVPM_CACHE=""`), plain output, hermetic git. `root` is a scratch directory for the empty
 * config and the plugin cache.
 */
export function hermeticEnv(root: string): Record<string, string> {
  return {
    ...HERMETIC_GIT_ENV,
    XDG_CONFIG_HOME: join(root, "config-empty"),
    IVPM_PLUGIN_CACHE: join(root, "plugin-cache"),
    IVPM_SITE_CONFIG_FILE: join(root, "no-site-config.yaml"),
    IVPM_CACHE: "",
    CI: "",
    NO_COLOR: "1",
  };
}

/** Arguments of `deno` that run ivpm's entry point with `args`. */
export function ivpmArgs(...args: string[]): string[] {
  return [
    "run",
    ...RUNTIME_FLAGS,
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "main.ts"),
    ...args,
  ];
}

/** How to run one timed command. */
export interface SpawnOptions {
  cwd?: string;
  /** Added to (overriding) the inherited environment. */
  env?: Record<string, string>;
  /** Also measure the peak resident memory (GNU time). */
  rss?: boolean;
}

/** One timed run. */
export interface Sample {
  /** Wall time from spawn to exit, ms. */
  ms: number;
  /** Peak RSS of the largest process waited for, KiB (with `rss` where GNU time exists). */
  rssKiB?: number;
  stdout: string;
}

let gnuTime: boolean | undefined;

function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    try {
      gnuTime = Deno.statSync(GNU_TIME).isFile;
    } catch {
      gnuTime = false;
    }
  }
  return gnuTime;
}

/** Runs `cmd args`, timing it from the outside; throws with its stderr when it fails. */
export async function spawnTimed(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<Sample> {
  let rssFile: string | undefined;
  if (opts.rss && hasGnuTime()) {
    rssFile = await Deno.makeTempFile({ prefix: "ivpm-bench-rss-" });
    args = ["-f", "%M", "-o", rssFile, cmd, ...args];
    cmd = GNU_TIME;
  }
  try {
    const t0 = performance.now();
    const out = await new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const ms = performance.now() - t0;
    if (out.code !== 0) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
      throw new Error(`${[cmd, ...args].join(" ")} failed (exit ${out.code}): ${err}`);
    }
    const rssKiB = rssFile ? Number((await Deno.readTextFile(rssFile)).trim()) : undefined;
    return { ms, rssKiB, stdout: new TextDecoder().decode(out.stdout) };
  } finally {
    if (rssFile) await Deno.remove(rssFile).catch(() => {});
  }
}

/** Runs `ivpm args` through the real entry point. */
export function ivpm(args: string[], opts: SpawnOptions = {}): Promise<Sample> {
  return spawnTimed(Deno.execPath(), ivpmArgs(...args), opts);
}

/**
 * Flushes dirty pages to disk (`sync`) so a timed step does not pay for the writeback of the one before
 * (set-up and clones write thousands of small files; the kernel flushes them in bursts).
 */
export async function settle(): Promise<void> {
  await new Deno.Command("sync", { stdin: "null", stdout: "null", stderr: "null" }).output().catch(() => {});
}
