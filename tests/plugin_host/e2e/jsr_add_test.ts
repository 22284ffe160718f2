/**
 * `ivpm plugin add jsr:…` against a loopback JSR registry, through the real CLI:
 * the entry and its pin, what the commands show, and the handler running in a
 * real `ivpm update`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeJsr } from "../../_helpers/fake_jsr.ts";
import { fusesocPackage, ok, pluginMachine, writeTree } from "../../_helpers/plugins_e2e.ts";
import type { PinFile } from "../../../core/plugin_host/pins.ts";

const SPEC = "jsr:@acme/fusesoc@^1";

/** An ivpm.yaml with comments and hand formatting that `plugin add` must keep. */
function projectYaml(root: string): string {
  return `# The project file — this comment stays
package:
  name: soc     # aligned comment, spacing kept
  version: "0.1"

  # Two deps: one holds a FuseSoC core, one does not
  dep-sets:
    - name: default
      deps:
        - name: ip
          url: file://${root}/src/ip
        - name: docs
          url: file://${root}/src/docs
`;
}

Deno.test("plugin add pins a JSR plugin in range, keeps ivpm.yaml's comments, and its handler runs in update", async () => {
  const jsr = startFakeJsr({ packages: { "@acme/fusesoc": fusesocPackage() } });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(m.root, {
      "src/ip/ip.core": "CAPI=2:\nname: acme:ip:ip:1.0\n",
      "src/ip/README": "ip\n",
      "src/docs/index.md": "# docs\n",
    });
    const original = projectYaml(m.root);
    await writeTree(proj, { "ivpm.yaml": original });

    const add = await ok(m, ["plugin", "add", SPEC], { cwd: proj });
    assert.match(add.stdout, /Added jsr:@acme\/fusesoc@\^1 \(jsr:@acme\/fusesoc@1\.1\.0\)/);
    assert.match(add.stdout, /registers: handlers fusesoc-libs/);
    assert.match(add.stdout, /permissions: read: project, packages\/, cache; write: none/);
    assert.match(add.stdout, /net: none; env: none/);

    // Only the new lines were inserted; every other byte is as the user wrote it.
    assert.equal(
      await Deno.readTextFile(join(proj, "ivpm.yaml")),
      original.replace(
        "  name: soc     # aligned comment, spacing kept\n",
        (l) => `${l}  plugins:\n    - ${SPEC}\n`,
      ),
    );

    const pins = JSON.parse(await Deno.readTextFile(join(proj, "ivpm-plugins.lock"))) as PinFile;
    assert.deepEqual(Object.keys(pins.plugins), [SPEC]);
    const pin = pins.plugins[SPEC];
    assert.equal(pin.version, "1.1.0"); // ^1: 1.2.0 is yanked, 2.0.0 out of range
    assert.equal(pin.resolved, "jsr:@acme/fusesoc@1.1.0");
    assert.equal(pin.entry, "jsr:/@acme/fusesoc@1.1.0/mod.ts");
    assert.deepEqual(Object.keys(pin.files).sort(), [
      "jsr:/@acme/fusesoc@1.1.0/lib/detect.ts",
      "jsr:/@acme/fusesoc@1.1.0/mod.ts",
    ]);
    assert.match(pin.integrity, /^sha256-[0-9a-f]{64}$/);
    assert.deepEqual(pin.registers, { handlers: ["fusesoc-libs"], sources: [], siteConfigs: [] });
    assert.ok(!jsr.requests.some((p) => p.includes("1.2.0")), "the yanked version is never fetched");

    const list = await ok(m, ["plugin", "list"], { cwd: proj });
    assert.match(list.stdout, /^jsr:@acme\/fusesoc@\^1 +project +jsr:@acme\/fusesoc@1\.1\.0$/m);
    const listJson = JSON.parse((await ok(m, ["plugin", "list", "--json"], { cwd: proj })).stdout);
    assert.deepEqual(listJson, [{
      spec: SPEC,
      scope: "project",
      file: join(proj, "ivpm.yaml"),
      pinned: "jsr:@acme/fusesoc@1.1.0",
      yanked: false,
      registers: { handlers: ["fusesoc-libs"], sources: [], siteConfigs: [] },
    }]);

    const handlers = JSON.parse((await ok(m, ["show", "handler", "--json"], { cwd: proj })).stdout) as {
      name: string;
      origin: string;
    }[];
    assert.equal(handlers.find((h) => h.name === "fusesoc-libs")?.origin, `${SPEC} (project)`);
    const one = await ok(m, ["show", "handler", "fusesoc-libs"], { cwd: proj });
    assert.match(one.stdout, /^Origin: jsr:@acme\/fusesoc@\^1 \(project\)$/m);

    const show = await ok(m, ["show", "plugin", "fusesoc"], { cwd: proj });
    assert.match(show.stdout, /^Plugin: jsr:@acme\/fusesoc@\^1$/m);
    assert.match(show.stdout, /^ {2}resolved: jsr:@acme\/fusesoc@1\.1\.0$/m);
    assert.match(show.stdout, /^ {2}registers: handlers fusesoc-libs$/m);
    assert.match(show.stdout, /^ {2}permissions: read: project/m);

    const fetchedBefore = jsr.requests.length;
    const update = await ok(m, ["update"], { cwd: proj });
    assert.doesNotMatch(update.stderr, /warning|error/);
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt")),
      "1.1.0\nip ip.core\n",
    );
    assert.equal(jsr.requests.length, fetchedBefore, "update loads the pinned bundle from the cache");
  } finally {
    await jsr.close();
  }
});
