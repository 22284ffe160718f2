/**
 * `deno run -A scripts/bench_plugins.ts` — what cached plugins add to a command's
 * start-up: `ivpm show handler` (runs no handler) with no plugins and with 10
 * local plugins listed in the user config, each pinned and in the plugin cache
 * (so start-up verifies and registers them from cached metadata, evaluating no
 * plugin code). Each case is the best of 5 spawns of the real CLI (the two
 * interleaved); the target for the difference is < 50 ms.
 *
 * Where the difference goes (measured in-process, Deno 2.9.6): ~10 ms reading
 * the user config (the first YAML parse, which a project command pays anyway),
 * ~3 ms hashing the plugins' files to spot local edits, ~2 ms reading and
 * verifying the bundles, and ~9 ms of ICU collator start-up from the first
 * `localeCompare` (sorting handler names), which a run without any handler
 * registered never pays.
 *
 * A second measurement times, inside fresh processes, only the start-up work
 * plugins add to (loading them, building the command tree): the spawn timings
 * include Deno's own start-up, which on a busy machine varies by more than the
 * difference being measured.
 *
 * Flags: `--runs <n>` (default 5), `--plugins <n>` (default 10), `--strict` (exit 1
 * when the target is missed), `--keep` (leave the temp dir).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const REPO_ROOT = resolve(import.meta.dirname!, "..");
const TARGET_MS = 50;

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
  const { initRegistries } = await import("../core/plugins/startup.ts");
  const { buildProgram } = await import("../core/cli/program.ts");
  const start = performance.now();
  await initRegistries({ projectDir: Deno.cwd() });
  buildProgram();
  console.log(String(performance.now() - start));
}

async function probeMs(env: Record<string, string>, cwd: string): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-worker-options",
      "--config",
      join(REPO_ROOT, "deno.json"),
      import.meta.filename!,
      "--probe",
    ],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`probe failed:\n${new TextDecoder().decode(out.stderr)}`);
  return Number(new TextDecoder().decode(out.stdout).trim());
}

async function ivpm(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-worker-options",
      "--config",
      join(REPO_ROOT, "deno.json"),
      join(
        REPO_ROOT,
        "main.ts",
      ),
      ...args,
    ],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (out.code !== 0) {
    throw new Error(`ivpm ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

/** Best of `runs` for each case, the cases interleaved so drift in the machine's load hits both alike. */
async function bestOf(runs: number, cases: (() => Promise<number>)[]): Promise<number[]> {
  const min = cases.map(() => Infinity);
  for (let i = 0; i < runs; i++) {
    for (const [k, f] of cases.entries()) min[k] = Math.min(min[k], await f());
  }
  return min;
}

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
if (Deno.args.includes("--probe")) {
  await probe();
  Deno.exit(0);
}
const runs = Number(flags.values.runs);
const count = Number(flags.values.plugins);

const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-bench-plugins-" }));
try {
  const base = {
    XDG_CACHE_HOME: join(root, "cache"),
    IVPM_PLUGIN_CACHE: join(root, "plugin-cache"),
    IVPM_SITE_CONFIG_FILE: join(root, "no-site-config.yaml"),
    IVPM_CACHE: "",
    CI: "",
    NO_COLOR: "1",
  };
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

  // Pin, bundle, inspect and cache every plugin once (and warm Deno's own caches).
  const listed = (await ivpm(["show", "handler"], loaded, root)).stdout.match(/^bench-\d+ /gm)?.length ?? 0;
  if (listed !== count) throw new Error(`expected ${count} bench handlers to be listed, got ${listed}`);
  await ivpm(["show", "handler"], empty, root);

  const [without, withPlugins] = await bestOf(runs, [
    async () => (await ivpm(["show", "handler"], empty, root)).ms,
    async () => (await ivpm(["show", "handler"], loaded, root)).ms,
  ]);
  const diff = withPlugins - without;
  console.log(`ivpm show handler, best of ${runs}:`);
  console.log(`  0 plugins:            ${without.toFixed(1)} ms`);
  console.log(`  ${count} cached plugins:    ${withPlugins.toFixed(1)} ms`);
  console.log(
    `  difference:           ${diff.toFixed(1)} ms (target < ${TARGET_MS} ms) ${
      diff < TARGET_MS ? "ok" : "MISSED"
    }`,
  );
  const [probeWithout, probeWith] = await bestOf(runs, [
    () => probeMs(empty, root),
    () => probeMs(loaded, root),
  ]);
  console.log(`in-process start-up work (load plugins, build the command tree), best of ${runs}:`);
  console.log(`  0 plugins:            ${probeWithout.toFixed(1)} ms`);
  console.log(`  ${count} cached plugins:    ${probeWith.toFixed(1)} ms`);
  console.log(`  difference:           ${(probeWith - probeWithout).toFixed(1)} ms`);
  if (flags.values.strict && diff >= TARGET_MS) Deno.exitCode = 1;
} finally {
  if (flags.values.keep) console.log(`kept ${root}`);
  else await Deno.remove(root, { recursive: true });
}
