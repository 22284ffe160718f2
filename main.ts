/**
 * ivpm — project-local, polyglot package manager with a handler pipeline.
 *
 * @module
 */

if (import.meta.main) {
  // `ivpm --version` loads nothing but the version (CI scripts call it to log what runs).
  if (Deno.args.length === 1 && (Deno.args[0] === "--version" || Deno.args[0] === "-V")) {
    const { versionText } = await import("./core/base/version.ts");
    try {
      Deno.stdout.writeSync(new TextEncoder().encode(versionText() + "\n"));
    } catch (e) {
      if (e instanceof Deno.errors.BrokenPipe) Deno.exit(141);
      throw e;
    }
    Deno.exit(0);
  }
  const { main } = await import("./core/cli/main.ts");
  Deno.exit(await main(Deno.args));
}
