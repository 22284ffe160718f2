/**
 * Site configurations: the built-in `default` plus those plugins register, and
 * the choice of the active one: `IVPM_SITE_CONFIG_NAME` > `site-config:` in the
 * user config > in the site config file > the last registered. A name that
 * matches nothing is a warning and falls back.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import { DefaultSiteConfig, type SiteSettings, siteSettings } from "../plugin_api/site_config.ts";
import type { PluginGrant } from "../engine/registry.ts";
import { grantPermissions } from "../engine/permissions.ts";
import { checkedSiteSettings } from "./site_settings_check.ts";

/** A registered site configuration. */
export interface RegisteredSiteConfig {
  name: string;
  description: string;
  origin: string;
  /** Plugin bundle (data: URL) and export; undefined for the built-in. */
  moduleUrl?: string;
  exportName?: string;
  /** The export is a zero-argument factory returning a `SiteConfig` (not the class). */
  factory?: boolean;
  /** What the plugin's entry grants (env names, reads…): the site config runs with that and no more. */
  grant?: PluginGrant;
}

/** Which config is active and why. */
export interface ActiveSiteConfig {
  config: RegisteredSiteConfig;
  reason: string;
  warnings: string[];
}

/** Site configs in registration order. */
export class SiteConfigRegistry {
  #list: RegisteredSiteConfig[] = [{
    name: "default",
    description: DefaultSiteConfig.description,
    origin: "built-in",
  }];

  /** Registers a plugin's site config; a clash replaces nothing (the later one is listed too, last wins). */
  register(c: RegisteredSiteConfig): void {
    this.#list.push(c);
  }

  /** Every registered config, in order. */
  list(): RegisteredSiteConfig[] {
    return [...this.#list];
  }

  /** Chooses the active config. */
  choose(sources: { env?: string; user?: string; site?: string }): ActiveSiteConfig {
    const warnings: string[] = [];
    const pick = (name: string | undefined, from: string) => {
      if (!name) return undefined;
      const found = [...this.#list].reverse().find((c) => c.name === name);
      if (!found) {
        warnings.push(
          `site config '${name}' (from ${from}) is not registered (registered: ${
            this.#list.map((c) => c.name).join(", ")
          }); falling back`,
        );
      }
      return found ? { config: found, reason: from } : undefined;
    };
    const chosen = pick(sources.env, "IVPM_SITE_CONFIG_NAME") ??
      pick(sources.user, "user config site-config") ??
      pick(sources.site, "site config file site-config") ??
      { config: this.#list[this.#list.length - 1], reason: "last registered" };
    return { ...chosen, warnings };
  }
}

const CORE_DIR = dirname(dirname(fromFileUrl(import.meta.url)));

/**
 * The settings of a site config. Plugin code runs in a worker with its entry's grant and nothing more
 * (no environment variables unless granted with `--allow-env`); what it returns is checked before use,
 * and what it does not override comes from ivpm's defaults.
 */
export async function settingsOf(c: RegisteredSiteConfig): Promise<SiteSettings> {
  const defaults = await siteSettings(new DefaultSiteConfig());
  if (!c.moduleUrl) return defaults;
  const worker = new Worker(new URL("./site_config_worker.ts", import.meta.url), {
    type: "module",
    deno: { permissions: grantPermissions(c.grant ?? {}, { read: [CORE_DIR] }) },
  } as WorkerOptions);
  const who = `'${c.name}' (${c.origin})`;
  try {
    const returned = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new IvpmError(`site config '${c.name}' did not answer`)), 30_000);
      worker.onmessage = (e: MessageEvent) => {
        clearTimeout(timer);
        const r = e.data as { ok: boolean; settings?: Record<string, unknown>; message?: string };
        if (r.ok) resolve(r.settings!);
        else reject(new IvpmError(`site config '${c.name}' (${c.origin}) failed: ${r.message}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        reject(new IvpmError(`site config '${c.name}' (${c.origin}) failed: ${e.message}`));
      };
      worker.postMessage({ url: c.moduleUrl, exportName: c.exportName, factory: c.factory });
    });
    return checkedSiteSettings(returned, defaults, who);
  } finally {
    worker.terminate();
  }
}
