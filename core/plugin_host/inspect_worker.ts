/**
 * Worker that imports a plugin bundle (with no permissions beyond reading ivpm's
 * own API) and reports what it registers. Runs once per bundle; the result is
 * cached by the bundle's hash, so later commands never evaluate plugin code
 * just to show help or order handlers.
 *
 * @module
 */

import { hardenPluginRealm } from "../engine/plugin_realm.ts";
import { type HandlerClass, PackageHandler } from "../plugin_api/handler.ts";
import { SiteConfig } from "../plugin_api/site_config.ts";
import { CredentialProvider } from "../plugin_api/credentials.ts";
import { handlerMeta } from "../engine/registry.ts";
import type { PluginMeta } from "./meta.ts";

hardenPluginRealm();

/** A function that is neither a class nor async and takes no arguments: a candidate factory. */
function isPlainZeroArgFunction(fn: unknown): boolean {
  if (typeof fn !== "function" || fn.length !== 0) return false;
  const tag = Object.prototype.toString.call(fn);
  if (tag !== "[object Function]") return false; // async and generator functions
  return !/^class\b/.test(String(fn));
}

/** What the plugin exports is malformed (as opposed to its code failing to load). */
class ShapeError extends Error {}

/** The `kind`s of the schemas `s` builds. */
const SCHEMA_KINDS = new Set([
  "string",
  "boolean",
  "integer",
  "scalar",
  "any",
  "object",
  "map",
  "array",
  "union",
]);

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

scope.onmessage = async (e: MessageEvent) => {
  const { url, origin } = e.data as { url: string; origin: string };
  try {
    const ns = await import(url) as Record<string, unknown>;
    const meta: PluginMeta = { handlers: [], siteConfigs: [], sources: [], credentialProviders: [] };
    for (const [exportName, value] of Object.entries(ns)) {
      if (typeof value === "function" && value.prototype instanceof PackageHandler) {
        meta.handlers.push({
          exportName,
          meta: handlerMeta(value as HandlerClass, origin),
          options: (value as HandlerClass).options,
        });
      } else if (
        typeof value === "function" && value.prototype instanceof CredentialProvider
      ) {
        const cls = value as unknown as { name: string; description?: string };
        meta.credentialProviders!.push({ exportName, name: cls.name, description: cls.description ?? "" });
      } else if (
        typeof value === "function" && (value === SiteConfig || value.prototype instanceof SiteConfig)
      ) {
        const cls = value as typeof SiteConfig & { name: string };
        meta.siteConfigs.push({ exportName, name: cls.name, description: cls.description ?? "" });
      } else if (typeof value === "function" && isPlainZeroArgFunction(value)) {
        // A site-config factory (`export function acme() { return new AcmeSiteConfig(); }`).
        let made: unknown;
        try {
          made = (value as () => unknown)();
        } catch {
          continue; // some other helper function: not a registration
        }
        if (made instanceof SiteConfig) {
          const cls = made.constructor as typeof SiteConfig & { name: string };
          meta.siteConfigs.push({
            exportName,
            name: cls.name,
            description: cls.description ?? "",
            factory: true,
          });
        }
      } else if (
        value && typeof value === "object" && typeof (value as { name?: unknown }).name === "string" &&
        typeof (value as { fetch?: unknown }).fetch === "function"
      ) {
        const src = value as {
          name: string;
          description?: string;
          keys?: Record<string, unknown>;
          required?: string[];
        };
        for (const [key, schema] of Object.entries(src.keys ?? {})) {
          // A plain `{ type: "string" }` would otherwise surface later as a baffling ivpm.yaml error.
          if (!SCHEMA_KINDS.has((schema as { kind?: string } | null)?.kind ?? "")) {
            throw new ShapeError(
              `source '${src.name}' (export ${exportName}): key '${key}' is not a schema; build it with s.string(), s.boolean(), …`,
            );
          }
        }
        meta.sources.push({
          exportName,
          name: src.name,
          description: src.description ?? "",
          keys: structuredClone(src.keys ?? {}),
          required: src.required ?? [],
        });
      }
    }
    scope.postMessage({ ok: true, meta });
  } catch (err) {
    if (err instanceof ShapeError) scope.postMessage({ ok: false, shape: true, message: err.message });
    else {
      scope.postMessage({
        ok: false,
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    }
  }
};
