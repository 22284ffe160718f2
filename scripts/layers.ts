/**
 * The documented layer order of the code (docs/architecture.md), bottom first: a folder may import from
 * its own layer's folders and from the layers below it, never from above. `scripts/check_layers.ts`
 * enforces it (and forbids folder-level cycles), as part of `deno task ok`.
 *
 * @module
 */

/** Layers, bottom first; each entry a folder (a unit of the check) or a single file. */
export const LAYERS: readonly (readonly string[])[] = [
  ["core/base", "core/util"],
  ["core/ui"],
  ["core/plugin_api"],
  ["plugins", "core/config"],
  ["core/fetch/net", "core/fetch/archive", "core/fetch/git", "core/fetch/github", "core/fetch/cache"],
  ["core/fetch/sources"],
  ["core/engine"],
  ["core/plugin_host"],
  ["core/update/lock"],
  ["core/update"],
  ["core/workspace/status", "core/workspace/sync", "core/workspace/snapshot", "core/workspace"],
  ["core/cli/assets", "core/cli/commands"],
  ["core/cli"],
  ["main.ts"],
];
