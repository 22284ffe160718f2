/**
 * Start-up: read the site, user and project plugin lists, load the pinned
 * plugins (from the verified cache; nothing is evaluated on the main thread)
 * and install the registries commands use.
 *
 * @module
 */

import { builtinRegistries, type Registries, setRegistries } from "./registries.ts";
import { projectPlugins, readConfigFile, siteConfigPath, userConfigPath } from "./entries.ts";

/** Options of {@link initRegistries}. */
export interface InitOptions {
  projectDir?: string;
  frozen?: boolean;
  /** Load pinned plugins only; unpinned ones are neither resolved nor refused. */
  skipUnpinned?: boolean;
  note?: (message: string) => void;
}

/** Loads every configured plugin and makes the result the registries in use. */
export async function initRegistries(opts: InitOptions = {}): Promise<Registries> {
  const r = builtinRegistries();
  const site = await readConfigFile(siteConfigPath(), "site");
  const user = await readConfigFile(userConfigPath(), "user");
  r.siteConfigChoice = {
    site: site.siteConfig,
    user: user.siteConfig,
    files: [site, user].filter((f) => f.exists).map((f) => f.path),
  };
  const entries = [
    ...site.plugins,
    ...user.plugins,
    ...(opts.projectDir ? await projectPlugins(opts.projectDir) : []),
  ];
  if (entries.length) {
    // Loaded only when plugins are configured: the loader's imports (pins, semver, the bundle store)
    // are start-up time a project without plugins should not pay.
    const { isFrozen, loadPlugins, registerPlugins } = await import("./loader.ts");
    r.plugins = await loadPlugins(entries, {
      frozen: isFrozen(opts.frozen),
      skipUnpinned: opts.skipUnpinned,
      note: opts.note,
    });
    registerPlugins(r.plugins, r);
  }
  setRegistries(r);
  return r;
}
