/**
 * Plugin trust boundary (issue 10, items 9 and 10): `plugin add` writes a caret
 * range and `plugin update` stays in it (unless `--latest`); pins are found by
 * package, and stale ones dropped; yanked versions are never picked or kept
 * silently.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type FakeJsrVersion, startFakeJsr } from "../_helpers/fake_jsr.ts";
import { markerHandler, ok, pluginMachine, writeTree } from "../_helpers/plugins_e2e.ts";
import type { PinFile } from "../../core/plugin_host/pins.ts";

/** A version of a one-handler package whose root callback writes `packages/<handler>.txt` = the version. */
function release(handler: string, version: string, yanked = false): FakeJsrVersion {
  return { files: { "/mod.ts": markerHandler(handler, JSON.stringify(version)) }, yanked };
}

const YAML = `package:
  name: soc
  # plugins below
`;

Deno.test("plugin trust 9: add writes a caret range, update stays in it unless --latest, pins match by package and stale ones go", async () => {
  const packages: Record<string, Record<string, FakeJsrVersion>> = {
    "@acme/x": { "0.1.0": release("x", "0.1.0"), "0.2.0": release("x", "0.2.0") },
    "@acme/z": { "1.0.0": release("z", "1.0.0") },
  };
  const jsr = startFakeJsr({ packages });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(proj, { "ivpm.yaml": YAML });
    const at = { cwd: proj };
    const yamlPath = join(proj, "ivpm.yaml");
    const pins = async () =>
      (JSON.parse(await Deno.readTextFile(join(proj, "ivpm-plugins.lock"))) as PinFile).plugins;

    const added = await ok(m, ["plugin", "add", "jsr:@acme/x"], at);
    assert.match(added.stdout, /^Added jsr:@acme\/x@\^0\.2\.0 \(jsr:@acme\/x@0\.2\.0\)/m);
    assert.match(await Deno.readTextFile(yamlPath), /^ {4}- jsr:@acme\/x@\^0\.2\.0$/m);
    assert.deepEqual(Object.keys(await pins()), ["jsr:@acme/x@^0.2.0"]);

    // 1.0.0 is out of ^0.2.0: update takes 0.2.1, not the new major.
    packages["@acme/x"]["0.2.1"] = release("x", "0.2.1");
    packages["@acme/x"]["1.0.0"] = release("x", "1.0.0");
    const updated = await ok(m, ["plugin", "update", "x"], at);
    assert.match(updated.stdout, /jsr:@acme\/x@0\.2\.0 → jsr:@acme\/x@0\.2\.1$/m);
    assert.equal((await pins())["jsr:@acme/x@^0.2.0"].version, "0.2.1");

    // --latest crosses the major and rewrites the range (in ivpm.yaml and the lock).
    const latest = await ok(m, ["plugin", "update", "x", "--latest"], at);
    assert.match(
      latest.stdout,
      /^jsr:@acme\/x@\^0\.2\.0 → jsr:@acme\/x@\^1\.0\.0: .* → jsr:@acme\/x@1\.0\.0$/m,
    );
    assert.match(await Deno.readTextFile(yamlPath), /^ {4}- jsr:@acme\/x@\^1\.0\.0$/m);
    assert.deepEqual(Object.keys(await pins()), ["jsr:@acme/x@^1.0.0"]);

    // Rewriting the spec to a range the pinned version satisfies keeps the pin (even frozen).
    await Deno.writeTextFile(
      yamlPath,
      (await Deno.readTextFile(yamlPath)).replace("jsr:@acme/x@^1.0.0", "jsr:@acme/x@^1"),
    );
    await ok(m, ["update", "--frozen"], at);
    assert.equal(await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "x", "x.txt")), "1.0.0");
    await ok(m, ["update"], at);
    assert.deepEqual(Object.keys(await pins()), ["jsr:@acme/x@^1"], "re-keyed under the new spec");
    assert.equal((await pins())["jsr:@acme/x@^1"].version, "1.0.0");

    // A plugin taken out of ivpm.yaml by hand loses its lock entry on the next write.
    await Deno.writeTextFile(yamlPath, YAML);
    await ok(m, ["plugin", "add", "jsr:@acme/z"], at);
    assert.deepEqual(Object.keys(await pins()), ["jsr:@acme/z@^1.0.0"]);
  } finally {
    await jsr.close();
  }
});

Deno.test("plugin trust 10: a pinned yanked version warns in plugin update, list and check; a yanked version is picked only with a warning", async () => {
  const packages: Record<string, Record<string, FakeJsrVersion>> = {
    "@acme/y": { "1.0.0": release("y", "1.0.0"), "1.1.0": release("y", "1.1.0") },
  };
  const jsr = startFakeJsr({ packages });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(proj, { "ivpm.yaml": YAML });
    const at = { cwd: proj };
    await ok(m, ["plugin", "add", "jsr:@acme/y@~1.1"], at);

    packages["@acme/y"]["1.1.0"].yanked = true;
    const yanked = /plugin jsr:@acme\/y@~1\.1: the pinned version jsr:@acme\/y@1\.1\.0 is yanked/;
    const list = await ok(m, ["plugin", "list"], at);
    assert.match(list.stderr, yanked);
    assert.match(list.stdout, /jsr:@acme\/y@1\.1\.0 \(yanked\)/);
    const json = JSON.parse((await ok(m, ["plugin", "list", "--json"], at)).stdout);
    assert.equal(json[0].yanked, true);
    const check = await ok(m, ["plugin", "check"], at);
    assert.match(check.stderr, yanked);

    // Nothing else satisfies ~1.1: update keeps 1.1.0, saying it is yanked.
    const update = await ok(m, ["plugin", "update"], at);
    assert.match(
      update.stderr,
      /plugin jsr:@acme\/y@~1\.1: pinned jsr:@acme\/y@1\.1\.0, which is yanked \(no other version satisfies the range\)/,
    );

    // A fresh resolution never picks a yanked version silently either.
    const other = join(m.root, "other");
    await writeTree(other, { "ivpm.yaml": YAML });
    const exact = await ok(m, ["plugin", "add", "jsr:@acme/y@1.1.0"], { cwd: other });
    assert.match(exact.stderr, /which is yanked/);
  } finally {
    await jsr.close();
  }
});
