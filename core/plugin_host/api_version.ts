/**
 * Plugin API versioning: a plugin declares the `@ivpm/plugin` versions it works
 * with by the range it imports the API with (`jsr:@ivpm/plugin@^0.1`; a bare
 * `@ivpm/plugin` means any), and ivpm refuses a plugin whose range its own API
 * version does not satisfy, before any of the plugin's code runs.
 *
 * The bundler records the ranges in the bundle's first line, so a plugin loaded
 * from the cache (whose bundle hash the pin checks) is checked as well, e.g.
 * after ivpm was upgraded past the plugin's range.
 *
 * @module
 */

import semverModule from "semver";
import { IvpmError } from "../base/errors.ts";
import { PLUGIN_API_VERSION } from "../plugin_api/version.ts";

/** The part of `npm:semver` used here (the package ships no types). */
const semver = semverModule as { satisfies(version: string, range: string): boolean };

const HEADER = "// @ivpm/plugin ";

/** The bundle's first line recording `ranges` (JSON), or "" when there are none. */
export function apiHeader(ranges: readonly string[]): string {
  return ranges.length ? `${HEADER}${JSON.stringify(ranges)}\n` : "";
}

/** The API ranges a bundle records in its first line (see {@link apiHeader}); [] when none. */
export function apiRangesOf(code: string): string[] {
  if (!code.startsWith(HEADER)) return [];
  const end = code.indexOf("\n");
  const line = code.slice(HEADER.length, end < 0 ? undefined : end);
  try {
    const ranges = JSON.parse(line);
    return Array.isArray(ranges) ? ranges.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Throws unless `version` (default: this ivpm's API version) satisfies every range the plugin
 * `spec` imports the API with.
 *
 * @throws {IvpmError} naming the plugin, the range it needs and the version this ivpm provides.
 */
export function checkPluginApi(spec: string, ranges: readonly string[], version = PLUGIN_API_VERSION): void {
  const unmet = ranges.find((r) => !satisfies(version, r));
  if (unmet === undefined) return;
  throw new IvpmError(`Plugin ${spec} needs @ivpm/plugin ${unmet}, this ivpm provides ${version}`, {
    hint: `update ivpm, or use a version of the plugin made for @ivpm/plugin ${version} (an older one)`,
  });
}

function satisfies(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range);
  } catch {
    return false; // an unparsable range is never met (the bundler refuses those anyway)
  }
}
