/**
 * `deno task bench` — every speed figure of ivpm against its target, measured in one
 * run and printed as one Markdown table (ratios are taken within the run, so the
 * machine's speed cancels out). The rows:
 *
 * 1. `ivpm --version` vs a Deno hello (`deno run` of a one-line file), paired runs;
 * 2. `ivpm show handler` (absolute, and as a multiple of `--version`);
 * 3. `ivpm status` at 300 packages (some modified, some ahead; CLI, wall);
 * 4. no-op `ivpm update` at 300 packages (CLI), and its ratio to the fresh update;
 * 5. fresh `ivpm update` (CLI) vs a plain parallel `git clone` of the same repositories,
 *    N = 50 and 300; the clones run just before and just after, their mean is the baseline;
 * 6. leaf dispatch: a fresh 300-package update (in-process) with the six built-in handlers
 *    vs none (none → built-ins → none, against the mean of the two "none" runs);
 * 7. what 10 cached plugins add to start-up (`ivpm show handler`, paired runs);
 * 8. peak RSS of the fresh 300-package update (GNU time `%M`);
 * 9. no-op update with `-j 8` vs the default: time and RSS (the leaf pool must not grow past the cores);
 * 10. archive extraction vs `tar -xzf` (runs scripts/bench_extract.ts at 20k entries, once, when present);
 * 11. the example: `ivpm update` of a fresh copy of examples/hello, and a no-op re-run.
 *
 * Every figure is a median (how many runs: in the table's legend). Each benchmark also runs
 * alone with more detail: scripts/bench_update.ts (`--profile`), bench_leaf.ts, bench_plugins.ts,
 * bench_status.ts, bench_extract.ts.
 *
 * ivpm runs through its real entry point with the launcher's flags, isolated from the machine:
 * no user plugins or site config, no package cache, git without user/system configuration.
 *
 * Flags: `--quick` (N = 50 only, 2 runs of everything, a 5k-entry archive), `--strict` (exit 1 when a target is
 * missed), `--keep` (leave the temp dirs). Exit 1 when a measurement failed.
 *
 * @module
 */

import { join } from "node:path";
import { type BenchSet, makeBenchSet } from "./bench/fixture.ts";
import { plainClone } from "./bench/clone.ts";
import { OtherLoad } from "./bench/cpu.ts";
import { hermeticEnv, ivpm, REPO_ROOT, type Sample, settle, spawnTimed } from "./bench/spawn.ts";
import { interleaved, median, pairedRatio, timed } from "./bench/stats.ts";
import { fmtMB, fmtMs, fmtRatio, renderTable, type Row } from "./bench/table.ts";
import { LEAF_TARGET_RATIO, leafDispatch } from "./bench_leaf.ts";
import { PLUGINS_TARGET_MS, pluginStartup, setUpPlugins } from "./bench_plugins.ts";
import { dirtyWorkspace, STATUS_TARGET_MS } from "./bench_status.ts";

/** Run counts and sizes. */
interface Settings {
  quick: boolean;
  strict: boolean;
  keep: boolean;
  /** Sizes for fresh vs plain; the largest one also gets rows 3, 4, 6, 8, 9. */
  sizes: number[];
  /** Runs of each short command (rows 1, 2, 7). */
  startRuns: number;
  /** Runs of each CLI command on the large workspace and of the example (rows 3, 4, 9, 11). */
  cliRuns: number;
  /** Fresh-vs-plain rounds by size. */
  rounds: (n: number) => number;
  /** Archive size and runs for row 10 (writing tens of thousands of files is slow on a busy disk). */
  extractEntries: number;
  extractRounds: number;
}

function parseSettings(args: string[]): Settings {
  const known = ["--quick", "--strict", "--keep"];
  const unknown = args.filter((a) => !known.includes(a));
  if (unknown.length) throw new Error(`usage: bench.ts [--quick] [--strict] [--keep] (unknown: ${unknown})`);
  const quick = args.includes("--quick");
  return {
    quick,
    strict: args.includes("--strict"),
    keep: args.includes("--keep"),
    sizes: quick ? [50] : [50, 300],
    startRuns: quick ? 2 : 10,
    cliRuns: quick ? 2 : 5,
    rounds: (n) => (n <= 50 ? 2 : 1),
    extractEntries: quick ? 5000 : 20000,
    extractRounds: quick ? 2 : 1,
  };
}

