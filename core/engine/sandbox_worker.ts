/**
 * Leaf worker for third-party handlers: started with narrowed Deno permissions
 * and linking nothing but the plugin API.
 *
 * @module
 */

import { hardenPluginRealm } from "./plugin_realm.ts";
import { startWorkerLoop } from "./worker_loop.ts";

hardenPluginRealm();
startWorkerLoop([]);
