/**
 * Lifecycle scripts of the node environment's dependencies. npm installs and
 * links with `--ignore-scripts`; afterwards the installed tree is read to learn
 * which packages have install scripts, those the project allows
 * (`package.with.node.allow-scripts`) are run with `npm rebuild`, and the
 * others are named in a warning — pnpm 10's rule: the project's own scripts
 * run, a dependency's only when the project allows it.
 *
 * @module
 */

import { join } from "node:path";
import { HandlerFatalError } from "@ivpm/plugin";

/** The scripts npm runs when it installs a package; a linked directory also gets `prepare`. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"] as const;

/** How deep nested `node_modules` are read (npm's trees are far shallower; no link is followed). */
const MAX_DEPTH = 64;

/** A package in the environment that has install scripts. */
export interface ScriptedPackage {
  /** Its name in `node_modules` (what `npm rebuild <name>` matches, not the name its package.json claims). */
  name: string;
  /** The scripts npm would run, e.g. `["postinstall"]`; `install (node-gyp)` for an implicit gyp build. */
  scripts: string[];
  /** A link at the top of `node_modules` (a Node source package ivpm fetched). */
  linked: boolean;
}

/**
 * The names of `package.with.node.allow-scripts` (the schema checked it is a list of strings).
 * A name that could be read as an option or a path is refused.
 */
export function allowedScripts(config: Record<string, unknown>): string[] {
  const list = config["allow-scripts"];
  if (!Array.isArray(list)) return [];
  const names: string[] = [];
  for (const n of list) {
    const name = String(n);
    if (!/^(@[A-Za-z0-9~][\w.~-]*\/)?[A-Za-z0-9~][\w.~-]*$/.test(name)) {
      throw new HandlerFatalError(
        `Invalid package name '${name}' in package.with.node.allow-scripts: write npm package names, ` +
          "e.g. esbuild or @scope/name",
      );
    }
    if (!names.includes(name)) names.push(name);
  }
  return names.sort();
}

async function manifestAt(dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    const data = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
    return typeof data === "object" && data !== null && !Array.isArray(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return await Deno.stat(path).then((s) => s.isFile, () => false);
}

/** The install scripts npm runs for the package in `dir` (as arborist decides it). */
async function scriptsOf(dir: string, linked: boolean): Promise<string[]> {
  const m = await manifestAt(dir);
  if (!m) return [];
  const scripts = typeof m.scripts === "object" && m.scripts !== null
    ? m.scripts as Record<string, unknown>
    : {};
  const has = (k: string) => typeof scripts[k] === "string" && (scripts[k] as string).trim() !== "";
  const out: string[] = INSTALL_SCRIPTS.filter(has);
  if (linked && has("prepare")) out.push("prepare");
  // npm adds `install: node-gyp rebuild` to a package with a binding.gyp and no install script of its own.
  if (
    !has("install") && !has("preinstall") && m.gypfile !== false && (await isFile(join(dir, "binding.gyp")))
  ) {
    out.push("install (node-gyp)");
  }
  return out;
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch {
    return [];
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Every package under `nodeModules` (nested ones too) that has install scripts, in path order.
 * Links are read (their own scripts) but never descended into.
 *
 * @example
 * ```ts
 * import { scriptedPackages } from "./scripts.ts";
 * const pending = await scriptedPackages("/p/packages/node/node_modules");
 * ```
 */
export async function scriptedPackages(nodeModules: string): Promise<ScriptedPackage[]> {
  const out: ScriptedPackage[] = [];
  const visitPackage = async (dir: string, name: string, depth: number) => {
    const st = await Deno.lstat(dir).catch(() => undefined);
    if (!st || !(st.isSymlink || st.isDirectory)) return;
    const linked = st.isSymlink;
    const scripts = await scriptsOf(dir, linked);
    if (scripts.length) out.push({ name, scripts, linked: linked && depth === 0 });
    if (!linked && depth < MAX_DEPTH) await visitModules(join(dir, "node_modules"), depth + 1);
  };
  const visitModules = async (dir: string, depth: number) => {
    for (const e of await entries(dir)) {
      if (e.name.startsWith(".")) continue; // .bin, .package-lock.json, caches
      if (e.name.startsWith("@") && e.isDirectory) {
        for (const s of await entries(join(dir, e.name))) {
          await visitPackage(join(dir, e.name, s.name), `${e.name}/${s.name}`, depth);
        }
      } else await visitPackage(join(dir, e.name), e.name, depth);
    }
  };
  await visitModules(nodeModules, 0);
  return out;
}

/** The command running the install scripts of the packages named `names` in `nodeDir`. */
export function rebuildCommand(nodeDir: string, names: string[]): string[] {
  return ["npm", "rebuild", "--ignore-scripts=false", "--prefix", nodeDir, ...names];
}

/**
 * `name (scripts)` for each package, one entry per name (versions installed twice share it).
 *
 * @example
 * ```ts
 * import { describeScripted } from "./scripts.ts";
 * describeScripted([{ name: "esbuild", scripts: ["postinstall"], linked: false }]); // "esbuild (postinstall)"
 * ```
 */
export function describeScripted(pkgs: ScriptedPackage[]): string {
  const byName = new Map<string, Set<string>>();
  for (const p of pkgs) {
    const set = byName.get(p.name) ?? new Set<string>();
    for (const s of p.scripts) set.add(s);
    byName.set(p.name, set);
  }
  return [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, s]) => `${name} (${[...s].join(", ")})`).join(", ");
}
