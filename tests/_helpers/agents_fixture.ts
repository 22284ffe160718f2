/**
 * Fixtures for agents-handler tests: SKILL.md files, a temp tree with local
 * `src: dir` packages and a project, and a real `ivpm update` / `ivpm destroy`
 * with the agents handler registered as a sandboxed plugin (so its leaf code
 * runs in real workers) plus any in-process test handlers.
 *
 * @module
 */

import { dirname, join } from "node:path";
import YAML from "yaml";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import type { HandlerClass } from "../../core/plugin_api/handler.ts";
import { runUpdate, type UpdateResult } from "../../core/update/update.ts";
import { type DestroyResult, runDestroy } from "../../core/update/destroy.ts";
import { AgentsHandler } from "../../plugins/agents/mod.ts";
import { toFileUrl } from "./file_url.ts";
import { tempRoot } from "./update_project.ts";

/** Text of a valid SKILL.md. */
export function skillMd(name: string, description = `Skill ${name}`): string {
  return `---\nname: ${name}\ndescription: ${description}\n---\nBody of ${name}\n`;
}

/** Writes `path` (creating its directory). */
export async function writeFile(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** A temp tree: `<root>/src/<pkg>` sources and the project `<root>/proj`. */
export interface AgentsTree {
  root: string;
  proj: string;
  /** `<root>/src/<name>`. */
  src(name: string): string;
  /** Writes the project's ivpm.yaml: `deps` are `src: dir` packages from `src/` (with extra keys). */
  project(deps: (string | Record<string, unknown>)[], withBlock?: Record<string, unknown>): Promise<void>;
  dispose(): Promise<void>;
}

/** Creates an {@link AgentsTree}. */
export async function agentsTree(): Promise<AgentsTree> {
  const t = await tempRoot("ivpm-agents-");
  const proj = join(t.path, "proj");
  await Deno.mkdir(proj, { recursive: true });
  const src = (name: string) => join(t.path, "src", name);
  return {
    root: t.path,
    proj,
    src,
    async project(deps, withBlock) {
      const entries = deps.map((d) => {
        const o = typeof d === "string" ? { name: d } : d;
        return { ...o, url: toFileUrl(src(o.name as string)), src: "dir" };
      });
      const body: Record<string, unknown> = { name: "proj" };
      if (withBlock) body.with = withBlock;
      body["dep-sets"] = [{ name: "default", deps: entries }];
      await Deno.writeTextFile(join(proj, "ivpm.yaml"), YAML.stringify({ package: body }));
    },
    dispose: t.dispose,
  };
}

/**
 * A registry with the agents handler and `extra` in-process handlers. The agents
 * handler is registered the way built-ins run: root side in this process, leaf
 * side in the trusted worker (which imports it by `moduleUrl`, as it is not yet
 * listed in `plugins/mod.ts`). A sandbox would not do: Deno allows
 * `Deno.symlink` only with unrestricted read and write permissions.
 */
export function agentsRegistry(extra: HandlerClass[] = []): HandlerRegistry {
  const r = new HandlerRegistry();
  r.register(AgentsHandler, {
    origin: "test",
    moduleUrl: new URL("../../plugins/agents/mod.ts", import.meta.url).href,
    exportName: "AgentsHandler",
  });
  for (const cls of extra) r.register(cls);
  return r;
}

/** What one update said. */
export interface AgentsRun {
  result: UpdateResult;
  /** Warning diagnostics, minus the one about python not being installed. */
  warnings: string[];
  /** Progress lines of the agents handler's task (its notes and `warning: …` lines). */
  lines: string[];
}

/** Runs a real `ivpm update` of `proj`. */
export async function updateWith(
  proj: string,
  registry: HandlerRegistry,
  env?: Record<string, string>,
): Promise<AgentsRun> {
  const diags: { severity: string; message: string }[] = [];
  const result = await runUpdate({
    projectDir: proj,
    cacheDir: null,
    handlers: registry,
    env,
    reporter: { diagnostic: (d) => void diags.push(d) },
  });
  // The handler's own root-pass messages arrive through info.warn / info.note, prefixed "agents: ".
  const own = (d: { message: string }) => d.message.startsWith("agents: ");
  return {
    result,
    warnings: diags.filter((d) => d.severity === "warning" && !own(d)).map((d) => d.message)
      .filter((w) => !/runAfter 'python' is not installed/.test(w)),
    lines: diags.filter(own).map((d) =>
      (d.severity === "warning" ? "warning: " : "") + d.message.slice("agents: ".length)
    ),
  };
}

/** Runs a real `ivpm destroy` of `proj`. */
export function destroyWith(proj: string, registry: HandlerRegistry, dryRun = false): Promise<DestroyResult> {
  return runDestroy({ projectDir: proj, handlers: registry, dryRun });
}

/** `name -> link text` (or `dir` for a directory) of every entry of a skills directory. */
export async function skillEntries(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  try {
    for await (const e of Deno.readDir(dir)) {
      out[e.name] = e.isSymlink ? await Deno.readLink(join(dir, e.name)) : e.isDirectory ? "dir" : "file";
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `handlers.agents` of `<proj>/packages/ivpm.json`, if any. */
export async function agentsState(proj: string): Promise<Record<string, unknown> | undefined> {
  const j = JSON.parse(await Deno.readTextFile(join(proj, "packages", "ivpm.json")));
  return j.handlers?.agents;
}
