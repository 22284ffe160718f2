/**
 * A handler plugin written to a file and registered as third-party code (sandboxed,
 * loaded by URL in workers), the way the plugin host registers a verified plugin.
 *
 * @module
 */

import { join } from "node:path";
import { toFileUrl } from "./file_url.ts";
import type { HandlerRegistry, PluginGrant } from "../../core/engine/registry.ts";
import type { HandlerClass } from "../../core/plugin_api/handler.ts";

/** Writes `source` to `dir/file` and registers its export `exportName` with `grant` (default: none). */
export async function registerPluginModule(
  registry: HandlerRegistry,
  dir: string,
  file: string,
  source: string,
  exportName: string,
  grant: PluginGrant = {},
): Promise<void> {
  const path = join(dir, file);
  await Deno.writeTextFile(path, source);
  const url = toFileUrl(path);
  const mod = await import(url);
  registry.register(mod[exportName] as HandlerClass, {
    origin: `test:${file}`,
    moduleUrl: url,
    exportName,
    grant,
  });
}
