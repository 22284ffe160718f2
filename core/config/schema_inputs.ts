/**
 * What an ivpm.yaml is validated against (the registered sources, content types and
 * handler options): the built-ins, or whatever the plugin host installed. Apart from
 * the loader so that asking for them does not load the YAML parser.
 *
 * @module
 */

import { builtinContentTypes } from "./content_types.ts";
import { builtinHandlers } from "../../plugins/mod.ts";
import { builtinSources } from "./source_info.ts";
import type { SchemaInputs } from "./ivpm_schema.ts";

let inputsProvider: (() => SchemaInputs) | undefined;

/** Makes `provider` supply the default schema inputs (the registries in use, plugins included). */
export function setDefaultSchemaInputs(provider: () => SchemaInputs): void {
  inputsProvider = provider;
}

/** The built-in registries, as schema inputs. */
export function builtinSchemaInputs(): SchemaInputs {
  // Handler options come from the handlers themselves: one definition, no copy to drift.
  const handlers: SchemaInputs["handlers"] = {};
  for (const h of builtinHandlers) {
    handlers[h.name] = h.options ?? { kind: "object", properties: {}, open: true };
  }
  return { sources: builtinSources, types: builtinContentTypes, handlers };
}

/** The schema inputs a load uses when given none: the provider's, else the built-ins. */
export function defaultSchemaInputs(): SchemaInputs {
  return inputsProvider?.() ?? builtinSchemaInputs();
}
