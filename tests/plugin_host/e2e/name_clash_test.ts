/**
 * Two plugins registering the same handler name: refused, naming both origins
 * — when the second is added, and at start-up when both are listed anyway.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { markerHandler, ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";

Deno.test("a second plugin registering a taken handler name is an error naming both origins", async () => {
  await using m = await pluginMachine();
  const proj = join(m.root, "proj");
  const yaml = "package:\n  name: soc\n";
  await writeTree(proj, {
    "ivpm.yaml": yaml,
    "tools/first.ts": markerHandler("dup", '"first"'),
    "tools/second.ts": markerHandler("dup", '"second"'),
  });
  const at = { cwd: proj };
  await ok(m, ["plugin", "add", "./tools/first.ts"], at);
  const withFirst = await Deno.readTextFile(join(proj, "ivpm.yaml"));

  const clash = await m.run(["plugin", "add", "./tools/second.ts"], at);
  assert.equal(clash.code, 1);
  assert.match(
    clash.stderr,
    /^error: handler 'dup' of \.\/tools\/second\.ts clashes with 'dup' from \.\/tools\/first\.ts \(project\)$/m,
  );
  assert.equal(await Deno.readTextFile(join(proj, "ivpm.yaml")), withFirst, "nothing was added");

  // Listed anyway (here: one per user, one in the project): every command but `plugin` refuses to start.
  await Deno.writeTextFile(m.userConfig, "plugins:\n  - ./second.ts\n");
  await writeTree(join(m.userConfig, ".."), { "second.ts": markerHandler("dup", '"second"') });
  const update = await m.run(["update"], at);
  assert.equal(update.code, 1);
  assert.match(
    update.stderr,
    /^error: handler 'dup' is registered twice \(by \.\/second\.ts \(user\) and by \.\/tools\/first\.ts \(project\)\)$/m,
  );
  assert.match(update.stderr, /^hint: remove one of the plugins/m);
  // …while the plugin commands still work, so the clash can be resolved.
  const removed = await ok(m, ["plugin", "remove", "first"], at);
  assert.match(removed.stderr, /^warning: plugins not loaded: handler 'dup' is registered twice/m);
  assert.equal(await Deno.readTextFile(join(proj, "ivpm.yaml")), yaml);
  await ok(m, ["update"], at);
  assert.equal(await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "dup", "dup.txt")), "second");
});
