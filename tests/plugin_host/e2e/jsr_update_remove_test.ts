/**
 * `ivpm plugin update` moves pins within their ranges when a version is
 * published; `ivpm plugin remove` takes entry and pin away, leaving the
 * user's ivpm.yaml as it was.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeJsr } from "../../_helpers/fake_jsr.ts";
import { fusesocPackage, fusesocVersion, ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";
import type { PinFile } from "../../../core/plugin_host/pins.ts";

const MAIN = "jsr:@acme/fusesoc@^1";
const SUB = "jsr:@acme/fusesoc@^1/sub";

const YAML_TEXT = `package:
  name: soc
  # plugins are added below this comment by 'ivpm plugin add'
  plugins:
    - ./tools/keep.ts   # a local plugin that stays
  dep-sets:
    - name: default
      deps: []   # nothing yet
`;

const KEEP = `import { PackageHandler } from "@ivpm/plugin";
export class Keep extends PackageHandler {
  static override name = "keep";
}
`;

Deno.test("plugin update moves pins within their range; plugin remove drops entry and pin, keeping comments", async () => {
  const packages = { "@acme/fusesoc": fusesocPackage() };
  const jsr = startFakeJsr({ packages });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(proj, { "ivpm.yaml": YAML_TEXT, "tools/keep.ts": KEEP });
    const lock = join(proj, "ivpm-plugins.lock");
    const pins = async () => (JSON.parse(await Deno.readTextFile(lock)) as PinFile).plugins;

    await ok(m, ["plugin", "add", MAIN], { cwd: proj });
    const sub = await ok(m, ["plugin", "add", SUB], { cwd: proj });
    assert.match(sub.stdout, /registers: handlers fusesoc-sub/);
    assert.equal((await pins())[SUB].entry, "jsr:/@acme/fusesoc@1.1.0/sub.ts");
    assert.equal((await pins())[MAIN].version, "1.1.0");
    assert.equal(
      (await pins())["./tools/keep.ts"],
      undefined,
      "plugin commands pin only what they are asked to",
    );

    // Nothing new yet: update re-resolves to the same code.
    const same = await ok(m, ["plugin", "update", "fusesoc"], { cwd: proj });
    assert.match(same.stdout, /^jsr:@acme\/fusesoc@\^1: up to date \(jsr:@acme\/fusesoc@1\.1\.0\)$/m);

    // 1.3.0 is published (2.0.0 stays out of range).
    packages["@acme/fusesoc"]["1.3.0"] = fusesocVersion("1.3.0");
    const moved = await ok(m, ["plugin", "update", "fusesoc"], { cwd: proj });
    assert.match(
      moved.stdout,
      /^jsr:@acme\/fusesoc@\^1: jsr:@acme\/fusesoc@1\.1\.0 → jsr:@acme\/fusesoc@1\.3\.0$/m,
    );
    assert.match(moved.stdout, /^jsr:@acme\/fusesoc@\^1\/sub: jsr:@acme\/fusesoc@1\.1\.0 → .*1\.3\.0$/m);
    const after = await pins();
    assert.equal(after[MAIN].version, "1.3.0");
    assert.equal(after[MAIN].entry, "jsr:/@acme/fusesoc@1.3.0/mod.ts");
    assert.equal(after[SUB].version, "1.3.0");

    // The new pin is what runs.
    await ok(m, ["update"], { cwd: proj });
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt")),
      "1.3.0\n",
    );
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "fusesoc-sub", "fusesoc-sub.txt")),
      "sub\n",
    );
    // The update pinned the local plugin, with a path relative to the lock file.
    assert.equal((await pins())["./tools/keep.ts"].entry, "tools/keep.ts");

    // `fusesoc` names two entries: refused, naming both.
    const ambiguous = await m.run(["plugin", "remove", "fusesoc"], { cwd: proj });
    assert.equal(ambiguous.code, 1);
    assert.match(
      ambiguous.stderr,
      /'fusesoc' matches several plugins in .*ivpm\.yaml: jsr:@acme\/fusesoc@\^1, jsr:@acme\/fusesoc@\^1\/sub/,
    );

    const rmSub = await ok(m, ["plugin", "remove", SUB], { cwd: proj });
    assert.match(rmSub.stdout, /^Removed jsr:@acme\/fusesoc@\^1\/sub from /m);
    await ok(m, ["plugin", "remove", "fusesoc"], { cwd: proj });
    assert.equal(await Deno.readTextFile(join(proj, "ivpm.yaml")), YAML_TEXT);
    assert.deepEqual(Object.keys(await pins()), ["./tools/keep.ts"]);

    const unknown = await m.run(["plugin", "remove", "fusesok"], { cwd: proj });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no plugin 'fusesok' in .*ivpm\.yaml/);
  } finally {
    await jsr.close();
  }
});
