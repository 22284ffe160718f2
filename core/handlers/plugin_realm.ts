/**
 * Hardens the JavaScript realm of a worker that runs third-party plugin code, before that code is
 * imported: plugin output can never reach ivpm's stdout (which may be a `--json` stream), Deno's
 * internals (whose `core.print` writes to stdout) are out of reach, and the plugin API classes cannot be
 * patched to tamper with other handlers' records.
 *
 * @module
 */

import { PackageHandler } from "../plugin_api/handler.ts";

type Printer = (...args: unknown[]) => void;

/** Console methods that print to stdout in Deno; each is sent to stderr instead. */
function stderrConsole(): Record<string, Printer> {
  const error: Printer = console.error.bind(console);
  const counts = new Map<string, number>();
  const timers = new Map<string, number>();
  const elapsed = (label: string) =>
    `${label}: ${(performance.now() - (timers.get(label) ?? 0)).toFixed(3)}ms`;
  const group = console.group.bind(console);
  return {
    log: error,
    info: error,
    debug: error,
    dirxml: error,
    dir: (obj: unknown, options?: unknown) => error(Deno.inspect(obj, options as Deno.InspectOptions)),
    table: (data: unknown) => error(Deno.inspect(data)),
    group: (...label: unknown[]) => {
      if (label.length) error(...label);
      group();
    },
    groupCollapsed: (...label: unknown[]) => {
      if (label.length) error(...label);
      group();
    },
    count: (label: unknown = "default") => {
      const key = String(label);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      error(`${key}: ${counts.get(key)}`);
    },
    time: (label: unknown = "default") => void timers.set(String(label), performance.now()),
    timeLog: (label: unknown = "default", ...data: unknown[]) => error(elapsed(String(label)), ...data),
    timeEnd: (label: unknown = "default") => {
      error(elapsed(String(label)));
      timers.delete(String(label));
    },
  };
}

/**
 * Call once at the top of a plugin worker, before any plugin module is imported.
 *
 * @example
 * ```ts ignore
 * hardenPluginRealm();
 * const ns = await import(pluginDataUrl);
 * ```
 */
export function hardenPluginRealm(): void {
  for (const [name, fn] of Object.entries(stderrConsole())) {
    Object.defineProperty(console, name, { value: fn, writable: false, configurable: false });
  }
  Object.defineProperty(Deno, "stdout", { value: Deno.stderr, writable: false, configurable: false });
  // `Deno[Deno.internal].core.print` writes to stdout without any permission.
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  if (internal) delete (Deno as unknown as Record<symbol, unknown>)[internal];
  // Methods only: subclasses still set their own statics (`MyHandler.phase = …` keeps working).
  Object.freeze(PackageHandler.prototype);
}
