/**
 * ivpm — project-local, polyglot package manager with a handler pipeline.
 *
 * @module
 */

import { main } from "./core/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
