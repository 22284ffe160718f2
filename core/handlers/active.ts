/**
 * The handler registry commands use: the built-ins, plus plugins once loaded.
 * Set once at start-up (or by a test driver).
 *
 * @module
 */

import { builtinHandlerRegistry } from "./builtin_registry.ts";
import type { HandlerRegistry } from "./registry.ts";

let active: HandlerRegistry | undefined;

/** The registry in use (built-ins by default). */
export function activeHandlerRegistry(): HandlerRegistry {
  active ??= builtinHandlerRegistry();
  return active;
}

/** Replaces the registry in use. */
export function setActiveHandlerRegistry(registry: HandlerRegistry): void {
  active = registry;
}
