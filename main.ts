/**
 * ivpm — project-local, polyglot package manager with a handler pipeline.
 *
 * @module
 */

// Static: a dynamic import costs `--version` a module-graph build of its own (about 10 ms, half its run time).
import { versionText } from "./core/base/version.ts";

if (import.meta.main) {
  // `ivpm --version` loads nothing but the version (CI scripts call it to log what runs).
  if (Deno.args.length === 1 && (Deno.args[0] === "--version" || Deno.args[0] === "-V")) {
    try {
      Deno.stdout.writeSync(new TextEncoder().encode(versionText() + "\n"));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) Deno.exit(141);
      throw e;
    }
    Deno.exit(0);
  }
  // By URL (embedded with --include, like the worker entries): a literal specifier would make Deno walk the
  // CLI's whole module graph at start-up, even for `--version`.
  const { main } = await import(new URL("./core/cli/main.ts", import.meta.url).href);
  Deno.exit(await main(Deno.args));
}
