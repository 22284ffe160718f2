/**
 * Plugin trust boundary (issue 10, items 7 and 8): every load — warm cache or
 * not, frozen or not — checks the cached bundle and metadata against the lock
 * and the lock entry against itself; JSR pins name the package, version and
 * content, not the registry they were fetched from.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startFakeJsr } from "../_helpers/fake_jsr.ts";
import {
  fusesocMod,
  fusesocPackage,
  fusesocVersion,
  markerHandler,
  ok,
  type PluginMachine,
  pluginMachine,
  socYaml,
  writeIpSource,
  writeTree,
} from "../_helpers/plugins_e2e.ts";
import type { PinFile, PluginPin } from "../../core/plugin_host/pins.ts";
import { metaKey, pinIntegrity } from "../../core/plugin_host/pin_check.ts";
import { sha256Of } from "../../core/plugin_host/store.ts";
import { exists } from "../_helpers/update_project.ts";
import { removeTree } from "../../core/util/fs.ts";

const SPEC = "jsr:@acme/fusesoc@^1";

async function project(m: PluginMachine, plugins: string[]): Promise<string> {
  const proj = join(m.root, "proj");
  await writeTree(proj, {
    "ivpm.yaml": socYaml({ ip: await writeIpSource(m.root) }, plugins),
    "tools/local.ts": markerHandler("local-marker", "VERSION", 'import { VERSION } from "./version.ts";'),
    "tools/version.ts": 'export const VERSION = "v1";\n',
  });
  return proj;
}

/** Runs, expecting exit 1 with `pattern` on stderr and no stack trace. */
async function refused(
  m: PluginMachine,
  args: string[],
  opts: Parameters<PluginMachine["run"]>[1],
  pattern: RegExp,
): Promise<string> {
  const r = await m.run(args, opts);
  assert.equal(r.code, 1, `ivpm ${args.join(" ")} should fail:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  return r.stderr;
}

Deno.test("plugin trust 7: with a warm cache every load verifies bundle, metadata and lock entry; frozen local edits and re-published versions are caught", async () => {
  const packages = { "@acme/fusesoc": fusesocPackage() };
  const jsr = startFakeJsr({ packages });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = await project(m, ["./tools/local.ts"]);
    const at = { cwd: proj };
    const frozen = { cwd: proj, env: { CI: "true" } };
    const lockPath = join(proj, "ivpm-plugins.lock");
    const libs = join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt");
    await ok(m, ["plugin", "add", SPEC], at);
    await ok(m, ["update"], at); // pins the local plugin too; the cache is warm from here on
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n");
    const lock = await Deno.readTextFile(lockPath);
    const pin = (JSON.parse(lock) as PinFile).plugins[SPEC];
    const editLock = (edit: (p: PluginPin) => void) => {
      const doc = JSON.parse(lock) as PinFile;
      edit(doc.plugins[SPEC]);
      return Deno.writeTextFile(lockPath, JSON.stringify(doc, null, 2));
    };

    // A tampered cached bundle.
    const bundlePath = join(m.pluginCache, `${pin.bundle.slice("sha256-".length)}.js`);
    const bundle = await Deno.readTextFile(bundlePath);
    await Deno.writeTextFile(bundlePath, bundle + "\nconsole.log('pwned');\n");
    await refused(m, ["update"], frozen, /refusing to run plugin jsr:@acme\/fusesoc@\^1: cached bundle /);
    await Deno.writeTextFile(bundlePath, bundle);

    // Tampered cached metadata: a changed phase, an injected CLI option, leaf callbacks switched off.
    const metaPath = join(m.pluginCache, `${metaKey(pin).slice("sha256-".length)}.meta.json`);
    const metaText = await Deno.readTextFile(metaPath);
    const meta = JSON.parse(metaText);
    meta.handlers[0].meta.phase = "INIT";
    meta.handlers[0].meta.cliOptions = [{ command: "update", flags: "--evil", description: "injected" }];
    meta.handlers[0].meta.leaf = { pre: false, post: false };
    await Deno.writeTextFile(metaPath, JSON.stringify(meta));
    await Deno.remove(libs);
    const metaErr = await refused(
      m,
      ["update"],
      at,
      /refusing to run plugin jsr:@acme\/fusesoc@\^1: metadata in /,
    );
    assert.ok(metaErr.includes(pin.meta), "names the pinned metadata hash");
    assert.equal(await exists(libs), false, "nothing ran");
    await refused(m, ["plugin", "check"], at, /✗ jsr:@acme\/fusesoc@\^1: .*metadata in .* has hash/);
    await Deno.writeTextFile(metaPath, metaText);

    // Each lock field edited by hand, the cache warm, frozen or not.
    const other = Object.keys(pin.files).find((u) => u !== pin.entry)!;
    const edits: ((p: PluginPin) => void)[] = [
      (p) => p.integrity = sha256Of("something else"),
      (p) => p.files[pin.entry] = sha256Of("other code"),
      (p) => p.entry = other,
    ];
    for (const edit of edits) {
      await editLock(edit);
      for (const run of [frozen, at]) {
        await refused(
          m,
          ["update", "--frozen"],
          run,
          /refusing to run plugin jsr:@acme\/fusesoc@\^1: its entry in .*ivpm-plugins\.lock (does not match its integrity|names an entry)/,
        );
      }
      await refused(m, ["plugin", "check"], at, /✗ jsr:@acme\/fusesoc@\^1: refusing to run plugin/);
    }
    // Files and integrity edited together (the integrity recomputed): the cached bundle is not known to
    // come from those files, so the sources are fetched again and verified, which fails.
    await editLock((p) => {
      p.files[pin.entry] = sha256Of("other code");
      p.integrity = pinIntegrity(p, proj);
    });
    await refused(m, ["update", "--frozen"], at, /\/mod\.ts does not match its pin/);
    await editLock((p) => p.registers.handlers = ["fusesoc-libs", "innocent-looking"]);
    await refused(m, ["update", "--frozen"], at, /its entry in .*ivpm-plugins\.lock lists registers/);
    await refused(m, ["plugin", "check"], at, /✗ jsr:@acme\/fusesoc@\^1: .*lists registers/);
    await Deno.writeTextFile(lockPath, lock);
    await ok(m, ["update"], frozen);
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n");

    // A local plugin edited on disk: frozen (CI=true or --frozen) is an error, not the stale bundle.
    await Deno.writeTextFile(join(proj, "tools", "version.ts"), 'export const VERSION = "v2";\n');
    for (const run of [frozen, { cwd: proj }]) {
      await refused(
        m,
        ["update", "--frozen"],
        run,
        /plugin \.\/tools\/local\.ts \(listed in .*\) changed on disk since it was pinned; frozen mode does not re-pin it/,
      );
    }
    await Deno.writeTextFile(join(proj, "tools", "version.ts"), 'export const VERSION = "v1";\n');

    // 1.1.0 re-published upstream with other content: the warm cache runs what was pinned,
    // check and a cold cache refuse the new content, and plugin update says what happened.
    packages["@acme/fusesoc"]["1.1.0"] = {
      ...fusesocVersion("1.1.0"),
      files: { ...fusesocVersion("1.1.0").files, "/mod.ts": fusesocMod("1.1.0-republished") },
    };
    await Deno.remove(libs);
    await ok(m, ["update"], frozen);
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n", "the pinned code ran");
    const republished =
      /registry at http:\/\/127\.0\.0\.1:\d+\/ serves different content for this version than was pinned/;
    await refused(m, ["plugin", "check"], at, republished);
    await removeTree(m.pluginCache);
    await refused(m, ["update"], frozen, republished);
    const moved = await ok(m, ["plugin", "update", "fusesoc"], at);
    assert.match(
      moved.stderr,
      /version 1\.1\.0 was re-published with different content; review the new code/,
    );
  } finally {
    await jsr.close();
  }
});

Deno.test("plugin trust 8: a JSR pin is independent of the registry; a mirror with the same content works, one with other content is refused", async () => {
  const origin = startFakeJsr({ packages: { "@acme/fusesoc": fusesocPackage() } });
  const mirror = startFakeJsr({ packages: { "@acme/fusesoc": fusesocPackage() } });
  const changed = fusesocPackage();
  changed["1.1.0"].files["/mod.ts"] = fusesocMod("1.1.0-mirror");
  const bad = startFakeJsr({ packages: { "@acme/fusesoc": changed } });
  await using m = await pluginMachine({ JSR_URL: origin.url });
  try {
    const proj = await project(m, []);
    const at = { cwd: proj };
    const lockPath = join(proj, "ivpm-plugins.lock");
    const libs = join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt");
    await ok(m, ["plugin", "add", SPEC], at);
    const lock = await Deno.readTextFile(lockPath);
    assert.ok(!lock.includes(origin.url) && !lock.includes("127.0.0.1"), `no registry in the lock:\n${lock}`);

    // Cold cache, the same content through a mirror: fetched, verified and run; the lock is untouched.
    await removeTree(m.pluginCache);
    await ok(m, ["update"], { cwd: proj, env: { CI: "true", JSR_URL: mirror.url } });
    assert.equal(await Deno.readTextFile(libs), "1.1.0\nip ip.core\n");
    assert.ok(mirror.requests.some((p) => p.endsWith("/1.1.0/mod.ts")), "fetched from the mirror");
    assert.equal(await Deno.readTextFile(lockPath), lock);
    const check = await ok(m, ["plugin", "check"], { cwd: proj, env: { JSR_URL: mirror.url } });
    assert.match(check.stdout, /✓ jsr:@acme\/fusesoc@\^1: jsr:@acme\/fusesoc@1\.1\.0 matches its pin/);

    // Other content under the same version: refused, naming that registry (not a "plugin changed" hint).
    await removeTree(m.pluginCache);
    const err = await refused(
      m,
      ["update"],
      { cwd: proj, env: { JSR_URL: bad.url } },
      new RegExp(
        `registry at ${
          bad.url.replaceAll(".", "\\.")
        } serves different content for this version than was pinned`,
      ),
    );
    assert.match(err, /^hint: .*re-published or the registry \(JSR_URL\) is not a faithful mirror/m);
    assert.doesNotMatch(err, /no longer includes|now includes/);
    assert.equal(await Deno.readTextFile(lockPath), lock);
  } finally {
    await origin.close();
    await mirror.close();
    await bad.close();
  }
});
