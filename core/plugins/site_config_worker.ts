/**
 * Worker that instantiates a plugin's site config and reads its settings.
 *
 * @module
 */

import { hardenPluginRealm } from "../handlers/plugin_realm.ts";
import { type SiteConfig, siteSettings } from "../plugin_api/site_config.ts";

hardenPluginRealm();

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

scope.onmessage = async (e: MessageEvent) => {
  const { url, exportName } = e.data as { url: string; exportName: string };
  try {
    const ns = await import(url) as Record<string, new () => SiteConfig>;
    scope.postMessage({ ok: true, settings: await siteSettings(new ns[exportName]()) });
  } catch (err) {
    scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
