/**
 * Leaf-dispatch benchmark (`deno task bench` runs part 2 for its table; run alone for both):
 * 1. engine only: 1000 packages × 6 sandboxed plugin handlers, dispatched as
 *    packages would land; per-package cost;
 * 2. a real 300-package update (local git repos) with no handlers vs with the six
 *    built-in handlers (and, alone, vs 6 sandboxed plugin handlers): the ratio is
 *    what the handler pipeline adds (target: under 1.10). Each measurement runs
 *    none → with → none and compares against the mean of the two "none" runs, so
 *    a drift in the machine's load does not bias the ratio.
 *
 * `--quick`: 100 packages for the update part.
 *
 * @module
 */

import { join } from "node:path";
import { HandlerEngine } from "../core/engine/engine.ts";
import { builtinHandlerRegistry } from "../core/plugin_host/builtin_registry.ts";
import { HandlerRegistry } from "../core/engine/registry.ts";
import type { HandlerClass } from "../core/plugin_api/handler.ts";
import type { PackageView } from "../core/plugin_api/package_view.ts";
import { runUpdate } from "../core/update/update.ts";
import { makeBenchSet } from "./bench/fixture.ts";
import { HERMETIC_GIT_ENV, settle } from "./bench/spawn.ts";

/** The ratio a 300-package update with handlers may take against one without. */
export const LEAF_TARGET_RATIO = 1.1;

const HANDLERS = Array.from({ length: 6 }, (_, i) => `
export class H${i} extends PackageHandler {
  static override name = "bench-h${i}";
  override async onLeafPostLoad(pkg: PackageView) {
    // Typical detector work: look for a marker file.
    try { await Deno.stat(pkg.path + "/marker-${i}"); this.collect(pkg.name); } catch { /* absent */ }
  }
}`).join("\n");
const MODULE = `import { PackageHandler, type PackageView } from "@ivpm/plugin";\n${HANDLERS}\n`;

/** A registry of 6 sandboxed plugin handlers (module written to `dir`). */
async function pluginRegistry(dir: string): Promise<HandlerRegistry> {
  const file = join(dir, "bench_handlers.ts");
  await Deno.writeTextFile(file, MODULE);
  const url = new URL(`file://${file}`).href;
  const mod = await import(url);
  const r = new HandlerRegistry();
  for (let i = 0; i < 6; i++) {
    r.register(mod[`H${i}`] as HandlerClass, {
      origin: "bench",
      moduleUrl: url,
      exportName: `H${i}`,
      grant: {},
    });
  }
  return r;
}

function view(name: string, path: string): PackageView {
  return {
    name,
    path,
    srcType: "git",
    options: {},
    typeData: [],
    resolvedBy: "root",
    depSet: "default",
    virtual: false,
    ownWith: {},
    extra: {},
  };
}

/** Engine only: 1000 packages × the registry's handlers; total ms. */
async function engineOnly(reg: HandlerRegistry, root: string, jobs: number): Promise<number> {
  const engine = new HandlerEngine({
    registry: reg,
    projectDir: root,
    depsDir: root,
    withConfig: {},
    jobs,
    warn: (m) => console.error("warning:", m),
  });
  const views = Array.from({ length: 1000 }, (_, i) => view(`p${i}`, join(root, `p${i}`)));
  const t0 = performance.now();
  await Promise.all(views.map((v, i) => engine.leaf("post", v, i)));
  const ms = performance.now() - t0;
  engine.close();
  return ms;
}

/** A fresh in-process update of `projectDir` (packages/ removed first); wall ms. */
async function freshUpdate(projectDir: string, jobs: number, handlers: HandlerRegistry): Promise<number> {
  await Deno.remove(join(projectDir, "packages"), { recursive: true }).catch(() => {});
  await settle();
  const t0 = performance.now();
  const r = await runUpdate({ projectDir, cacheDir: null, anonymousGit: true, jobs, handlers });
  const ms = performance.now() - t0;
  const notFetched = r.graph.packages.filter((p) => (p.landed as { status: string }).status !== "fetched");
  if (notFetched.length > 0) throw new Error(`${notFetched.length} packages were not fetched`);
  return ms;
}

/** Fresh updates with no handlers and with `handlers`. */
export interface LeafResult {
  /** Mean of the runs without handlers before and after. */
  noneMs: number;
  withMs: number;
  ratio: number;
}

/**
 * Times fresh in-process updates of `projectDir` with no handlers, with `handlers` (default: the
 * built-in ones) and with none again. Leaves the project updated.
 */
export async function leafDispatch(
  projectDir: string,
  jobs: number,
  handlers: HandlerRegistry = builtinHandlerRegistry(),
): Promise<LeafResult> {
  const before = await freshUpdate(projectDir, jobs, new HandlerRegistry());
  const withMs = await freshUpdate(projectDir, jobs, handlers);
  const after = await freshUpdate(projectDir, jobs, new HandlerRegistry());
  const noneMs = (before + after) / 2;
  return { noneMs, withMs, ratio: withMs / noneMs };
}

if (import.meta.main) {
  for (const [k, v] of Object.entries(HERMETIC_GIT_ENV)) Deno.env.set(k, v);
  const quick = Deno.args.includes("--quick");
  const cores = navigator.hardwareConcurrency || 2;
  const root = await Deno.makeTempDir({ prefix: "ivpm-bench-leaf-" });
  try {
    const plugins = await pluginRegistry(root);
    const engineMs = await engineOnly(plugins, root, cores);
    const n = quick ? 100 : 300;
    const set = await makeBenchSet(join(root, "set"), n, cores);
    const builtin = await leafDispatch(set.projectDir, cores);
    const sandboxed = await leafDispatch(set.projectDir, cores, plugins);

    const f = (x: number) => x.toFixed(0).padStart(7);
    console.log(`\nLeaf dispatch (${cores} workers)`);
    console.log(
      `  engine only: 1000 packages × 6 plugin handlers ${f(engineMs)} ms  (${
        engineMs.toFixed(0)
      } µs/package)`,
    );
    for (const [label, r] of [["6 built-in handlers", builtin], ["6 plugin handlers", sandboxed]] as const) {
      console.log(`  update of ${n} git packages, no handlers ${f(r.noneMs)} ms, ${label} ${f(r.withMs)} ms`);
      console.log(`    ratio ${r.ratio.toFixed(3)} (target < ${LEAF_TARGET_RATIO})`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
