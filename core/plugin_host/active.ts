/**
 * The handler registry commands use (see core/plugin_host/registries.ts).
 *
 * @module
 */

import { registries } from "./registries.ts";
import type { HandlerRegistry } from "../engine/registry.ts";

/** The registry in use (built-ins plus loaded plugins). */
export function activeHandlerRegistry(): HandlerRegistry {
  return registries().handlers;
}

/** Replaces the handler registry in use (test drivers). */
export function setActiveHandlerRegistry(registry: HandlerRegistry): void {
  registries().handlers = registry;
}
