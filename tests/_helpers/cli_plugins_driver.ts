/**
 * Runs the real CLI with the example plugins (and a handler adding a CLI option)
 * registered, as a plugin-enabled ivpm would have them.
 *
 * @module
 */

import { runCli } from "../../core/cli/run.ts";
import { setActiveHandlerRegistry } from "../../core/handlers/active.ts";
import { builtinHandlerRegistry } from "../../core/handlers/builtin_registry.ts";
import { type HandlerClass, HandlerPhase, PackageHandler, type RootInfo } from "../../core/plugin_api/mod.ts";

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

const registry = builtinHandlerRegistry();
const examples = new URL("../../examples/plugins/", import.meta.url);
for (
  const [file, exp] of [["marker_detector.ts", "MarkerDetector"], ["summary_writer.ts", "SummaryWriter"]]
) {
  const url = new URL(file, examples).href;
  const mod = await import(url);
  registry.register(mod[exp] as HandlerClass, {
    origin: `examples/plugins/${file}`,
    moduleUrl: url,
    exportName: exp,
    grant: {},
  });
}
registry.register(Shouter, { origin: "test-driver" });
setActiveHandlerRegistry(registry);
Deno.exit(await runCli(Deno.args));
