/**
 * `deno run -A --unstable-worker-options scripts/bench_update.ts` — how fast `ivpm update` is against a
 * plain parallel `git clone`, in detail (`deno task bench` prints the headline figures of every
 * benchmark in one table; this one adds in-process timings and the `--profile` breakdown).
 *
 * For N = 50 and N = 300 local bare repositories (about one in ten declaring 1–3
 * others in its own ivpm.yaml, so the resolver descends) it measures, in one process:
 * - fresh: `runUpdate` in-process on an empty project (cache disabled, jobs = cores), one run;
 * - plain: the same N repositories cloned by a bare promise pool of `git clone -q`, same jobs;
 *   run just before and just after the fresh update, the mean of the two (on a shared
 *   machine the load drifts; one side only would bias the ratio). `--rounds k` repeats
 *   this k times and reports the round with the median ratio;
 * - no-op: a second update with nothing to do, best of 3;
 * - CLI no-op: `deno run … main.ts update` in the project, best of 3, and CLI start:
 *   `main.ts --version`, best of 3 — their difference is the update's own work;
 * - other load: the share of the machine's CPU other processes took meanwhile (Linux):
 *   above ~10 % the timings are not worth comparing.
 *
 * Flags: `--quick` (N = 50 only, for CI smoke runs), `--profile` (an extra pass with
 * git's trace2 on: git processes per package, their run times, peak concurrency, and
 * ivpm's own time per package before/between/after git), `--strict` (exit 1 when a
 * target is missed), `--jobs <n>`, `--rounds <k>`, `--sizes 50,300`, `--keep` (leave the temp dirs).
 *
 * Git runs without the user's global/system configuration so a hook or setting
 * on the machine cannot skew the numbers (same for ivpm and the plain clones).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { runUpdate, type UpdateResult } from "../core/update/update.ts";
import { type BenchSet, makeBenchSet } from "./bench/fixture.ts";
import { gitBusyMs, type GitTrace, processCount, readGitTrace } from "./bench/git_trace.ts";
import { plainClone } from "./bench/clone.ts";
import { settle } from "./bench/spawn.ts";
import { cpuSince, cpuTimes, OtherLoad } from "./bench/cpu.ts";
import { describeTimeline, recordLandings, span } from "./bench/timeline.ts";

const REPO_ROOT = resolve(import.meta.dirname!, "..");
const TARGET_RATIO = 1.3;
const TARGET_NOOP_MS_50 = 100;
/** Linear growth from N=50 to N=300 is ×6; a little slack for fixed costs measured at N=50 noise. */
const TARGET_GROWTH = 6.5;
const NOOP_RUNS = 3;

/** Command-line settings. */
interface Settings {
  sizes: number[];
  jobs: number;
  profile: boolean;
  keep: boolean;
  strict: boolean;
  /** Fresh-vs-plain rounds per size (the median-ratio round is reported). */
  rounds: number;
}

/** One row of the result table. */
interface Row {
  n: number;
  freshMs: number;
  plainMs: number;
  noopMs: number;
  /** NaN when the CLI failed. */
  cliMs: number;
  /** `ivpm --version` through the CLI: the start-up part of `cliMs` (NaN: failed). */
  startMs: number;
  /** Share of the machine's CPU other processes took during the timed steps (undefined: unknown). */
  otherLoad?: number;
}

