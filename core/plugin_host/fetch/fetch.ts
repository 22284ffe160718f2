/**
 * Entry point: fetch a plugin's whole source graph, verified, whatever its kind.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { sha256Integrity } from "./digest.ts";
import { fetchJsrGraph } from "./jsr.ts";
import { formatPluginSpec, type PluginSpec } from "./spec.ts";
import type { FetchedGraph, FetchOptions } from "./types.ts";
import { fetchLocalGraph, fetchUrlGraph } from "./url_graph.ts";

/**
 * Fetches every source file of the plugin `spec` names and verifies it (JSR:
 * against the registry manifest; all kinds: against `opts.expect`). Throws an
 * {@link IvpmError} naming the plugin and file on any mismatch.
 */
export function fetchPluginGraph(spec: PluginSpec, opts: FetchOptions = {}): Promise<FetchedGraph> {
  const text = formatPluginSpec(spec);
  switch (spec.kind) {
    case "jsr":
      return fetchJsrGraph(spec, text, opts);
    case "url":
      return fetchUrlGraph(spec.url, text, opts);
    case "local":
      return fetchLocalGraph(spec.path, text, opts);
    case "npm":
      return Promise.reject(
        new IvpmError(`npm: plugins are not supported yet (${text})`, {
          hint: "publish the plugin to JSR, serve it over https, or use a local path",
        }),
      );
  }
}

/** One digest over the whole graph: sha256 of the sorted `<url> <hash>\n` lines, as `sha256-<hex>`. */
export function graphIntegrity(graph: FetchedGraph): string {
  const lines = Object.keys(graph.hashes).sort().map((url) => `${url} ${graph.hashes[url]}\n`);
  return sha256Integrity(lines.join(""));
}
