/**
 * Fixtures for node handler tests: a registry holding the handler the way
 * ivpm runs a built-in (root pass in-process, leaf pass in the trusted worker,
 * loaded from its module URL), real updates with the handler's messages
 * captured, and a temp project layout.
 *
 * @module
 */

import { join } from "node:path";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { runUpdate, type UpdateResult } from "../../core/update/update.ts";
import { NodeHandler } from "../../plugins/node/mod.ts";
import { type DepEntry, depSets, recorder, tempRoot, writeIvpmYaml } from "./update_project.ts";

/** A registry with only the node handler (trusted: no grant, root pass in this process). */
export function nodeRegistry(): HandlerRegistry {
  const r = new HandlerRegistry();
  r.register(NodeHandler, {
    origin: "test",
    moduleUrl: new URL("../../plugins/node/mod.ts", import.meta.url).href,
    exportName: "NodeHandler",
  });
  return r;
}

/** What one update said: ivpm's diagnostics and the handler's own warnings / notes (stderr). */
export interface NodeRun {
  result: UpdateResult;
  /** Warning diagnostics of ivpm plus `warning:` lines the handler printed. */
  warnings: string[];
  /** `note:` lines the handler printed. */
  notes: string[];
}

/**
 * Runs a real update of `projectDir` with the node handler, capturing what it printed.
 * `env` is the update's environment (e.g. a tool shim's `env`); default the process's.
 */
export async function updateWithNode(
  projectDir: string,
  opts: { prune?: boolean; env?: Record<string, string> } = {},
): Promise<NodeRun> {
  const rec = recorder();
  const printed: string[] = [];
  const { warn, error } = console;
  console.warn = (...a: unknown[]) => void printed.push(a.map(String).join(" "));
  console.error = (...a: unknown[]) => void printed.push(a.map(String).join(" "));
  try {
    const result = await runUpdate({
      projectDir,
      cacheDir: null,
      handlers: nodeRegistry(),
      reporter: rec,
      prune: opts.prune,
      env: opts.env,
    });
    return {
      result,
      warnings: [
        ...rec.messages("warning"),
        ...printed.filter((l) => l.startsWith("warning: ")).map((l) => l.slice(9)),
      ],
      // The handler's notes arrive through info.note, prefixed with its name.
      notes: [
        ...rec.messages("note").filter((m) => m.startsWith("node: ")).map((m) => m.slice("node: ".length)),
        ...printed.filter((l) => l.startsWith("note: ")).map((l) => l.slice(6)),
      ],
    };
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

/** A temp tree with `proj/` (the project) and `src/` (local source packages). */
export interface NodeProject {
  root: string;
  dir: string;
  deps: string;
  nodeDir: string;
  /** Writes `src/<name>/package.json` (plus `index.js`) and returns the dir. */
  sourcePackage(name: string, manifest: Record<string, unknown> | null): Promise<string>;
  /** Writes `proj/ivpm.yaml` with these default deps and `with:`. */
  writeYaml(deps: DepEntry[], withBlock?: Record<string, unknown>): Promise<void>;
  dispose(): Promise<void>;
}

/** Creates an empty {@link NodeProject}. */
export async function nodeProject(): Promise<NodeProject> {
  const t = await tempRoot("ivpm-node-");
  const dir = join(t.path, "proj");
  await Deno.mkdir(dir, { recursive: true });
  return {
    root: t.path,
    dir,
    deps: join(dir, "packages"),
    nodeDir: join(dir, "packages", "node"),
    async sourcePackage(name, manifest) {
      const d = join(t.path, "src", name);
      await Deno.mkdir(d, { recursive: true });
      if (manifest) {
        await Deno.writeTextFile(join(d, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
        await Deno.writeTextFile(join(d, "index.js"), `module.exports = "${name} here";\n`);
      } else await Deno.writeTextFile(join(d, "README"), "not a node package\n");
      return d;
    },
    async writeYaml(deps, withBlock) {
      await writeIvpmYaml(dir, {
        name: "proj",
        ...(withBlock ? { with: withBlock } : {}),
        "dep-sets": depSets({ default: deps }),
      });
    },
    dispose: t.dispose,
  };
}
