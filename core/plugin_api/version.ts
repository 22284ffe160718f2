/**
 * The version of this plugin API, as its `deno.json` declares it. ivpm checks
 * the range a plugin imports the API with (`jsr:@ivpm/plugin@^0.1`) against it.
 *
 * @module
 */

import pkg from "./deno.json" with { type: "json" };

/** The `@ivpm/plugin` version this copy of the API is (its `deno.json` `version`). */
export const PLUGIN_API_VERSION: string = pkg.version;
