/**
 * Site configurations: the built-in `default` plus those plugins register, and
 * the choice of the active one: `IVPM_SITE_CONFIG_NAME` > `site-config:` in the
 * user config > in the site config file > the last registered. A name that
 * matches nothing is a warning and falls back.
 *
 * @module
 */

import { dirname, fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../errors.ts";
import { DefaultSiteConfig, type SiteSettings, siteSettings } from "../plugin_api/site_config.ts";

/** A registered site configuration. */
export interface RegisteredSiteConfig {
  name: string;
  description: string;
  origin: string;
  /** Plugin bundle (data: URL) and export; undefined for the built-in. */
  moduleUrl?: string;
  exportName?: string;
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

/** The settings of a site config; plugin code runs in a worker that may read env vars but nothing else. */
export async function settingsOf(c: RegisteredSiteConfig): Promise<SiteSettings> {
  if (!c.moduleUrl) return await siteSettings(new DefaultSiteConfig());
  const worker = new Worker(new URL("./site_config_worker.ts", import.meta.url), {
    type: "module",
    deno: {
      permissions: {
        read: [CORE_DIR],
        env: true,
        write: false,
        net: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  } as WorkerOptions);
  try {
    return await new Promise<SiteSettings>((resolve, reject) => {
      const timer = setTimeout(() => reject(new IvpmError(`site config '${c.name}' did not answer`)), 30_000);
      worker.onmessage = (e: MessageEvent) => {
        clearTimeout(timer);
        const r = e.data as { ok: boolean; settings?: SiteSettings; message?: string };
        if (r.ok) resolve(r.settings!);
        else reject(new IvpmError(`site config '${c.name}' (${c.origin}) failed: ${r.message}`));
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        reject(new IvpmError(`site config '${c.name}' (${c.origin}) failed: ${e.message}`));
      };
      worker.postMessage({ url: c.moduleUrl, exportName: c.exportName });
    });
  } finally {
    worker.terminate();
  }
}
