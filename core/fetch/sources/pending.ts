/**
 * The sources the built-in handlers issue added (`fusesoc`, `module`), under the
 * names `registry.ts` imports. Each is implemented in its own file:
 * `fusesoc.ts` and `module.ts`.
 *
 * @module
 */

export { fusesocSource } from "./fusesoc.ts";
export { moduleSource } from "./module.ts";
