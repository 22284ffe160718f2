/**
 * The built-in handlers, linked into the binary (and into the trusted leaf
 * worker). Each lives in `plugins/<name>/` and uses only the public API.
 *
 * @module
 */

import type { HandlerClass } from "@ivpm/plugin";
import { AgentsHandler } from "./agents/mod.ts";
import { DirenvHandler } from "./direnv/mod.ts";
import { FusesocHandler } from "./fusesoc/mod.ts";
import { ModulesHandler } from "./modules/mod.ts";
import { NodeHandler } from "./node/mod.ts";
import { PythonHandler } from "./python/mod.ts";

/** Built-in handler classes. */
export const builtinHandlers: HandlerClass[] = [
  AgentsHandler,
  DirenvHandler,
  FusesocHandler,
  ModulesHandler,
  NodeHandler,
  PythonHandler,
];