const JOBS = navigator.hardwareConcurrency || 2;
/** How many `git status` ivpm runs at once (core/workspace/status/status.ts). */
const STATUS_JOBS = Math.max(4, JOBS * 4);
/** The floors of rows 3 and 8 (scripts/bench/floor.ts). */
const FLOOR = join(REPO_ROOT, "scripts", "bench", "floor.ts");
const decoder = new TextDecoder();

/** Progress goes to stderr, the table to stdout. */
function progress(msg: string): void {
  console.error(`· ${msg}`);
}

/** Set when a measurement failed (the bench then exits 1). */
let failures = 0;

/** Runs one group of measurements; a failure becomes a `failed` row and does not stop the others. */
async function guarded(rows: Row[], item: string, metric: string, fn: () => Promise<Row[]>): Promise<void> {
  try {
    rows.push(...await fn());
  } catch (e) {
    failures++;
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`${metric} failed: ${msg}`);
    rows.push({ item, metric, measured: `failed: ${msg.split("\n")[0].slice(0, 80)}`, target: "–" });
  }
}

/** Rows 1 and 2: start-up against a Deno hello. */
async function startUp(root: string, runs: number): Promise<Row[]> {
  const hello = join(root, "hello.ts");
  await Deno.writeTextFile(hello, `console.log("hello");\n`);
  const denoHello = () => spawnTimed(Deno.execPath(), ["run", "--allow-all", hello], { cwd: root });
  const version = () => ivpm(["--version"], { cwd: root });
  const show = () => ivpm(["show", "handler"], { cwd: root });
  for (const warm of [denoHello, version, show]) await warm(); // Deno's caches, the page cache
  const [h, v, s] = await interleaved(
    runs,
    [denoHello, version, show].map((f) => async () => (await f()).ms),
  );
  const ratio = pairedRatio(v, h);
  return [
    {
      item: "1",
      metric: "`ivpm --version` vs Deno hello",
      measured: `${fmtRatio(ratio)} (${fmtMs(median(v))} vs ${fmtMs(median(h))})`,
      target: "≤ 1.3×",
      ok: ratio <= 1.3,
    },
    {
      item: "2",
      metric: "`ivpm show handler`",
      measured: `${fmtMs(median(s))} (${fmtRatio(pairedRatio(s, v))} \`--version\`)`,
      target: "≤ 0.3× IVPM 2.11 (not installed here)",
    },
  ];
}

/** Row 7: 10 cached plugins. */
async function plugins(root: string, runs: number): Promise<Row[]> {
  const dir = join(root, "plugins");
  await Deno.mkdir(dir);
  const r = await pluginStartup(dir, await setUpPlugins(dir, 10), runs);
  return [{
    item: "7",
    metric: "10 cached plugins: start-up cost",
    measured: `+${fmtMs(r.diffMs)} (\`show handler\`, paired; medians ${fmtMs(r.withMs)} vs ${
      fmtMs(r.withoutMs)
    })`,
    target: `< ${PLUGINS_TARGET_MS} ms`,
    ok: r.diffMs < PLUGINS_TARGET_MS,
  }];
}

/** Copies the tracked files of examples/hello (what a fresh clone has) to `dest`. */
async function copyExample(dest: string): Promise<void> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "-z", "examples/hello"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  const files = decoder.decode(out.stdout).split("\0").filter(Boolean);
  if (!out.success || files.length === 0) throw new Error("cannot list examples/hello (not a git checkout?)");
  for (const f of files) {
    const to = join(dest, f.slice("examples/hello/".length));
    await Deno.mkdir(join(to, ".."), { recursive: true });
    await Deno.copyFile(join(REPO_ROOT, f), to);
  }
}

/** Row 11: the example, fresh and no-op. */
async function example(root: string, runs: number): Promise<Row[]> {
  const fresh: number[] = [];
  let dir = "";
  for (let i = 0; i <= runs; i++) {
    dir = join(root, `example-${i}`);
    await copyExample(dir);
    await settle();
    const ms = (await ivpm(["update"], { cwd: dir })).ms;
    if (i > 0) fresh.push(ms); // the first run warms Deno's caches
  }
  const noop: number[] = [];
  for (let i = 0; i < runs; i++) noop.push((await ivpm(["update"], { cwd: dir })).ms);
  return [
    {
      item: "11",
      metric: "example: `ivpm update` of a fresh examples/hello",
      measured: fmtMs(median(fresh)),
      target: "–",
    },
    { item: "11", metric: "example: no-op re-run", measured: fmtMs(median(noop)), target: "–" },
  ];
}