function parseArgs(args: string[]): Settings {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const quick = args.includes("--quick");
  const sizes = value("--sizes")?.split(",").map(Number) ?? (quick ? [50] : [50, 300]);
  const jobs = Number(value("--jobs") ?? navigator.hardwareConcurrency ?? 4);
  const rounds = Number(value("--rounds") ?? 1);
  if ([...sizes, jobs, rounds].some((x) => !Number.isInteger(x) || x < 1)) {
    throw new Error(
      "usage: bench.ts [--quick] [--profile] [--strict] [--keep] [--jobs <n>] [--rounds <n>] [--sizes 50,300]",
    );
  }
  const has = (flag: string) => args.includes(flag);
  return {
    sizes,
    jobs,
    rounds,
    profile: has("--profile"),
    keep: has("--keep"),
    strict: has("--strict"),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function bestOf(runs: number, fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, (await timed(fn)).ms);
  return best;
}

/** The in-process update exactly as the CLI would run it for this project. */
function update(set: BenchSet, jobs: number): Promise<UpdateResult> {
  return runUpdate({ projectDir: set.projectDir, cacheDir: null, jobs, anonymousGit: true });
}

/** Fails the bench when the update did not do what is being measured. */
function expectStatus(r: UpdateResult, n: number, status: string): void {
  const got = r.graph.packages.map((p) => (p.landed as { status: string }).status);
  const wrong = got.filter((s) => s !== status).length;
  if (got.length !== n || wrong > 0) {
    throw new Error(
      `expected ${n} packages '${status}', got ${got.length} packages, ${wrong} not '${status}'`,
    );
  }
}

/** `ivpm <args>` through the real entry point, as a user runs it, in the project directory. */
async function cli(set: BenchSet, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-worker-options",
      "--config",
      join(REPO_ROOT, "deno.json"),
      join(REPO_ROOT, "main.ts"),
      ...args,
    ],
    cwd: set.projectDir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(
      `ivpm ${args.join(" ")} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/** Set when a CLI run failed (the bench then exits 1). */
let cliError: string | undefined;

function cliFailed(e: unknown): number {
  cliError ??= e instanceof Error ? e.message : String(e);
  return NaN;
}

/** A traced run: wall span, git's trace, CPU used. */
interface Traced {
  span: [number, number];
  trace: GitTrace;
  cpu: string;
}

/** Runs `fn` with git's trace2 event log going to a fresh file. */
async function traced(dir: string, label: string, fn: () => Promise<void>): Promise<Traced> {
  const file = join(dir, `trace-${label}.jsonl`);
  Deno.env.set("GIT_TRACE2_EVENT", file);
  try {
    const before = cpuTimes();
    const range = await span(fn);
    const cpu = cpuSince(before);
    return { span: range, trace: await readGitTrace(file), cpu };
  } finally {
    Deno.env.delete("GIT_TRACE2_EVENT");
  }
}

function describeTrace(label: string, t: Traced, n: number, jobs: number): string {
  const perPkg = (x: number) => (x / n).toFixed(2);
  const cmds = [...t.trace.commands].sort((a, b) => b[1].count - a[1].count)
    .map(([name, s]) => `${name} ${perPkg(s.count)}×/pkg ${(s.totalMs / s.count).toFixed(1)} ms each`)
    .join(", ");
  const ms = t.span[1] - t.span[0];
  // Wall time × slots not covered by a running git process: spawn latency, JS work, fs calls, idle slots.
  const outside = Math.max(0, ms * jobs - gitBusyMs(t.trace)) / n;
  return [
    `${label}: ${ms.toFixed(0)} ms wall; ${t.cpu}`,
    `  git processes/pkg ${perPkg(processCount(t.trace))} [${cmds}] (+${
      perPkg(t.trace.children)
    }/pkg started by git)`,
    `  peak ${t.trace.peakConcurrency} git processes at once; slot time outside git ${
      outside.toFixed(1)
    } ms/pkg`,
  ].join("\n");
}

/** A fresh update and a plain clone, both under git's trace, with ivpm's time split per package. */
async function profile(set: BenchSet, root: string, n: number, jobs: number): Promise<void> {
  await Deno.remove(join(set.projectDir, "packages"), { recursive: true });
  const { reporter, landings } = recordLandings();
  const ivpm = await traced(root, "fresh", async () => {
    const r = await runUpdate({
      projectDir: set.projectDir,
      cacheDir: null,
      jobs,
      anonymousGit: true,
      reporter,
    });
    expectStatus(r, n, "fetched");
  });
  const plain = await traced(root, "plain", () => plainClone(set, join(root, "plain-traced"), jobs));
  console.error(`profile N=${n} (git trace2 on: slower than the table's runs, for both):`);
  console.error(describeTrace("ivpm", ivpm, n, jobs));
  console.error(describeTimeline(landings, ivpm.trace, ivpm.span, jobs));
  console.error(describeTrace("plain", plain, n, jobs));
}

/**
 * One fresh update bracketed by two plain clones (the baseline is their mean: on a shared machine the
 * load drifts, and a baseline on one side only would bias the ratio). Leaves the project updated.
 */
async function freshVsPlain(
  set: BenchSet,
  dir: string,
  n: number,
  jobs: number,
): Promise<{ freshMs: number; plainMs: number }> {
  await Deno.remove(join(set.projectDir, "packages"), { recursive: true }).catch(() => {});
  await settle();
  const before = (await timed(() => plainClone(set, join(dir, "plain-1"), jobs))).ms;
  await settle();
  const fresh = await timed(() => update(set, jobs));
  expectStatus(fresh.value, n, "fetched");
  await settle();
  const after = (await timed(() => plainClone(set, join(dir, "plain-2"), jobs))).ms;
  await Deno.remove(dir, { recursive: true });
  return { freshMs: fresh.ms, plainMs: (before + after) / 2 };
}

/** Temp dirs in use, removed on Ctrl-C too. */
const liveRoots = new Set<string>();

/** Measures one size; returns its row (and prints the profile when asked). */
async function benchSize(n: number, s: Settings): Promise<Row> {
  const root = await Deno.makeTempDir({ prefix: `ivpm-bench-${n}-` });
  if (!s.keep) liveRoots.add(root);
  try {
    const { ms: setupMs, value: set } = await timed(() => makeBenchSet(root, n, s.jobs));
    console.error(
      `N=${n}: ${set.parents} packages declare deps, ${set.nested} declared by a package, ` +
        `not the root (set-up ${setupMs.toFixed(0)} ms)`,
    );

    const load = new OtherLoad();
    const rounds: { freshMs: number; plainMs: number }[] = [];
    for (let i = 0; i < s.rounds; i++) {
      rounds.push(await freshVsPlain(set, join(root, `round-${i}`), n, s.jobs));
    }
    // The round with the median ratio: one slow outlier on a shared machine does not decide the result.
    rounds.sort((x, y) => x.freshMs / x.plainMs - y.freshMs / y.plainMs);
    const { freshMs, plainMs } = rounds[Math.floor(rounds.length / 2)];
    if (rounds.length > 1) {
      const list = rounds.map((r) => `${r.freshMs.toFixed(0)}/${r.plainMs.toFixed(0)}`).join(", ");
      console.error(`N=${n} fresh/plain ms by round (sorted by ratio): ${list}`);
    }
    const noopMs = await bestOf(
      NOOP_RUNS,
      async () => expectStatus(await update(set, s.jobs), n, "up-to-date"),
    );
    // A broken CLI must not cost the in-process numbers: it shows as "failed" and the exit code is 1.
    const cliMs = await bestOf(NOOP_RUNS, () => cli(set, "-q", "update", "-a")).catch(cliFailed);
    const startMs = await bestOf(NOOP_RUNS, () => cli(set, "--version")).catch(cliFailed);
    const otherLoad = load.share();
    if (s.profile) await profile(set, root, n, s.jobs);
    if (s.keep) console.error(`kept ${root}`);
    return { n, freshMs, plainMs, noopMs, cliMs, startMs, otherLoad };
  } finally {
    if (!s.keep) await Deno.remove(root, { recursive: true }).catch(() => {});
    liveRoots.delete(root);
  }
}

/** Prints the table and the verdicts; returns whether every target was met. */
function printTable(rows: Row[], jobs: number): boolean {
  const head = [
    "N",
    "fresh ms",
    "plain ms",
    "fresh/plain",
    "no-op ms",
    "no-op µs/pkg",
    "CLI no-op ms",
    "CLI start ms",
    "other load",
  ];
  const lines = rows.map((r) => [
    String(r.n),
    r.freshMs.toFixed(0),
    r.plainMs.toFixed(0),
    (r.freshMs / r.plainMs).toFixed(2),
    r.noopMs.toFixed(1),
    ((r.noopMs * 1000) / r.n).toFixed(0),
    Number.isNaN(r.cliMs) ? "failed" : r.cliMs.toFixed(0),
    Number.isNaN(r.startMs) ? "failed" : r.startMs.toFixed(0),
    r.otherLoad === undefined ? "?" : `${(r.otherLoad * 100).toFixed(0)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  console.log(`ivpm update benchmark — jobs ${jobs}, deno ${Deno.version.deno}, ${Deno.build.target}`);
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));

  const verdicts: string[] = [];
  let met = true;
  const verdict = (ok: boolean, text: string, target: string) => {
    met &&= ok;
    verdicts.push(`${text} ${ok ? "ok" : "OVER"} (target ${target})`);
  };
  for (const r of rows) {
    const ratio = r.freshMs / r.plainMs;
    verdict(ratio <= TARGET_RATIO, `N=${r.n} fresh/plain ${ratio.toFixed(2)}`, `≤ ${TARGET_RATIO}`);
  }
  const r50 = rows.find((r) => r.n === 50);
  if (r50) {
    verdict(
      r50.noopMs < TARGET_NOOP_MS_50,
      `N=50 no-op ${r50.noopMs.toFixed(1)} ms`,
      `< ${TARGET_NOOP_MS_50} ms`,
    );
  }
  const r300 = rows.find((r) => r.n === 300);
  if (r50 && r300) {
    const growth = r300.noopMs / r50.noopMs;
    verdict(
      growth <= TARGET_GROWTH,
      `no-op growth 50→300 ×${growth.toFixed(2)}`,
      `≤ ×${TARGET_GROWTH}, linear`,
    );
  }
  if (rows.some((r) => (r.otherLoad ?? 0) > 0.1)) {
    verdicts.push(
      "note: other processes took over 10% of the CPU during the run ('other load'): the timings are noisy",
    );
  }
  for (const v of verdicts) console.log(v);
  return met;
}

if (import.meta.main) {
  const settings = parseArgs(Deno.args);
  // Hermetic git: no user/system config (hooks, fsmonitor, url rewrites) for ivpm or for the baseline.
  Deno.env.set("GIT_CONFIG_GLOBAL", "/dev/null");
  Deno.env.set("GIT_CONFIG_NOSYSTEM", "1");
  Deno.addSignalListener("SIGINT", () => {
    for (const root of liveRoots) {
      try {
        Deno.removeSync(root, { recursive: true });
      } catch { /* best effort */ }
    }
    Deno.exit(130);
  });
  const rows: Row[] = [];
  for (const n of settings.sizes) rows.push(await benchSize(n, settings));
  const met = printTable(rows, settings.jobs);
  if (cliError) {
    console.error(`the CLI failed: ${cliError}`);
    Deno.exit(1);
  }
  if (settings.strict && !met) Deno.exit(1);
}
