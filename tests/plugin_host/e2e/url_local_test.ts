/**
 * Plugins from a URL (an https-style module served on loopback, with a relative
 * import) and from a path in the project: both pinned and run by a real
 * update; edits to the local one take effect on the next run (re-pinned), and
 * its committed pin holds in another checkout.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startHttpServer } from "../../_helpers/http_server.ts";
import { markerHandler, ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";
import type { PinFile } from "../../../core/plugin_host/pins.ts";
import { copyTree, removeTree } from "../../../core/util/fs.ts";

const ts = (text: string) => () =>
  new Response(text, { headers: { "content-type": "application/typescript" } });

Deno.test("URL and local path plugins run in an update; a local edit is re-pinned on the next run", async () => {
  const server = startHttpServer({
    "/plugin/mod.ts": ts(
      markerHandler("url-marker", "GREETING", 'import { GREETING } from "./greeting.ts";'),
    ),
    "/plugin/greeting.ts": ts('export const GREETING = "hello from a URL";\n'),
  });
  await using m = await pluginMachine();
  try {
    const url = `${server.url}/plugin/mod.ts`;
    const proj = join(m.root, "proj");
    await writeTree(proj, {
      "ivpm.yaml": `package:
  name: soc
  plugins:
    - ${url}
    - ./tools/my_handler.ts
`,
      "tools/my_handler.ts": markerHandler(
        "local-marker",
        "VERSION",
        'import { VERSION } from "./lib/version.ts";',
      ),
      "tools/lib/version.ts": 'export const VERSION = "v1";\n',
    });
    const at = { cwd: proj };
    const lockPath = join(proj, "ivpm-plugins.lock");

    const first = await ok(m, ["update"], at);
    assert.match(first.stderr, /resolving plugin http:\/\/127\.0\.0\.1:\d+\/plugin\/mod\.ts/);
    assert.match(first.stderr, /resolving plugin \.\/tools\/my_handler\.ts/);
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "url-marker", "url-marker.txt")),
      "hello from a URL",
    );
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "local-marker", "local-marker.txt")),
      "v1",
    );

    const pins = (JSON.parse(await Deno.readTextFile(lockPath)) as PinFile).plugins;
    assert.equal(pins[url].kind, "url");
    assert.deepEqual(Object.keys(pins[url].files).sort(), [`${server.url}/plugin/greeting.ts`, url]);
    const local = pins["./tools/my_handler.ts"];
    assert.equal(local.kind, "local");
    // Relative to the lock file, so the committed pin is the same in every checkout.
    assert.equal(local.entry, "tools/my_handler.ts");
    assert.deepEqual(Object.keys(local.files).sort(), ["tools/lib/version.ts", "tools/my_handler.ts"]);

    // Edit the local plugin (an imported file): the next run picks it up and re-pins.
    await Deno.writeTextFile(join(proj, "tools", "lib", "version.ts"), 'export const VERSION = "v2";\n');
    const second = await ok(m, ["update"], at);
    assert.match(second.stderr, /plugin \.\/tools\/my_handler\.ts changed on disk; re-pinning/);
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "local-marker", "local-marker.txt")),
      "v2",
    );
    const repinned = (JSON.parse(await Deno.readTextFile(lockPath)) as PinFile).plugins;
    assert.notEqual(repinned["./tools/my_handler.ts"].integrity, local.integrity);
    assert.equal(repinned[url].integrity, pins[url].integrity);
    assert.equal(server.hits["/plugin/mod.ts"], 1, "the URL plugin came from the cache");

    // Frozen, an edit is neither picked up nor ignored: the pin is the contract, so it is an error.
    await Deno.writeTextFile(join(proj, "tools", "lib", "version.ts"), 'export const VERSION = "v3";\n');
    const frozen = await m.run(["update"], { ...at, env: { CI: "true" } });
    assert.equal(frozen.code, 1, frozen.stderr);
    assert.match(frozen.stderr, /changed on disk since it was pinned; frozen mode does not re-pin it/);
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "local-marker", "local-marker.txt")),
      "v2",
    );
    await Deno.writeTextFile(join(proj, "tools", "lib", "version.ts"), 'export const VERSION = "v2";\n');

    // Another checkout of the committed project, frozen, with an empty plugin cache.
    const clone = join(m.root, "elsewhere", "soc");
    await copyTree(proj, clone);
    await removeTree(join(clone, "packages"));
    await removeTree(m.pluginCache);
    const other = await m.run(["update"], { cwd: clone, env: { CI: "true" } });
    assert.equal(other.code, 0, other.stderr);
    assert.equal(
      await Deno.readTextFile(join(clone, "packages", ".ivpm", "out", "local-marker", "local-marker.txt")),
      "v2",
    );
    assert.equal(
      await Deno.readTextFile(join(clone, "ivpm-plugins.lock")),
      await Deno.readTextFile(lockPath),
    );
    assert.doesNotMatch(other.stderr, /re-bundled/, "the same bundle, byte for byte");
  } finally {
    await server.close();
  }
});
