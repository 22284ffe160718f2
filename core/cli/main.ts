/**
 * Process entry: load the configured plugins, then run the command.
 *
 * @module
 */

import { initRegistries } from "../plugins/startup.ts";
import { settings, warn } from "../ui/log.ts";
import { buildProgram } from "./program.ts";
import { report, runCli, setArgs } from "./run.ts";

/** Commands that still work when plugins fail to load (so a broken plugin can be removed or updated). */
const TOLERANT = new Set(["plugin", "init", "cache", "share", "help"]);

function projectDirOf(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-p" || argv[i] === "--project-dir") return argv[i + 1] ?? Deno.cwd();
    if (argv[i].startsWith("--project-dir=")) return argv[i].slice("--project-dir=".length);
  }
  return Deno.cwd();
}

/** Runs ivpm; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  setArgs(argv);
  const command = argv.find((a) => !a.startsWith("-"));
  // Set early so plugin loading errors get their trace too.
  if (argv.includes("--log-level") && argv.includes("DEBUG")) settings.logLevel = "DEBUG";
  try {
    await initRegistries({ projectDir: projectDirOf(argv), frozen: argv.includes("--frozen") });
  } catch (e) {
    if (!command || !TOLERANT.has(command) || argv.includes("--frozen")) {
      return report(e, "ivpm", buildProgram());
    }
    warn(`plugins not loaded: ${e instanceof Error ? e.message : e}`);
  }
  return await runCli(argv);
}
