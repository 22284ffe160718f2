/**
 * The built-in handlers, linked into the binary (and into the trusted leaf
 * worker). Each lives in `plugins/<name>/` and uses only the public API.
 *
 * @module
 */

import type { HandlerClass } from "../plugin_api/handler.ts";
import { AgentsHandler } from "../../plugins/agents/mod.ts";
import { DirenvHandler } from "../../plugins/direnv/mod.ts";
import { FusesocHandler } from "../../plugins/fusesoc/mod.ts";
import { ModulesHandler } from "../../plugins/modules/mod.ts";
import { NodeHandler } from "../../plugins/node/mod.ts";
import { PythonHandler } from "../../plugins/python/mod.ts";

/** Built-in handler classes. */
export const builtinHandlers: HandlerClass[] = [
  AgentsHandler,
  DirenvHandler,
  FusesocHandler,
  ModulesHandler,
  NodeHandler,
  PythonHandler,
];