/** Row 10: scripts/bench_extract.ts at 20k entries, when it exists. */
async function extract(entries: number, rounds: number): Promise<Row[]> {
  const script = join(REPO_ROOT, "scripts", "bench_extract.ts");
  const metric = `archive extraction vs \`tar -xzf\` (${entries / 1000}k entries)`;
  try {
    await Deno.stat(script);
  } catch {
    return [{ item: "10", metric, measured: "skipped: no scripts/bench_extract.ts", target: "≤ 2×" }];
  }
  const out = await spawnTimed(
    Deno.execPath(),
    [
      "run",
      "--allow-all",
      "--config",
      join(REPO_ROOT, "deno.json"),
      script,
      "--sizes",
      `${entries}`,
      "--rounds",
      `${rounds}`,
    ],
    { cwd: REPO_ROOT },
  );
  const m = /tar -xzf\s+(\d+) ms.*?extractArchive\s+(\d+) ms.*?ratio ([\d.]+)/.exec(out.stdout);
  if (!m) {
    console.error(out.stdout);
    return [{ item: "10", metric, measured: "see scripts/bench_extract.ts output above", target: "≤ 2×" }];
  }
  const ratio = Number(m[3]);
  return [{
    item: "10",
    metric,
    measured: `${fmtRatio(ratio)} (${fmtMs(Number(m[2]))} vs ${fmtMs(Number(m[1]))}, best of ${rounds})`,
    target: "≤ 2×",
    ok: ratio <= 2,
  }];
}

/** Checks (untimed, through the CLI) that the workspace is updated: N packages, all up to date. */
async function expectUpToDate(set: BenchSet, n: number): Promise<void> {
  const out = await ivpm(["update", "-a", "--json"], { cwd: set.projectDir });
  const last = out.stdout.trim().split("\n").at(-1) ?? "";
  const summary = JSON.parse(last) as { packages?: { status: string }[] };
  const pkgs = summary.packages ?? [];
  const stale = pkgs.filter((p) => p.status !== "up-to-date").length;
  if (pkgs.length !== n || stale > 0) {
    throw new Error(
      `expected ${n} packages up to date, got ${pkgs.length} packages, ${stale} not up to date`,
    );
  }
}

/** One fresh CLI update bracketed by two plain clones. */
interface Round {
  fresh: Sample;
  plainMs: number;
}

async function freshVsPlain(set: BenchSet, dir: string, n: number): Promise<Round> {
  await Deno.remove(join(set.projectDir, "packages"), { recursive: true }).catch(() => {});
  await settle();
  const before = (await timed(() => plainClone(set, join(dir, "plain-1"), JOBS))).ms;
  await settle();
  const fresh = await ivpm(["update", "-a"], { cwd: set.projectDir, rss: true });
  await settle();
  const after = (await timed(() => plainClone(set, join(dir, "plain-2"), JOBS))).ms;
  await Deno.remove(dir, { recursive: true });
  await expectUpToDate(set, n);
  return { fresh, plainMs: (before + after) / 2 };
}

