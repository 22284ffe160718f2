/**
 * Leaf-dispatch benchmark (part of `deno task bench`):
 * 1. engine only: 1000 packages × 6 sandboxed plugin handlers, dispatched as
 *    packages would land; per-package cost;
 * 2. a real 300-package update (local git repos) with no handlers vs with the 6
 *    handlers: the ratio is what the worker pool adds (target: under 1.10).
 *
 * `--quick`: 100 packages for the update part.
 *
 * @module
 */

import { join } from "node:path";
import { HandlerEngine } from "../core/handlers/engine.ts";
import { HandlerRegistry } from "../core/handlers/registry.ts";
import type { HandlerClass } from "../core/plugin_api/handler.ts";
import type { PackageView } from "../core/plugin_api/package_view.ts";
import { runUpdate } from "../core/update/update.ts";

const quick = Deno.args.includes("--quick");
const cores = navigator.hardwareConcurrency || 2;

const HANDLERS = Array.from({ length: 6 }, (_, i) => `
export class H${i} extends PackageHandler {
  static override name = "bench-h${i}";
  override async onLeafPostLoad(pkg: PackageView) {
    // Typical detector work: look for a marker file.
    try { await Deno.stat(pkg.path + "/marker-${i}"); this.collect(pkg.name); } catch { /* absent */ }
  }
}`).join("\n");
const MODULE = `import { PackageHandler, type PackageView } from "@ivpm/plugin";\n${HANDLERS}\n`;

async function registry(dir: string): Promise<HandlerRegistry> {
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

async function git(cwd: string, ...args: string[]) {
  const r = await new Deno.Command("git", {
    args: ["-c", "user.name=b", "-c", "user.email=b@b", "-c", "init.defaultBranch=main", ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
}

async function makeRepos(root: string, n: number): Promise<string[]> {
  const urls: string[] = [];
  const one = async (i: number) => {
    const work = join(root, `src${i}`);
    await Deno.mkdir(work, { recursive: true });
    await Deno.writeTextFile(join(work, "README"), `repo ${i}\n`);
    if (i % 3 === 0) await Deno.writeTextFile(join(work, "marker-1"), "x");
    await git(work, "init", "-q");
    await git(work, "add", ".");
    await git(work, "commit", "-qm", "init");
    await git(root, "clone", "-q", "--bare", work, join(root, `r${i}.git`));
    urls[i] = `file://${join(root, `r${i}.git`)}`;
  };
  for (let i = 0; i < n; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => one(i + k)));
  }
  return urls;
}

async function project(root: string, name: string, urls: string[]): Promise<string> {
  const dir = join(root, name);
  await Deno.mkdir(dir, { recursive: true });
  const deps = urls.map((u, i) => `        - name: p${i}\n          url: ${u}\n`).join("");
  await Deno.writeTextFile(
    join(dir, "ivpm.yaml"),
    `package:\n  name: ${name}\n  dep-sets:\n    - name: default\n      deps:\n${deps}`,
  );
  return dir;
}

const root = await Deno.makeTempDir({ prefix: "ivpm-bench-leaf-" });
try {
  const reg = await registry(root);

  // 1. Engine only.
  const engine = new HandlerEngine({
    registry: reg,
    projectDir: root,
    depsDir: root,
    withConfig: {},
    jobs: cores,
    warn: (m) => console.error("warning:", m),
  });
  const views = Array.from({ length: 1000 }, (_, i) => view(`p${i}`, join(root, `p${i}`)));
  const t0 = performance.now();
  await Promise.all(views.map((v, i) => engine.leaf("post", v, i)));
  const engineMs = performance.now() - t0;
  engine.close();

  // 2. Real update, with and without handlers.
  const n = quick ? 100 : 300;
  const urls = await makeRepos(root, n);
  const plain = await project(root, "plain", urls);
  const withHandlers = await project(root, "handled", urls);
  const opts = { cacheDir: null, anonymousGit: true, jobs: cores } as const;
  let t = performance.now();
  await runUpdate({ ...opts, projectDir: plain, handlers: new HandlerRegistry() });
  const plainMs = performance.now() - t;
  t = performance.now();
  await runUpdate({ ...opts, projectDir: withHandlers, handlers: reg });
  const handledMs = performance.now() - t;

  const f = (x: number) => x.toFixed(0).padStart(7);
  console.log(`\nLeaf dispatch (${cores} workers)`);
  console.log(
    `  engine only: 1000 packages × 6 handlers ${f(engineMs)} ms  (${
      (engineMs / 1000 * 1000).toFixed(0)
    } µs/package)`,
  );
  console.log(`  update of ${n} git packages, no handlers   ${f(plainMs)} ms`);
  console.log(`  update of ${n} git packages, 6 handlers    ${f(handledMs)} ms`);
  console.log(`  ratio with/without handlers: ${(handledMs / plainMs).toFixed(3)} (target < 1.10)`);
} finally {
  await Deno.remove(root, { recursive: true });
}
