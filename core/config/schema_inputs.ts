/**
 * What an ivpm.yaml is validated against when the caller passes nothing: the built-in
 * sources, content types and handler options. (The plugin host's registries, plugins
 * included, are passed explicitly by whoever has them.) Apart from the loader so that
 * asking for them does not load the YAML parser.
 *
 * @module
 */

import { builtinContentTypes } from "./content_types.ts";
import { builtinHandlers } from "../../plugins/mod.ts";
import { builtinSources } from "./source_info.ts";
import type { SchemaInputs } from "./ivpm_schema.ts";

/** The built-in registries, as schema inputs. */
export function builtinSchemaInputs(): SchemaInputs {
  // Handler options come from the handlers themselves: one definition, no copy to drift.
  const handlers: SchemaInputs["handlers"] = {};
  for (const h of builtinHandlers) {
    handlers[h.name] = h.options ?? { kind: "object", properties: {}, open: true };
  }
  return { sources: builtinSources, types: builtinContentTypes, handlers };
}
