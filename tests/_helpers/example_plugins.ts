/**
 * The example plugins of `examples/plugins/` registered as third-party
 * (sandboxed) handlers, as `ivpm plugin add` would have them.
 *
 * @module
 */

import type { HandlerRegistry } from "../../core/engine/registry.ts";
import type { HandlerClass } from "../../core/plugin_api/handler.ts";

const EXAMPLES = new URL("../../examples/plugins/", import.meta.url);

/** Registers `MarkerDetector` and `SummaryWriter` from examples/plugins/ in `registry`; returns it. */
export async function registerExamplePlugins(registry: HandlerRegistry): Promise<HandlerRegistry> {
  for (
    const [file, exp] of [["marker_detector.ts", "MarkerDetector"], ["summary_writer.ts", "SummaryWriter"]]
  ) {
    const url = new URL(file, EXAMPLES).href;
    const mod = await import(url);
    registry.register(mod[exp] as HandlerClass, {
      origin: `examples/plugins/${file}`,
      moduleUrl: url,
      exportName: exp,
      grant: {},
    });
  }
  return registry;
}
