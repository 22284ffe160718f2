/**
 * The documented layer order of the code (docs/architecture.md), bottom first: a folder may import from
 * its own layer's folders and from the layers below it, never from above. `scripts/check_layers.ts`
 * enforces it (and forbids folder-level cycles), as part of `deno task ok`.
 *
 * @module
 */

/** Layers, bottom first; each entry a folder or a file. */
export const LAYERS: readonly (readonly string[])[] = [
  ["core/util", "core/errors.ts", "core/build_info.ts", "core/version.ts", "core/assets"],
  ["core/ui"],
  ["core/plugin_api"],
  ["plugins"],
  ["core/config"],
  ["core/lock", "core/cache", "core/net", "core/archive", "core/git", "core/github", "core/env"],
  ["core/sources"],
  ["core/handlers"],
  ["core/plugins", "core/registries.ts"],
  ["core/update"],
  ["core/status", "core/sync", "core/snapshot"],
  ["core/commands", "core/cli"],
  ["main.ts"],
];