/** Rows for one workspace size: 5 for every size, and 3, 4, 6, 8, 9 for the largest. */
async function workspace(root: string, n: number, large: boolean, s: Settings, rows: Row[]): Promise<void> {
  const dir = join(root, `n${n}`);
  progress(`N=${n}: building ${n} repositories`);
  const set = await makeBenchSet(dir, n, JOBS);
  const rounds: Round[] = [];
  const k = s.rounds(n);
  await guarded(rows, "5", `fresh update vs plain \`git clone\`, N=${n}`, async () => {
    for (let i = 0; i < k; i++) {
      progress(`N=${n}: fresh update vs plain clone, round ${i + 1}/${k}`);
      rounds.push(await freshVsPlain(set, join(dir, `round-${i}`), n));
    }
    // The round with the median ratio: one slow outlier on a shared machine does not decide the result.
    rounds.sort((x, y) => x.fresh.ms / x.plainMs - y.fresh.ms / y.plainMs);
    const { fresh, plainMs } = rounds[Math.floor(rounds.length / 2)];
    const ratio = fresh.ms / plainMs;
    return [{
      item: "5",
      metric: `fresh update vs plain \`git clone\`, N=${n}`,
      measured: `${fmtRatio(ratio)} (${fmtMs(fresh.ms)} vs ${fmtMs(plainMs)})`,
      target: "≤ 1.3×",
      ok: ratio <= 1.3,
    }];
  });
  if (!large) return;
  const fresh = rounds.length ? rounds[Math.floor(rounds.length / 2)].fresh : undefined;
  if (fresh?.rssKiB !== undefined) {
    // The floor: a bare Deno process cloning the same repositories, `-j` at a time, output piped.
    const urls = join(dir, "urls.json");
    await Deno.writeTextFile(urls, JSON.stringify([...set.urls]));
    const floor = await spawnTimed(Deno.execPath(), [
      "run",
      "-A",
      FLOOR,
      "clone",
      urls,
      join(dir, "floor"),
      `${JOBS}`,
    ], {
      rss: true,
    }).catch(() => undefined);
    await Deno.remove(join(dir, "floor"), { recursive: true }).catch(() => {});
    rows.push({
      item: "8",
      metric: `peak RSS, fresh update, N=${n}`,
      measured: fmtMB(fresh.rssKiB) +
        (floor?.rssKiB ? ` (a bare Deno process cloning the same repos: ${fmtMB(floor.rssKiB)})` : ""),
      target: "< 80 MB",
      ok: fresh.rssKiB * 1024 / 1e6 < 80,
    });
  } else {rows.push({
      item: "8",
      metric: `peak RSS, fresh update, N=${n}`,
      measured: "not measured",
      target: "< 80 MB",
    });}

  await guarded(rows, "4", `no-op update, N=${n}`, async () => {
    progress(`N=${n}: no-op update, default jobs and -j 8`);
    const noop = () => ivpm(["update", "-a"], { cwd: set.projectDir, rss: true });
    const j8 = () => ivpm(["update", "-a", "-j", "8"], { cwd: set.projectDir, rss: true });
    const samples: Sample[][] = [[], []];
    for (let i = 0; i < s.cliRuns; i++) {
      samples[0].push(await noop());
      samples[1].push(await j8());
    }
    await expectUpToDate(set, n);
    const ms = samples.map((xs) => xs.map((x) => x.ms));
    const rss = samples.map((xs) => median(xs.map((x) => x.rssKiB ?? NaN)));
    const noopMs = median(ms[0]);
    const out: Row[] = [{
      item: "4",
      metric: `no-op update, N=${n}`,
      measured: fmtMs(noopMs),
      target: "≤ 150 ms",
      ok: noopMs <= 150,
    }];
    if (fresh) {
      const r = noopMs / fresh.ms;
      out.push({
        item: "4",
        metric: `no-op / fresh update, N=${n}`,
        measured: `${fmtRatio(r)} (${fmtMs(noopMs)} / ${fmtMs(fresh.ms)})`,
        target: "≤ 0.15×",
        ok: r <= 0.15,
      });
    }
    const timeRatio = pairedRatio(ms[1], ms[0]);
    const rssRatio = rss[1] / rss[0];
    out.push({
      item: "9",
      metric: `no-op update \`-j 8\` vs default (${JOBS} cores), N=${n}`,
      measured: `time ${fmtRatio(timeRatio)} (${fmtMs(median(ms[1]))}), RSS ${
        Number.isNaN(rssRatio) ? "?" : fmtRatio(rssRatio)
      } (${fmtMB(rss[1])} vs ${fmtMB(rss[0])})`,
      target: "≤ 1.1× time and RSS",
      ok: Number.isNaN(rssRatio) ? undefined : timeRatio <= 1.1 && rssRatio <= 1.1,
    });
    return out;
  });

  await guarded(rows, "6", `leaf dispatch, N=${n}`, async () => {
    progress(`N=${n}: leaf dispatch (in-process: no handlers, built-ins, no handlers)`);
    const r = await leafDispatch(set.projectDir, JOBS);
    return [{
      item: "6",
      metric: `leaf dispatch: update with the 6 built-in handlers vs none, N=${n}`,
      measured: `${fmtRatio(r.ratio)} (${fmtMs(r.withMs)} vs ${fmtMs(r.noneMs)})`,
      target: `< ${LEAF_TARGET_RATIO}×`,
      ok: r.ratio < LEAF_TARGET_RATIO,
    }];
  });

  await guarded(rows, "3", `\`ivpm status\`, N=${n}`, async () => {
    progress(`N=${n}: status`);
    await dirtyWorkspace(set, n, JOBS);
    await ivpm(["status"], { cwd: set.projectDir }); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < s.cliRuns; i++) ms.push((await ivpm(["status"], { cwd: set.projectDir })).ms);
    const m = median(ms);
    // The floor: a bare Deno process running the same `git status` per package, as many at once as ivpm.
    const floorMs: number[] = [];
    const depsDir = join(set.projectDir, "packages");
    for (let i = 0; i < s.cliRuns; i++) {
      floorMs.push(
        (await spawnTimed(Deno.execPath(), ["run", "-A", FLOOR, "status", depsDir, `${STATUS_JOBS}`])).ms,
      );
    }
    const f = median(floorMs);
    return [{
      item: "3",
      metric: `\`ivpm status\`, N=${n} (1 in 10 modified, 1 in 7 ahead)`,
      measured: `${fmtMs(m)} (${fmtRatio(m / f)} a bare Deno process running the same \`git status\`: ${
        fmtMs(f)
      })`,
      target: `≤ ${STATUS_TARGET_MS} ms`,
      ok: m <= STATUS_TARGET_MS,
    }];
  });
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Temp dirs in use, removed on Ctrl-C too. */
let liveRoot: string | undefined;

