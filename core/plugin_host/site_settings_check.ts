/**
 * Checks what a site-config plugin returned before ivpm uses it: the values become paths (the cache
 * directory), installer arguments and the git authentication order, outside the plugin's sandbox.
 *
 * @module
 */

import { isAbsolute } from "node:path";
import { IvpmError } from "../base/errors.ts";
import type { SiteSettings } from "../plugin_api/site_config.ts";

const GIT_AUTH_METHODS = ["gh", "ssh", "https"];
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The settings a plugin returned, checked and completed with `defaults` for what it left out.
 *
 * @example
 * ```ts ignore
 * checkedSiteSettings({ cacheDir: "/opt/cache" }, defaults, "acme (jsr:@acme/site)");
 * ```
 */
export function checkedSiteSettings(
  returned: Record<string, unknown>,
  defaults: SiteSettings,
  who: string,
): SiteSettings {
  const bad = (what: string, value: unknown, rule: string) =>
    new IvpmError(`site config ${who} returned an invalid ${what} ${JSON.stringify(value)}: ${rule}`, {
      hint: "fix the site-config plugin, or pick another with IVPM_SITE_CONFIG_NAME",
    });
  const out: SiteSettings = { ...defaults };
  if ("cacheDir" in returned) {
    const v = returned.cacheDir;
    if (typeof v !== "string" || CONTROL.test(v) || (v !== "" && !isAbsolute(v))) {
      throw bad("cache directory", v, 'it must be an absolute path, or "" for no cache');
    }
    out.cacheDir = v;
  }
  if ("installArgs" in returned) {
    const v = returned.installArgs;
    if (!Array.isArray(v)) throw bad("list of install arguments", v, "it must be a list of strings");
    for (const a of v) {
      if (typeof a !== "string" || a === "" || CONTROL.test(a) || a.startsWith("-") || a.length > 4096) {
        throw bad(
          "install argument",
          a,
          "each must be a requirement or a path to a wheel (no options, no control characters)",
        );
      }
    }
    out.installArgs = [...v];
  }
  if ("gitAuthOrder" in returned) {
    const v = returned.gitAuthOrder;
    if (
      !Array.isArray(v) || v.length === 0 || v.some((m) => !GIT_AUTH_METHODS.includes(m)) ||
      new Set(v).size !== v.length
    ) {
      throw bad(
        "git authentication order",
        v,
        `it must list some of ${GIT_AUTH_METHODS.join(", ")}, each once`,
      );
    }
    out.gitAuthOrder = [...v];
  }
  if ("pythonIndex" in returned) {
    const v = returned.pythonIndex as Record<string, unknown> | null;
    const location = (what: string, x: unknown) => {
      if (
        typeof x !== "string" || x.trim() === "" || CONTROL.test(x) || x.startsWith("-") || x.length > 4096
      ) {
        throw bad(what, x, "it must be one URL or path (one line, not starting with '-')");
      }
      return x;
    };
    const list = (what: string, x: unknown) => {
      if (x === undefined) return undefined;
      if (!Array.isArray(x)) throw bad(what, x, "it must be a list of URLs or paths");
      return x.map((y) => location(what, y));
    };
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      throw bad("python package index", v, "it must be an object");
    }
    out.pythonIndex = {
      ...(v.indexUrl !== undefined ? { indexUrl: location("python index URL", v.indexUrl) } : {}),
      ...(v.extraIndexUrls !== undefined
        ? { extraIndexUrls: list("extra python index URL", v.extraIndexUrls) }
        : {}),
      ...(v.findLinks !== undefined ? { findLinks: list("python find-links location", v.findLinks) } : {}),
    };
  }
  return out;
}
