/**
 * `deno run -A scripts/bench_plugins.ts` — what cached plugins add to a command's
 * start-up: `ivpm show handler` (runs no handler) with no plugins and with 10
 * local plugins listed in the user config, each pinned and in the plugin cache
 * (so start-up verifies and registers them from cached metadata, evaluating no
 * plugin code). Each case is spawned 5 times through the real CLI (the two
 * interleaved); the figure is the median of the pairwise differences, and the
 * target for it is < 50 ms. `deno task bench` uses {@link pluginStartup}.
 *
 * Where the difference goes (measured in-process, Deno 2.9.6): ~25 ms loading
 * the YAML parser and reading the user config (a run with no config file to
 * parse never loads the parser), ~3 ms hashing the plugins' files to spot local
 * edits, ~2 ms reading and verifying the bundles, the rest registering them.
 *
 * Run alone, a second measurement times, inside fresh processes, only the start-up work
 * plugins add to (loading them, building the command tree): the spawn timings
 * include Deno's own start-up, which on a busy machine varies by more than the
 * difference being measured.
 *
 * Flags: `--runs <n>` (default 5), `--plugins <n>` (default 10), `--strict` (exit 1
 * when the target is missed), `--keep` (leave the temp dir).
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { hermeticEnv, ivpm, ivpmArgs, spawnTimed } from "./bench/spawn.ts";
import { interleaved, median } from "./bench/stats.ts";

/** Target for what cached plugins add to start-up, ms. */
export const PLUGINS_TARGET_MS = 50;

function pluginSource(i: number): string {
  return `import { PackageHandler, type RootInfo } from "@ivpm/plugin";
import { label } from "./lib_${i}.ts";

/** Bench plugin ${i}. */
export class Bench${i} extends PackageHandler {
  static override name = "bench-${i}";
  static override description = label;
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(\`\${info.depsDir}/bench-${i}.txt\`, label);
  }
}
`;
}

/**
 * Run by `--probe`: times only what plugins add work to — loading the plugins
 * and building the command tree — leaving out Deno's start-up and module
 * loading, which are the same with and without plugins (and the noisiest part).
 */
async function probe(): Promise<void> {
  const { initRegistries } = await import("../core/plugin_host/startup.ts");
  const { buildProgram } = await import("../core/cli/program.ts");
  const start = performance.now();
  await initRegistries({ projectDir: Deno.cwd() });
  buildProgram();
  console.log(String(performance.now() - start));
}

async function probeMs(env: Record<string, string>, cwd: string): Promise<number> {
  const args = ivpmArgs().slice(0, -1); // `deno run <flags> --config deno.json`, without main.ts
  const out = await spawnTimed(Deno.execPath(), [...args, import.meta.filename!, "--probe"], { cwd, env });
  return Number(out.stdout.trim());
}

/** Two configurations of one scratch directory: no plugins, and `count` cached local plugins. */
export interface PluginSetup {
  empty: Record<string, string>;
  loaded: Record<string, string>;
}

/** Writes the plugins and the user configs under `root`, and caches every plugin once (and warms Deno's caches). */
export async function setUpPlugins(root: string, count: number): Promise<PluginSetup> {
  const base = hermeticEnv(root);
  const empty = { ...base, XDG_CONFIG_HOME: join(root, "config-empty") };
  const loaded = { ...base, XDG_CONFIG_HOME: join(root, "config-plugins") };
  const cfg = join(loaded.XDG_CONFIG_HOME, "ivpm");
  await Deno.mkdir(join(cfg, "plugins"), { recursive: true });
  await Deno.mkdir(join(empty.XDG_CONFIG_HOME, "ivpm"), { recursive: true });
  const entries: string[] = [];
  for (let i = 0; i < count; i++) {
    await Deno.writeTextFile(join(cfg, "plugins", `plugin_${i}.ts`), pluginSource(i));
    await Deno.writeTextFile(
      join(cfg, "plugins", `lib_${i}.ts`),
      `export const label = "bench plugin ${i}";\n`,
    );
    entries.push(`  - ./plugins/plugin_${i}.ts\n`);
  }
  await Deno.writeTextFile(join(cfg, "config.yaml"), `plugins:\n${entries.join("")}`);

  // Pin, bundle, inspect and cache every plugin once.
  const listed = (await ivpm(["show", "handler"], { env: loaded, cwd: root })).stdout.match(/^bench-\d+ /gm)
    ?.length ?? 0;
  if (listed !== count) throw new Error(`expected ${count} bench handlers to be listed, got ${listed}`);
  await ivpm(["show", "handler"], { env: empty, cwd: root });
  return { empty, loaded };
}

/** What `count` cached plugins add to `ivpm show handler`. */
export interface PluginStartup {
  /** Median wall time without plugins, ms. */
  withoutMs: number;
  /** Median wall time with the plugins, ms. */
  withMs: number;
  /** Median of the pairwise differences, ms. */
  diffMs: number;
}

/** Measures {@link PluginStartup} (`runs` spawns of each case, in `root`). */
export async function pluginStartup(
  root: string,
  { empty, loaded }: PluginSetup,
  runs: number,
): Promise<PluginStartup> {
  const [without, withPlugins] = await interleaved(runs, [
    async () => (await ivpm(["show", "handler"], { env: empty, cwd: root })).ms,
    async () => (await ivpm(["show", "handler"], { env: loaded, cwd: root })).ms,
  ]);
  return {
    withoutMs: median(without),
    withMs: median(withPlugins),
    diffMs: median(withPlugins.map((w, i) => w - without[i])),
  };
}

async function standalone(): Promise<void> {
  const flags = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "5" },
      plugins: { type: "string", default: "10" },
      strict: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      probe: { type: "boolean", default: false },
    },
  });
  if (flags.values.probe) {
    await probe();
    return;
  }
  const runs = Number(flags.values.runs);
  const count = Number(flags.values.plugins);
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-bench-plugins-" }));
  try {
    const setup = await setUpPlugins(root, count);
    const r = await pluginStartup(root, setup, runs);
    console.log(`ivpm show handler, median of ${runs}:`);
    console.log(`  0 plugins:            ${r.withoutMs.toFixed(1)} ms`);
    console.log(`  ${count} cached plugins:    ${r.withMs.toFixed(1)} ms`);
    const ok = r.diffMs < PLUGINS_TARGET_MS;
    console.log(
      `  difference:           ${r.diffMs.toFixed(1)} ms (target < ${PLUGINS_TARGET_MS} ms) ${
        ok ? "ok" : "MISSED"
      }`,
    );
    const [probeWithout, probeWith] = await interleaved(runs, [
      () => probeMs(setup.empty, root),
      () => probeMs(setup.loaded, root),
    ]);
    console.log(`in-process start-up work (load plugins, build the command tree), median of ${runs}:`);
    console.log(`  0 plugins:            ${median(probeWithout).toFixed(1)} ms`);
    console.log(`  ${count} cached plugins:    ${median(probeWith).toFixed(1)} ms`);
    console.log(`  difference:           ${(median(probeWith) - median(probeWithout)).toFixed(1)} ms`);
    if (flags.values.strict && !ok) Deno.exitCode = 1;
  } finally {
    if (flags.values.keep) console.log(`kept ${root}`);
    else await Deno.remove(root, { recursive: true });
  }
}

if (import.meta.main) await standalone();
