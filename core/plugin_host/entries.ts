/**
 * Where plugins are listed: the project's `package.plugins` (committed with the
 * project), the user config `~/.config/ivpm/config.yaml` and the site config
 * `/etc/ivpm/config.yaml` (machine-wide). Each entry: a spec, the permissions
 * granted, options.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../base/errors.ts";
import { getEntry, type LNode, toPlain } from "../config/located_node.ts";
import { pluginEntrySchema } from "../config/ivpm_schema.ts";
import { s, validateNode } from "../config/schema.ts";
import type { Diagnostic, Loc } from "../base/diagnostics.ts";
import type { PluginGrant } from "../engine/registry.ts";

/** Which config file listed a plugin. */
export type PluginScope = "project" | "user" | "site";

/** One configured plugin. */
export interface PluginEntry {
  spec: string;
  grant: PluginGrant;
  options: Record<string, unknown>;
  scope: PluginScope;
  /** The file that lists it (its pins live next to it). */
  file: string;
  loc?: Loc;
}

/** A user or site config file. */
export interface IvpmConfigFile {
  path: string;
  exists: boolean;
  siteConfig?: string;
  plugins: PluginEntry[];
}

/** `$XDG_CONFIG_HOME/ivpm/config.yaml`, else `~/.config/ivpm/config.yaml`. */
export function userConfigPath(env = Deno.env): string {
  const xdg = env.get("XDG_CONFIG_HOME");
  const home = env.get("HOME") ?? env.get("USERPROFILE") ?? ".";
  return join(xdg || join(home, ".config"), "ivpm", "config.yaml");
}

/** `/etc/ivpm/config.yaml` (`IVPM_SITE_CONFIG_FILE` overrides, for tests and unusual installs). */
export function siteConfigPath(env = Deno.env): string {
  return env.get("IVPM_SITE_CONFIG_FILE") ||
    (Deno.build.os === "windows"
      ? join(env.get("ProgramData") ?? "C:\\ProgramData", "ivpm", "config.yaml")
      : "/etc/ivpm/config.yaml");
}

const configSchema = s.object({
  "site-config": s.string("Name of the site configuration to use"),
  plugins: s.array(pluginEntrySchema, "Plugins for every project on this machine / of this user"),
});

/** Turns a plugin entry node into a {@link PluginEntry}. */
export function pluginEntryOf(node: LNode, scope: PluginScope, file: string): PluginEntry {
  const base = dirname(file);
  if (node.kind === "scalar") {
    return { spec: String(node.value), grant: {}, options: {}, scope, file, loc: node.loc };
  }
  const plain = toPlain(node) as Record<string, unknown>;
  const list = (k: string) => (plain[k] as string[] | undefined)?.map(String);
  // Granted paths are relative to the file that grants them.
  const paths = (k: string) => list(k)?.map((p) => resolve(base, p));
  return {
    spec: String(plain.spec),
    grant: {
      read: paths("allow-read"),
      write: paths("allow-write"),
      run: list("allow-run"),
      net: list("allow-net"),
      env: list("allow-env"),
      ...(typeof plain.timeout === "number" ? { timeout: plain.timeout } : {}),
    },
    options: (plain.options as Record<string, unknown>) ?? {},
    scope,
    file,
    loc: node.loc,
  };
}

/** Reads a user/site config file (a missing file is an empty config). */
export async function readConfigFile(path: string, scope: "user" | "site"): Promise<IvpmConfigFile> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return { path, exists: false, plugins: [] };
  }
  const parsed = (await yamlParser())(path, text);
  const diags: Diagnostic[] = [...parsed.diagnostics];
  const root = parsed.root;
  if (!root || diags.length) {
    if (diags.length) throw new ConfigError(diags);
    return { path, exists: true, plugins: [] };
  }
  validateNode(root, configSchema, "config", diags);
  if (diags.length) throw new ConfigError(diags);
  if (root.kind !== "map") return { path, exists: true, plugins: [] };
  const sc = getEntry(root, "site-config")?.value;
  const pl = getEntry(root, "plugins")?.value;
  return {
    path,
    exists: true,
    siteConfig: sc?.kind === "scalar" ? String(sc.value) : undefined,
    plugins: pl?.kind === "seq" ? pl.items.map((n) => pluginEntryOf(n, scope, path)) : [],
  };
}

/** The `package.plugins` entries of a project's ivpm.yaml, read without loading the rest (plugins come first). */
export async function projectPlugins(projectDir: string): Promise<PluginEntry[]> {
  const file = join(projectDir, "ivpm.yaml");
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return [];
  }
  // Start-up cost: most projects list no plugins, and parsing a large ivpm.yaml twice is slow. Without the
  // word (and without an escape that could spell it), there is no `plugins:` key to find.
  if (!text.includes("plugins") && !text.includes("\\")) return [];
  const parsed = (await yamlParser())(file, text);
  if (parsed.diagnostics.length || parsed.root?.kind !== "map") return []; // the full load reports it
  const pkg = getEntry(parsed.root, "package")?.value;
  const pl = pkg?.kind === "map" ? getEntry(pkg, "plugins")?.value : undefined;
  if (pl?.kind !== "seq") return [];
  const diags: Diagnostic[] = [];
  validateNode(pl, s.array(pluginEntrySchema), "package.plugins", diags);
  if (diags.length) throw new ConfigError(diags);
  return pl.items.map((n) => pluginEntryOf(n, "project", file));
}

/** The YAML parser, loaded when a file is there to parse: most runs have no user or site config. */
async function yamlParser(): Promise<typeof import("../config/located.ts").parseLocated> {
  return (await import("../config/located.ts")).parseLocated;
}
