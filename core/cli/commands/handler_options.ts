/**
 * CLI options that handlers add to sub-commands (`cliOptions` / `addOptions`),
 * and the mapping back from parsed values to each handler's `info.args`.
 *
 * @module
 */

import { type Command, Option } from "commander";
import type { HandlerRegistry } from "../../engine/registry.ts";
import type { OptionTarget } from "../../plugin_api/handler.ts";
import { warn } from "../../ui/log.ts";

/** handler → command → option attribute names it added. */
const added = new Map<string, Map<string, string[]>>();

/** Adds every handler's options to the named sub-commands. */
export function addHandlerOptions(commands: Record<string, Command>, registry: HandlerRegistry): void {
  for (const h of registry.list()) {
    const name = h.meta.name;
    const target = (command: string): OptionTarget => ({
      option(flags: string, description: string, defaultValue?: string | boolean) {
        const c = commands[command];
        if (!c) {
          warn(`handler '${name}' adds option ${flags} to unknown command '${command}'; ignored`);
          return this;
        }
        const opt = new Option(flags, `${description} [${name}]`);
        if (defaultValue !== undefined) opt.default(defaultValue);
        // Two handlers (or a handler and ivpm) adding the same flag would make commander throw.
        if (c.options.some((o) => o.long === opt.long || (opt.short && o.short === opt.short))) {
          if (!c.options.some((o) => o.long === opt.long && o.description.endsWith(`[${name}]`))) {
            warn(`handler '${name}': option ${flags} of '${command}' is already defined; ignored`);
          }
          return this;
        }
        c.addOption(opt);
        const byCmd = added.get(name) ?? new Map<string, string[]>();
        byCmd.set(command, [...(byCmd.get(command) ?? []), opt.attributeName()]);
        added.set(name, byCmd);
        return this;
      },
    });
    for (const o of h.meta.cliOptions) target(o.command).option(o.flags, o.description, o.default);
    const targets: Record<string, OptionTarget> = {};
    for (const c of Object.keys(commands)) targets[c] = target(c);
    try {
      h.cls?.addOptions(targets);
    } catch (e) {
      warn(`handler '${name}': addOptions failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/** The values of handler-added options of `command`, by handler. */
export function handlerArgsFor(
  command: string,
  opts: Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [handler, byCmd] of added) {
    const attrs = byCmd.get(command) ?? [];
    out[handler] = Object.fromEntries(attrs.map((a) => [a, opts[a]]));
  }
  return out;
}
