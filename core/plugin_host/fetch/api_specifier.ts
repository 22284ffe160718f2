/**
 * The one import a plugin may make outside its own files: the ivpm plugin API,
 * which the bundler keeps external so every plugin shares the host's classes.
 *
 * @module
 */

/** The specifier plugins import the API by; the bundler marks it external. */
export const PLUGIN_API_SPECIFIER = "@ivpm/plugin";

const JSR_API = /^jsr:\/?@ivpm\/plugin(?:@([^/]+))?$/;

/** True for `@ivpm/plugin` and `jsr:@ivpm/plugin` (optionally `jsr:@ivpm/plugin@<range>`). */
export function isPluginApiSpecifier(specifier: string): boolean {
  return pluginApiRange(specifier) !== null;
}

/**
 * For an import of the plugin API, the version range it declares (`jsr:@ivpm/plugin@^0.1` → `^0.1`), or
 * undefined when it declares none (`@ivpm/plugin`, `jsr:@ivpm/plugin`: any version); null for any other
 * specifier.
 */
export function pluginApiRange(specifier: string): string | undefined | null {
  if (specifier === PLUGIN_API_SPECIFIER) return undefined;
  const m = JSR_API.exec(specifier);
  if (!m) return null;
  return m[1];
}
