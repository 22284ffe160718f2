/**
 * A registry holding the built-in handlers.
 *
 * @module
 */

import { builtinHandlers } from "../../plugins/mod.ts";
import { HandlerRegistry } from "../engine/registry.ts";

/** A new registry with every built-in handler registered. */
export function builtinHandlerRegistry(): HandlerRegistry {
  const r = new HandlerRegistry();
  for (const cls of builtinHandlers) r.register(cls, { origin: "built-in" });
  return r;
}