async function main(): Promise<number> {
  const s = parseSettings(Deno.args);
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-bench-" }));
  liveRoot = s.keep ? undefined : root;
  // Isolated from the machine: children inherit it, and so does the in-process update of row 6.
  for (const [k, v] of Object.entries(hermeticEnv(root))) Deno.env.set(k, v);
  await Deno.mkdir(join(root, "config-empty", "ivpm"), { recursive: true });
  const started = performance.now();
  const load = new OtherLoad();
  const rows: Row[] = [];
  try {
    progress("start-up (rows 1, 2)");
    await guarded(rows, "1", "start-up", () => startUp(root, s.startRuns));
    progress("plugins (row 7)");
    await guarded(rows, "7", "10 cached plugins", () => plugins(root, s.startRuns));
    for (const n of s.sizes) await workspace(root, n, n === Math.max(...s.sizes), s, rows);
    progress("archive extraction (row 10)");
    await guarded(rows, "10", "archive extraction", () => extract(s.extractEntries, s.extractRounds));
    progress("example (row 11)");
    await guarded(rows, "11", "example", () => example(root, s.cliRuns));
  } finally {
    if (s.keep) console.error(`kept ${root}`);
    else await Deno.remove(root, { recursive: true }).catch(() => {});
    liveRoot = undefined;
  }
  rows.sort((a, b) => Number(a.item) - Number(b.item));
  const other = load.share();
  const largest = Math.max(...s.sizes);
  console.log(
    `ivpm speed — ${
      new Date().toISOString().slice(0, 10)
    }, deno ${Deno.version.deno}, ${Deno.build.target}, ` +
      `${JOBS} cores; whole run ${fmtMs(performance.now() - started)}` +
      (other === undefined ? "" : `, other processes took ${(other * 100).toFixed(0)}% of the CPU`),
  );
  console.log();
  for (const line of renderTable(rows)) console.log(line);
  console.log();
  console.log(
    `Medians: rows 1, 2, 7 of ${s.startRuns} paired runs; rows 3, 4, 9, 11 of ${s.cliRuns} runs; ` +
      `row 5 of ${s.sizes.map((n) => `${s.rounds(n)} round(s) at N=${n}`).join(", ")} ` +
      `(fresh between two plain clones); rows 6, 8: one run at N=${largest}; row 10: best of ${s.extractRounds}. ` +
      `ivpm through \`deno run\` of main.ts, no package cache, ${JOBS} jobs.`,
  );
  if (other !== undefined && other > 0.1) {
    console.log("Note: other processes took over 10% of the CPU meanwhile: the absolute timings are noisy.");
  }
  if (failures > 0) return 1;
  return s.strict && rows.some((r) => r.ok === false) ? 1 : 0;
}

if (import.meta.main) {
  Deno.addSignalListener("SIGINT", () => {
    if (liveRoot) {
      try {
        Deno.removeSync(liveRoot, { recursive: true });
      } catch { /* best effort */ }
    }
    Deno.exit(130);
  });
  Deno.exit(await main());
}
