/**
 * Leaf worker for third-party handlers: started with narrowed Deno permissions
 * and linking nothing but the plugin API.
 *
 * @module
 */

import { startWorkerLoop } from "./worker_loop.ts";

startWorkerLoop([]);
