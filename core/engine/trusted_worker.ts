/**
 * Leaf worker for built-in handlers (runs with the permissions they declare).
 *
 * @module
 */

import { builtinHandlers } from "../../plugins/mod.ts";
import { startWorkerLoop } from "./worker_loop.ts";

startWorkerLoop(builtinHandlers);
