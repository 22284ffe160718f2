/**
 * Worker that instantiates a plugin's site config (a `SiteConfig` subclass, or a zero-argument factory
 * returning an instance) and reads the settings it overrides. Settings it leaves to the base class are
 * reported as absent: the host fills them in, so a plugin needs no environment access for defaults.
 *
 * @module
 */

import { hardenPluginRealm } from "../engine/plugin_realm.ts";
import { SiteConfig } from "../plugin_api/site_config.ts";

hardenPluginRealm();

const scope = self as unknown as {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

scope.onmessage = async (e: MessageEvent) => {
  const { url, exportName, factory } = e.data as { url: string; exportName: string; factory?: boolean };
  try {
    const ns = await import(url) as Record<string, unknown>;
    const target = ns[exportName] as (new () => SiteConfig) & (() => SiteConfig);
    const inst = factory ? target() : new target();
    if (!(inst instanceof SiteConfig)) throw new Error(`export '${exportName}' did not give a SiteConfig`);
    const base = SiteConfig.prototype;
    const settings: Record<string, unknown> = {};
    if (inst.getDefaultCacheDir !== base.getDefaultCacheDir) {
      settings.cacheDir = await inst.getDefaultCacheDir();
    }
    if (inst.getIvpmInstallArgs !== base.getIvpmInstallArgs) {
      settings.installArgs = await inst.getIvpmInstallArgs();
    }
    if (inst.getPythonPackageIndex !== base.getPythonPackageIndex) {
      settings.pythonIndex = await inst.getPythonPackageIndex();
    }
    if (inst.getDefaultGitAuthOrder !== base.getDefaultGitAuthOrder) {
      settings.gitAuthOrder = await inst.getDefaultGitAuthOrder();
    }
    scope.postMessage({ ok: true, settings: structuredClone(settings) });
  } catch (err) {
    scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
  }
};
