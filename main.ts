/**
 * ivpm — project-local, polyglot package manager with a handler pipeline.
 *
 * @module
 */

import { runCli, setArgs } from "./core/cli/run.ts";

if (import.meta.main) {
  setArgs(Deno.args);
  Deno.exit(await runCli(Deno.args));
}
