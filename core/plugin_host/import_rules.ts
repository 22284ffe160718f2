/**
 * What plugin code may import: its own files, the plugin API, and the `node:` built-ins that reach
 * neither the file system, processes, the network nor stdout (those would bypass the worker's checked
 * calls). One rule ({@link classifyPluginImport}) for the fetcher and the bundler.
 *
 * @module
 */

import semverModule from "semver";
import { IvpmError } from "../base/errors.ts";
import { pluginApiRange } from "./fetch/api_specifier.ts";

/** The part of `npm:semver` used here (the package ships no types). */
const semver = semverModule as { validRange(range: string): string | null };

/** What one import in plugin code is, once {@link classifyPluginImport} has allowed it. */
export type PluginImport =
  /** The plugin API; kept external. `range` is the declared `@range` (undefined: any version). */
  | { kind: "api"; range?: string }
  /** A pure `node:` built-in; kept external. */
  | { kind: "node" }
  /** One of the plugin's own modules, by absolute URL (the caller checks it belongs to the plugin). */
  | { kind: "module"; url: string };

/** `node:` built-ins a plugin may import: pure computation, no I/O of their own. */
export const SAFE_NODE_BUILTINS: ReadonlySet<string> = new Set([
  "assert",
  // AsyncLocalStorage: carries a callback's context (e.g. its `info.env`) into helpers; no I/O.
  "async_hooks",
  "assert/strict",
  "buffer",
  "crypto",
  "events",
  "path",
  "path/posix",
  "path/win32",
  "querystring",
  "string_decoder",
  "url",
  "util",
  "zlib",
]);

/**
 * Why `spec` (a `node:` specifier) may not be imported by a plugin, or undefined when it may.
 *
 * @example
 * ```ts
 * import { refusedNodeImport } from "./import_rules.ts";
 * refusedNodeImport("node:path"); // undefined
 * refusedNodeImport("node:fs"); // "node:fs reaches the file system, processes or stdout …"
 * ```
 */
export function refusedNodeImport(spec: string): string | undefined {
  const name = spec.replace(/^node:/, "");
  if (SAFE_NODE_BUILTINS.has(name)) return undefined;
  return `${spec} reaches the file system, processes, the network or stdout outside the plugin's checked ` +
    `calls; plugins may import only node:${[...SAFE_NODE_BUILTINS].join(", node:")} ` +
    "(use Deno's file APIs, which the sandbox checks)";
}

/**
 * The one rule for a `node:` import in plugin code, used by the fetcher and the bundler: undefined when
 * it stays external, else the error to throw.
 *
 * @example
 * ```ts
 * import { nodeImportError } from "./import_rules.ts";
 * nodeImportError("jsr:@acme/x", "node:path", "file:///mod.ts"); // undefined
 * ```
 */
export function nodeImportError(plugin: string, spec: string, importer: string): IvpmError | undefined {
  const why = refusedNodeImport(spec);
  if (why === undefined) return undefined;
  return new IvpmError(`Plugin ${plugin} imports '${spec}' in ${importer}, which plugins may not use`, {
    hint: why,
  });
}

/**
 * THE rule for what plugin code may import, used by the fetcher (JSR and URL/local graphs) and the
 * bundler: `@ivpm/plugin` or `jsr:@ivpm/plugin[@range]` (a valid semver range), a pure `node:` built-in
 * ({@link nodeImportError}), or a module of the plugin itself — a relative path, or an absolute
 * `https:`/`http:`/`file:` URL — returned resolved against `importer`. Where such a module may live
 * (inside the JSR package, not a local file from a remote one, among the fetched files) is for the
 * caller to check. Anything else (`npm:`, other `jsr:` packages, bare names, `data:`) is refused.
 *
 * @throws {IvpmError} naming the plugin, the specifier and the importing file.
 *
 * @example
 * ```ts
 * import { classifyPluginImport } from "./import_rules.ts";
 * classifyPluginImport("jsr:@acme/x", "jsr:@ivpm/plugin@^0.1", "file:///p/mod.ts"); // { kind: "api", range: "^0.1" }
 * classifyPluginImport("jsr:@acme/x", "./util.ts", "file:///p/mod.ts"); // { kind: "module", url: "file:///p/util.ts" }
 * ```
 */
export function classifyPluginImport(plugin: string, specifier: string, importer: string): PluginImport {
  const api = pluginApiRange(specifier);
  if (api !== null) {
    if (api !== undefined && semver.validRange(api) === null) {
      throw new IvpmError(
        `Plugin ${plugin} imports '${specifier}' in ${importer}, but '${api}' is not a version range`,
        { hint: "import the API as '@ivpm/plugin' or with a semver range, e.g. 'jsr:@ivpm/plugin@^0.1'" },
      );
    }
    return api === undefined ? { kind: "api" } : { kind: "api", range: api };
  }
  if (specifier.startsWith("node:")) {
    const refused = nodeImportError(plugin, specifier, importer);
    if (refused) throw refused;
    return { kind: "node" };
  }
  if (!/^\.{0,2}\//.test(specifier) && !/^(?:https?|file):/i.test(specifier)) {
    throw notSelfContained(plugin, specifier, importer);
  }
  let url: URL;
  try {
    url = new URL(specifier, importer);
  } catch {
    throw new IvpmError(`Plugin ${plugin} imports an invalid URL '${specifier}' in ${importer}`, {
      hint: "imports name the plugin's own files by relative path, e.g. './util.ts'",
    });
  }
  url.hash = "";
  return { kind: "module", url: url.href };
}

/**
 * The refusal for an import the plugin may not make.
 *
 * @example
 * ```ts
 * import { notSelfContained } from "./import_rules.ts";
 * notSelfContained("jsr:@acme/x", "npm:left-pad", "file:///p/mod.ts").message;
 * ```
 */
export function notSelfContained(plugin: string, specifier: string, importer: string): IvpmError {
  return new IvpmError(`Plugin ${plugin} imports '${specifier}' in ${importer}`, {
    hint:
      "a plugin must be self-contained: import only '@ivpm/plugin' and its own files (bundle other dependencies in)",
  });
}

/**
 * The first `import(…)` in bundled code whose specifier is not a string literal (code the bundler
 * never saw could then be loaded at run time), or undefined.
 *
 * @example
 * ```ts
 * import { computedImport } from "./import_rules.ts";
 * computedImport('await import("@ivpm/plugin")'); // undefined
 * computedImport("await import(name)"); // "import(name)"
 * ```
 */
export function computedImport(code: string): string | undefined {
  for (const m of code.matchAll(/\bimport\s*\(/g)) {
    const rest = code.slice(m.index! + m[0].length);
    if (/^\s*(["'])[^"'\\\n]*\1\s*[,)]/.test(rest)) continue;
    if (/^\s*`[^`$\\]*`\s*[,)]/.test(rest)) continue;
    return code.slice(m.index!, m.index! + m[0].length + Math.min(40, rest.indexOf(")") + 1 || 40));
  }
  return undefined;
}
