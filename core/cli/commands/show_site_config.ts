/**
 * `ivpm show site-config [NAME] [--json]`: every registered site configuration
 * (the active one flagged, with why), and the effective settings.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { settingsOf } from "../../plugin_host/site_configs.ts";
import { registries } from "../../plugin_host/registries.ts";
import { out, warn } from "../../ui/log.ts";
import { closestMatch } from "../../util/suggest.ts";
import type { SiteSettings } from "../../plugin_api/site_config.ts";

/** The active site config and its settings (warnings about unknown names are printed). */
export async function activeSiteSettings(): Promise<
  { name: string; reason: string; settings: SiteSettings }
> {
  const r = registries();
  const active = r.siteConfigs.choose({
    env: Deno.env.get("IVPM_SITE_CONFIG_NAME"),
    user: r.siteConfigChoice.user,
    site: r.siteConfigChoice.site,
  });
  for (const w of active.warnings) warn(w);
  return { name: active.config.name, reason: active.reason, settings: await settingsOf(active.config) };
}

/** `ivpm show site-config`. */
export async function showSiteConfig(name: string | undefined, o: { json?: boolean }): Promise<void> {
  const r = registries();
  const list = r.siteConfigs.list();
  const active = await activeSiteSettings();
  if (name) {
    const c = [...list].reverse().find((x) => x.name === name);
    if (!c) {
      const m = closestMatch(name, list.map((x) => x.name));
      throw new IvpmError(`no site config '${name}'${m ? `; did you mean '${m}'?` : ""}`, {
        hint: `registered: ${list.map((x) => x.name).join(", ")}`,
      });
    }
    const settings = await settingsOf(c);
    const row = { ...c, moduleUrl: undefined, active: c.name === active.name, settings };
    if (o.json) return out(JSON.stringify(row, null, 2));
    out(`Site config: ${c.name}${row.active ? " (active)" : ""}`);
    out(`  origin: ${c.origin}`);
    if (c.description) out(`  ${c.description}`);
    printSettings(settings);
    return;
  }
  const data = {
    active: active.name,
    reason: active.reason,
    configs: list.map((c) => ({
      name: c.name,
      origin: c.origin,
      description: c.description,
      active: c.name === active.name,
    })),
    settings: active.settings,
    files: r.siteConfigChoice.files,
  };
  if (o.json) return out(JSON.stringify(data, null, 2));
  for (const c of data.configs) out(`${c.active ? "*" : " "} ${c.name.padEnd(16)} ${c.origin}`);
  out(`\nActive: ${active.name} (${active.reason})`);
  printSettings(active.settings);
  out(`  config files: ${data.files.join(", ") || "(none)"}`);
}

function printSettings(s: SiteSettings): void {
  out(`  cache dir: ${s.cacheDir === "" ? "(caching disabled)" : s.cacheDir}`);
  out(`  ivpm install args: ${s.installArgs.join(" ") || "(none)"}`);
  out(`  git auth order: ${s.gitAuthOrder.join(", ")}`);
}
