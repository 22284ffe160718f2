/**
 * The built-in handlers, linked into the binary (and into the trusted leaf
 * worker). Each lives in `plugins/<name>/` and uses only the public API.
 *
 * @module
 */

import type { HandlerClass } from "../plugin_api/handler.ts";

/** Built-in handler classes (filled by the built-in handlers issue). */
export const builtinHandlers: HandlerClass[] = [];
