/**
 * What plugin code may import: its own files, the plugin API, and the `node:` built-ins that reach
 * neither the file system, processes, the network nor stdout (those would bypass the worker's checked
 * calls). One rule for the fetcher and the bundler.
 *
 * @module
 */

import { IvpmError } from "../errors.ts";

/** `node:` built-ins a plugin may import: pure computation, no I/O of their own. */
export const SAFE_NODE_BUILTINS: ReadonlySet<string> = new Set([
  "assert",
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
