/**
 * Process entry: load the configured plugins, then run the command.
 *
 * @module
 */

import { initRegistries } from "../plugin_host/startup.ts";
import { projectDirOption } from "../config/find_project.ts";
import { info, settings, warn } from "../ui/log.ts";
import { buildProgram } from "./program.ts";
import { report, runCli, setArgs } from "./run.ts";

/** Commands that still work when plugins fail to load (so a broken plugin can be removed or updated). */
const TOLERANT = new Set(["plugin", "init", "cache", "share", "help"]);

function projectDirOf(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "-p" || argv[i] === "--project-dir") return projectDirOption(argv[i + 1]);
    if (argv[i].startsWith("--project-dir=")) return projectDirOption(argv[i].slice("--project-dir=".length));
  }
  return projectDirOption(undefined);
}

/** Global options that take a value (so the value is not taken for the command name). */
const VALUED = new Set(["--log-level", "-p", "--project-dir"]);

function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (VALUED.has(argv[i])) i++;
    else if (!argv[i].startsWith("-")) return argv[i];
  }
  return undefined;
}

/** Runs ivpm; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  setArgs(argv);
  const command = commandOf(argv);
  // Set early so plugin loading errors get their trace too, and -q silences plugin resolution.
  if (argv.includes("--log-level") && argv.includes("DEBUG")) settings.logLevel = "DEBUG";
  if (argv.includes("-q") || argv.includes("--quiet")) settings.quiet = true;
  try {
    await initRegistries({
      projectDir: projectDirOf(argv),
      frozen: argv.includes("--frozen"),
      // `plugin add/update/check` resolve and pin explicitly, and report what they did.
      skipUnpinned: command === "plugin",
      // Resolving a plugin fetches code and re-pinning rewrites a lock file: say so.
      note: info,
    });
  } catch (e) {
    if (!command || !TOLERANT.has(command) || argv.includes("--frozen")) {
      return report(e, "ivpm", buildProgram());
    }
    warn(`plugins not loaded: ${e instanceof Error ? e.message : e}`);
  }
  return await runCli(argv);
}
