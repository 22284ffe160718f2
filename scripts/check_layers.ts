/**
 * `deno task check:layers` — the dependency check of `deno task ok`: fails on any import cycle between
 * folders, and on any import that runs up against the documented layer order (docs/architecture.md).
 * Only relative imports between files of the checked tree are considered; tests are not part of it.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { LAYERS } from "./layers.ts";

/** One problem found. */
export interface LayerProblem {
  kind: "cycle" | "upward" | "unplaced";
  message: string;
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

async function sources(dir: string, root: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await sources(p, root, out);
    else if (e.isFile && /\.tsx?$/.test(e.name) && !e.name.endsWith("_test.ts")) out.push(relative(root, p));
  }
  return out;
}

/** The unit of a file: the most specific layer entry (a folder or a file) that holds it. */
function unitOf(file: string, units: string[]): string | undefined {
  let best: string | undefined;
  for (const u of units) {
    if (file === u || file.startsWith(u.endsWith("/") ? u : `${u}/`)) {
      if (!best || u.length > best.length) best = u;
    }
  }
  return best;
}

/** Strongly connected components of size > 1 (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * Checks the tree at `root` against `layers` (bottom first; each layer a list of folders or files).
 *
 * @example
 * ```ts ignore
 * const problems = await checkLayers(".", [["core/util"], ["core/config"]], ["core", "main.ts"]);
 * ```
 */
export async function checkLayers(
  root: string,
  layers: readonly (readonly string[])[],
  include: readonly string[],
): Promise<LayerProblem[]> {
  const units = layers.flat();
  const level = new Map<string, number>();
  layers.forEach((l, i) => l.forEach((u) => level.set(u, i)));
  const files: string[] = [];
  for (const inc of include) {
    const abs = resolve(root, inc);
    if ((await Deno.stat(abs)).isDirectory) await sources(abs, root, files);
    else files.push(inc);
  }
  const problems: LayerProblem[] = [];
  const graph = new Map<string, Set<string>>();
  const edges = new Map<string, string>(); // "a -> b" → an example import, for messages
  for (const file of files.sort()) {
    const from = unitOf(file, units);
    if (!from) {
      problems.push({ kind: "unplaced", message: `${file} is in no layer of scripts/layers.ts` });
      continue;
    }
    const text = await Deno.readTextFile(resolve(root, file));
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      const target = relative(root, resolve(root, dirname(file), spec));
      const to = unitOf(target, units);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
      edges.set(`${from} -> ${to}`, `${file} imports ${target}`);
      if (level.get(to)! > level.get(from)!) {
        problems.push({
          kind: "upward",
          message: `${file} imports ${target}: ${from} (layer ${
            level.get(from)
          }) may not depend on ${to} (layer ${level.get(to)})`,
        });
      }
    }
  }
  for (const comp of cycles(graph)) {
    const examples = [...edges.entries()].filter(([e]) => {
      const [a, b] = e.split(" -> ");
      return comp.includes(a) && comp.includes(b);
    }).map(([, ex]) => ex);
    problems.push({
      kind: "cycle",
      message: `import cycle between ${comp.join(", ")} (${examples.join("; ")})`,
    });
  }
  return problems;
}

if (import.meta.main) {
  const root = decodeURIComponent(new URL("..", import.meta.url).pathname);
  const problems = await checkLayers(root, LAYERS, ["main.ts", "core", "plugins"]);
  for (const p of problems) console.error(`${p.kind}: ${p.message}`);
  if (problems.length) {
    console.error(
      `${problems.length} layering problem(s); the layer order is in scripts/layers.ts and docs/architecture.md`,
    );
    Deno.exit(1);
  }
  console.error("layers ok: no folder-level cycles, no upward imports");
}
