/**
 * Offline: once a pinned plugin is in the plugin cache, commands need no
 * registry; without the cache and without the registry, the error says which
 * plugin could not be fetched from where.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeJsr } from "../../_helpers/fake_jsr.ts";
import {
  fusesocPackage,
  ok,
  pluginMachine,
  socYaml,
  writeIpSource,
  writeTree,
} from "../../_helpers/plugins_e2e.ts";
import { removeTree } from "../../../core/util/fs.ts";

Deno.test("a pinned plugin runs from the cache with the registry down; without the cache the error names plugin and registry", async () => {
  const jsr = startFakeJsr({ packages: { "@acme/fusesoc": fusesocPackage() } });
  let closed = false;
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(proj, { "ivpm.yaml": socYaml({ ip: await writeIpSource(m.root) }) });
    const at = { cwd: proj };
    await ok(m, ["plugin", "add", "jsr:@acme/fusesoc@^1"], at);
    await ok(m, ["update"], at);
    const libs = join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt");
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n");

    await jsr.close();
    closed = true;
    await Deno.remove(libs);
    const again = await ok(m, ["update", "--refresh-all"], at);
    assert.doesNotMatch(again.stderr, /warning|error/);
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n", "the handler ran from the cache");
    await ok(m, ["update"], { ...at, env: { CI: "true" } });

    await removeTree(m.pluginCache);
    const gone = await m.run(["update"], at);
    assert.equal(gone.code, 1);
    assert.match(
      gone.stderr,
      new RegExp(
        `^error: plugin jsr:@acme/fusesoc@\\^1 \\(pinned jsr:@acme/fusesoc@1\\.1\\.0\\) is not in the plugin cache ` +
          `\\(${m.pluginCache}\\) and could not be fetched again from registry ${jsr.url}: `,
        "m",
      ),
    );
    assert.match(gone.stderr, /^hint: /m);
    assert.doesNotMatch(gone.stderr, /^\s+at /m, "no stack trace");
  } finally {
    if (!closed) await jsr.close();
  }
});
