/**
 * The real CLI (`runCli` with the real command tree) plus one extra command,
 * `load-config`, that loads the ivpm.yaml of the current directory. It lets tests
 * check how configuration errors reach the user before any shipped command
 * loads a project.
 *
 * @module
 */

import { buildProgram } from "../../core/cli/program.ts";
import { runCli, setArgs } from "../../core/cli/run.ts";
import { loadProject } from "../../core/config/load.ts";

if (import.meta.main) {
  const program = buildProgram();
  program.command("load-config").description("load ./ivpm.yaml (test driver)").action(() => {
    loadProject(Deno.cwd());
  });
  setArgs(Deno.args);
  Deno.exit(await runCli(Deno.args, program));
}
