/**
 * What a plugin registers, as plain data (cached by bundle hash).
 *
 * @module
 */

import type { ObjectSchema, Schema } from "../config/schema.ts";
import type { HandlerMeta } from "../engine/registry.ts";

/** Metadata of one plugin bundle. */
export interface PluginMeta {
  handlers: { exportName: string; meta: HandlerMeta; options?: ObjectSchema }[];
  /** `factory`: the export is a zero-argument function returning the `SiteConfig` instance. */
  siteConfigs: { exportName: string; name: string; description: string; factory?: boolean }[];
  /** Git credential providers (first-result hook), in export order. */
  credentialProviders?: { exportName: string; name: string; description: string }[];
  sources: {
    exportName: string;
    name: string;
    description: string;
    keys: Record<string, unknown>;
    required: string[];
  }[];
}

/** Narrow a cached source key table back to schemas (they are plain data). */
export function keysOf(keys: Record<string, unknown>): Record<string, Schema> {
  return keys as Record<string, Schema>;
}
