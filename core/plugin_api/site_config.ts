/**
 * Site configuration: an organisation's defaults (cache directory, how ivpm is
 * installed into new venvs, git authentication order), shipped as a plugin.
 *
 * @module
 */

/**
 * Base class of site configurations. Override only what your site changes; each method may be async.
 * A plugin exports the subclass, or a zero-argument function returning an instance (a factory).
 *
 * @example
 * ```ts
 * import { SiteConfig } from "@ivpm/plugin";
 * export class AcmeSiteConfig extends SiteConfig {
 *   static override name = "acme";
 *   override getDefaultCacheDir() {
 *     return "/opt/acme/ivpm-cache"; // "" disables caching
 *   }
 *   override getDefaultGitAuthOrder() {
 *     return ["ssh"];
 *   }
 * }
 * ```
 */
export class SiteConfig {
  /** Short description shown by `ivpm show site-config`. */
  static description = "";

  /**
   * Default shared-cache directory; `""` disables caching.
   *
   * @example
   * ```ts
   * import { SiteConfig } from "@ivpm/plugin";
   * console.log(new SiteConfig().getDefaultCacheDir());
   * ```
   */
  getDefaultCacheDir(): string | Promise<string> {
    const env = (k: string) => {
      try {
        return Deno.env.get(k);
      } catch {
        return undefined; // no env permission in a sandbox: fall through to the default
      }
    };
    const xdg = env("XDG_CACHE_HOME");
    if (xdg) return `${xdg}/ivpm`;
    if (Deno.build.os === "windows") {
      const local = env("LOCALAPPDATA");
      if (local) return `${local}\\ivpm\\cache`;
    }
    const home = env("HOME") ?? env("USERPROFILE");
    return home ? `${home}/.cache/ivpm` : "";
  }

  /**
   * Installer arguments that put ivpm's Python helpers (the `ivpm` package: `ivpm.setup`,
   * pkginfo) into new venvs. Default: none — this ivpm is not a Python package, and a venv
   * should hold only what the project declares. A site that relies on the helpers returns
   * e.g. `["ivpm"]` or a path to an internal wheel.
   *
   * @example
   * ```ts
   * import { SiteConfig } from "@ivpm/plugin";
   * new SiteConfig().getIvpmInstallArgs(); // []
   * ```
   */
  getIvpmInstallArgs(): string[] | Promise<string[]> {
    return [];
  }

  /**
   * Order in which git authentication methods are tried: `gh`, `ssh`, `https`.
   *
   * @example
   * ```ts
   * import { SiteConfig } from "@ivpm/plugin";
   * new SiteConfig().getDefaultGitAuthOrder(); // ["gh", "ssh", "https"]
   * ```
   */
  getDefaultGitAuthOrder(): string[] | Promise<string[]> {
    return ["gh", "ssh", "https"];
  }

  /**
   * Where the python handler's pip/uv find packages for every project on this site (a mirror on an
   * air-gapped site); a project's own `with.python` `index-url` / `extra-index-url` / `find-links` win.
   * Default: none (the installer's own configuration).
   *
   * @example
   * ```ts
   * import { type PythonPackageIndex, SiteConfig } from "@ivpm/plugin";
   * class Mirror extends SiteConfig {
   *   override getPythonPackageIndex(): PythonPackageIndex {
   *     return { indexUrl: "https://pypi.mirror.example/simple" };
   *   }
   * }
   * ```
   */
  getPythonPackageIndex(): PythonPackageIndex | Promise<PythonPackageIndex> {
    return {};
  }
}

/**
 * Python package sources a site config sets (each a URL or a path).
 *
 * @example
 * ```ts
 * import type { PythonPackageIndex } from "@ivpm/plugin";
 * const i: PythonPackageIndex = { indexUrl: "https://pypi.mirror.example/simple", findLinks: ["/opt/wheels"] };
 * ```
 */
export interface PythonPackageIndex {
  /** Replaces the default index (`--index-url`). */
  indexUrl?: string;
  /** More indexes (`--extra-index-url`). */
  extraIndexUrls?: string[];
  /** Directories or pages of distributions (`--find-links`). */
  findLinks?: string[];
}

/**
 * The built-in site configuration (`default`).
 *
 * @example
 * ```ts
 * import { DefaultSiteConfig } from "@ivpm/plugin";
 * new DefaultSiteConfig().getDefaultGitAuthOrder();
 * ```
 */
export class DefaultSiteConfig extends SiteConfig {
  /** The built-in configuration's name. */
  static override name = "default";
  /** What it sets. */
  static override description = "ivpm's defaults: cache in $XDG_CACHE_HOME/ivpm, git auth gh → ssh → https";
}

/**
 * The effective settings of a site configuration (what ivpm uses).
 *
 * @example
 * ```ts
 * import type { SiteSettings } from "@ivpm/plugin";
 * const s: SiteSettings = { cacheDir: "", installArgs: ["ivpm"], gitAuthOrder: ["ssh"] };
 * ```
 */
export interface SiteSettings {
  /** Shared-cache directory; `""` = no cache. */
  cacheDir: string;
  /** Installer arguments that put ivpm's Python helpers into new venvs. */
  installArgs: string[];
  /** Git authentication methods, in the order tried (`gh`, `ssh`, `https`). */
  gitAuthOrder: string[];
  /** Where the python handler looks for packages (empty: the installer's own configuration). */
  pythonIndex?: PythonPackageIndex;
}

/**
 * Reads a site configuration's settings. Used by ivpm; not part of the public API.
 *
 * @example
 * ```ts
 * import { DefaultSiteConfig, siteSettings } from "./site_config.ts";
 * const s = await siteSettings(new DefaultSiteConfig());
 * ```
 */
export async function siteSettings(c: SiteConfig): Promise<SiteSettings> {
  return {
    cacheDir: String(await c.getDefaultCacheDir()),
    installArgs: [...(await c.getIvpmInstallArgs())].map(String),
    gitAuthOrder: [...(await c.getDefaultGitAuthOrder())].map(String),
    pythonIndex: await c.getPythonPackageIndex(),
  };
}
