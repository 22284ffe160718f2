/**
 * The plugin cache: bundles keyed by their hash, metadata keyed by bundle and
 * integrity together (a hash key cannot go stale). Every read is verified against
 * the pin.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { defaultSiteCacheDir } from "../fetch/cache/dir.ts";
import { IvpmError } from "../base/errors.ts";
import { writeFileAtomic } from "../util/fs.ts";
import type { PluginMeta } from "./meta.ts";

/** `IVPM_PLUGIN_CACHE`, else `<default cache>/plugins` (independent of the package cache, which may be off). */
export function pluginCacheDir(env = Deno.env): string {
  return env.get("IVPM_PLUGIN_CACHE") || join(defaultSiteCacheDir(env), "plugins");
}

/** `sha256-<hex>` of a text. */
export function sha256Of(text: string): string {
  return "sha256-" + createHash("sha256").update(text).digest("hex");
}

function file(hash: string, ext: string, dir: string): string {
  return join(dir, `${hash.replace(/^sha256-/, "")}${ext}`);
}

/** A cached bundle, verified; undefined when absent. Throws when present but tampered with. */
export function readBundle(hash: string, plugin: string, dir = pluginCacheDir()): string | undefined {
  const path = file(hash, ".js", dir);
  let code: string;
  try {
    code = Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
  const actual = sha256Of(code);
  if (actual !== hash) {
    throw new IvpmError(
      `refusing to run plugin ${plugin}: cached bundle ${path} has hash ${actual}, but ${hash} is pinned`,
      {
        hint:
          "the cache was modified; delete the file and run the command again (it will be re-fetched and verified)",
      },
    );
  }
  return code;
}

/** Stores a bundle under its hash. */
export async function writeBundle(code: string, dir = pluginCacheDir()): Promise<string> {
  const hash = sha256Of(code);
  await writeFileAtomic(file(hash, ".js", dir), code);
  return hash;
}

/**
 * Cached metadata of a pin (keyed by `metaKey(pin)`: its bundle and integrity), with
 * the file it came from; undefined when absent or unreadable. The caller checks it
 * against the pinned hash.
 */
export function readMeta(
  key: string,
  dir = pluginCacheDir(),
): { meta: PluginMeta; path: string } | undefined {
  const path = file(key, ".meta.json", dir);
  try {
    return { meta: JSON.parse(Deno.readTextFileSync(path)), path };
  } catch {
    return undefined;
  }
}

/** Caches a pin's metadata under `metaKey(pin)`. */
export async function writeMeta(key: string, meta: PluginMeta, dir = pluginCacheDir()): Promise<void> {
  await writeFileAtomic(file(key, ".meta.json", dir), JSON.stringify(meta));
}
