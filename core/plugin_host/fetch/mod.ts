/**
 * Fetching plugin source graphs (JSR packages, URLs, local files), verified
 * file by file, for the bundler to turn into one loadable module.
 *
 * ```ts
 * const spec = parsePluginSpec("jsr:@acme/fusesoc@^1.2", projectDir);
 * const graph = await fetchPluginGraph(spec);
 * // graph.files: URL → source text, entry first; graph.hashes and graph.pin go to the lock.
 * ```
 *
 * @module
 */

export { isPluginApiSpecifier, PLUGIN_API_SPECIFIER } from "./api_specifier.ts";
export { fetchPluginGraph, graphIntegrity } from "./fetch.ts";
export { type ImportKind, type ImportRef, scanImports } from "./import_scanner.ts";
export {
  DEFAULT_JSR_URL,
  jsrRegistryBase,
  type JsrVersionInfo,
  jsrVersions,
  selectJsrVersion,
} from "./jsr.ts";
export { isLoopbackHost } from "./remote.ts";
export { formatPluginSpec, parsePluginSpec, type PluginSpec } from "./spec.ts";
export type { FetchedGraph, FetchOptions } from "./types.ts";
