/**
 * The result and options of fetching a plugin's module graph.
 *
 * @module
 */

import type { PluginSpec } from "./spec.ts";

/** A plugin's complete, verified source graph, ready to bundle. */
export interface FetchedGraph {
  /** The spec, in canonical text form (e.g. `jsr:@acme/fusesoc@^1.2`). */
  spec: string;
  /** What was resolved: for jsr `@scope/name@1.2.3`, for url the final entry URL, for local the abs path. */
  resolved: {
    kind: PluginSpec["kind"];
    name: string;
    /** The exact version (JSR only). */
    version?: string;
    /** URL of the entry module (a key of `files`). */
    entry: string;
    /** JSR: the version chosen is yanked (only when no other version satisfies the range). */
    yanked?: boolean;
  };
  /** Every source file: URL → text. Entry first, then in discovery order. */
  files: Map<string, string>;
  /** URL → `sha256-<hex>` of each file's bytes. */
  hashes: Record<string, string>;
  /**
   * Pinned facts for the lock. JSR: `registry` (base URL, with trailing slash) and `metaSha256`
   * (hex sha256 of the `<version>_meta.json` body, as Deno's lock records it). URL: `url` (final entry URL).
   */
  pin: Record<string, unknown>;
}

/** Options of `fetchPluginGraph`. */
export interface FetchOptions {
  /** Refuse anything that does not match these (frozen/CI mode and re-fetch verification). */
  expect?: {
    /** JSR: use exactly this version (no `meta.json` request); must still satisfy the spec's range. */
    version?: string;
    /** Every fetched file must be listed here with this hash, and every file listed must be fetched. */
    hashes?: Record<string, string>;
    /** JSR: sha256 of `<version>_meta.json` (hex, or `sha256-<hex>`). */
    metaSha256?: string;
  };
  /** Cancels the fetch; its reason is thrown. */
  signal?: AbortSignal;
  /** Where `JSR_URL` is read (default `Deno.env`). */
  env?: { get(k: string): string | undefined };
}
