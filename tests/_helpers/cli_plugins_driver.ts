/**
 * Runs the real CLI with the example plugins (and a handler adding a CLI option)
 * registered, as a plugin-enabled ivpm would have them.
 *
 * @module
 */

import { runCli } from "../../core/cli/run.ts";
import { setActiveHandlerRegistry } from "../../core/plugin_host/active.ts";
import { builtinHandlerRegistry } from "../../core/plugin_host/builtin_registry.ts";
import { HandlerPhase, PackageHandler, type RootInfo } from "../../core/plugin_api/mod.ts";
import { registerExamplePlugins } from "./example_plugins.ts";

/** A handler that adds `--shout` to `update` and writes what it got. */
export class Shouter extends PackageHandler {
  static override name = "shouter";
  static override description = "Echoes its CLI option";
  static override phase = HandlerPhase.FINALIZE;
  static override cliOptions = [{ command: "update", flags: "--shout <word>", description: "word to write" }];
  static override rootWhen = null;
  override async onRootPostLoad(info: RootInfo) {
    await Deno.writeTextFile(`${info.depsDir}/shout.txt`, JSON.stringify(info.args));
  }
}

const registry = await registerExamplePlugins(builtinHandlerRegistry());
registry.register(Shouter, { origin: "test-driver" });
setActiveHandlerRegistry(registry);
Deno.exit(await runCli(Deno.args));
