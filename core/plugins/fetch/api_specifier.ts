/**
 * The one import a plugin may make outside its own files: the ivpm plugin API,
 * which the bundler keeps external so every plugin shares the host's classes.
 *
 * @module
 */

/** The specifier plugins import the API by; the bundler marks it external. */
export const PLUGIN_API_SPECIFIER = "@ivpm/plugin";

/** True for `@ivpm/plugin` and `jsr:@ivpm/plugin` (optionally `jsr:@ivpm/plugin@<range>`). */
export function isPluginApiSpecifier(specifier: string): boolean {
  return specifier === PLUGIN_API_SPECIFIER || /^jsr:\/?@ivpm\/plugin(?:@[^/]+)?$/.test(specifier);
}
