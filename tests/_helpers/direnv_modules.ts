/**
 * Fixtures for the direnv and modules handler tests: a registry holding the
 * handlers from `plugins/<name>/mod.ts` the way built-ins run (leaf callbacks
 * in the trusted worker, root callbacks in-process), and projects of `dir`
 * packages whose own ivpm.yaml files declare further packages.
 *
 * @module
 */

import { join } from "node:path";
import YAML from "yaml";
import { HandlerRegistry, type PluginGrant } from "../../core/engine/registry.ts";
import type { HandlerClass } from "../../core/plugin_api/handler.ts";
import { toFileUrl } from "./file_url.ts";

/** Built-in handler plugins these tests load: directory under plugins/ → exported class. */
const CLASSES: Record<string, string> = { direnv: "DirenvHandler", modules: "ModulesHandler" };

/**
 * A registry with the named handlers of `plugins/`. Without `grant` they run as built-ins do
 * (trusted leaf worker, root in this process); with one, sandboxed as a third-party plugin.
 */
export async function pluginRegistry(names: string[], grant?: PluginGrant): Promise<HandlerRegistry> {
  const registry = new HandlerRegistry();
  for (const name of names) {
    const exportName = CLASSES[name];
    const url = new URL(`../../plugins/${name}/mod.ts`, import.meta.url).href;
    const mod = await import(url);
    registry.register(mod[exportName] as HandlerClass, {
      origin: `plugins/${name}`,
      moduleUrl: url,
      exportName,
      ...(grant ? { grant } : {}),
    });
  }
  return registry;
}

/** One package of a fixture: its files and the packages its own ivpm.yaml declares. */
export interface FixturePackage {
  /** Files relative to the package (text). */
  files?: Record<string, string>;
  /** Names of fixture packages its ivpm.yaml declares (as `src: dir`). */
  deps?: string[];
  /** Its own `package.with`. */
  with?: Record<string, unknown>;
  /** Its own `package.type`. */
  type?: unknown;
}

/** A dependency entry naming a fixture package (`dir` source) with extra keys. */
export function dirDep(
  root: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name, url: toFileUrl(join(root, "src", name)), src: "dir", ...extra };
}

/** Writes `<root>/src/<name>` for every package and `<root>/proj/ivpm.yaml` declaring `rootDeps`. */
export async function writeFixture(
  root: string,
  packages: Record<string, FixturePackage>,
  rootDeps: Record<string, unknown>[],
  rootWith?: Record<string, unknown>,
): Promise<string> {
  for (const [name, p] of Object.entries(packages)) {
    const dir = join(root, "src", name);
    await Deno.mkdir(dir, { recursive: true });
    for (const [rel, text] of Object.entries(p.files ?? {})) {
      await Deno.mkdir(join(dir, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, rel), text);
    }
    if (p.deps || p.with || p.type) {
      const body: Record<string, unknown> = { name };
      if (p.type) body.type = p.type;
      if (p.with) body.with = p.with;
      body["dep-sets"] = [{ name: "default", deps: (p.deps ?? []).map((d) => dirDep(root, d)) }];
      await Deno.writeTextFile(join(dir, "ivpm.yaml"), YAML.stringify({ package: body }));
    }
  }
  return await writeProject(root, rootDeps, rootWith);
}

/** (Re)writes `<root>/proj/ivpm.yaml`; returns the project dir. */
export async function writeProject(
  root: string,
  rootDeps: Record<string, unknown>[],
  rootWith?: Record<string, unknown>,
): Promise<string> {
  const dir = join(root, "proj");
  await Deno.mkdir(dir, { recursive: true });
  const body: Record<string, unknown> = { name: "proj" };
  if (rootWith) body.with = rootWith;
  body["dep-sets"] = [{ name: "default", deps: rootDeps }];
  await Deno.writeTextFile(join(dir, "ivpm.yaml"), YAML.stringify({ package: body }));
  return dir;
}

/** Modification time (ms) of a file, or undefined when it does not exist. */
export async function mtime(path: string): Promise<number | undefined> {
  return (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime();
}
