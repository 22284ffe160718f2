/**
 * Frozen mode (`CI=true`) and verification: unpinned plugins are refused, pinned
 * ones run, `plugin check` re-fetches and compares, and tampered code — on the
 * registry or in the local cache — is refused naming plugin, file and hashes.
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
import type { PinFile } from "../../../core/plugin_host/pins.ts";
import { sha256Of } from "../../../core/plugin_host/store.ts";
import { exists } from "../../_helpers/update_project.ts";

const SPEC = "jsr:@acme/fusesoc@^1";
const CI = { env: { CI: "true" } };

Deno.test("CI=true refuses unpinned plugins, runs pinned ones, and plugin check catches tampering", async () => {
  const tamper: Record<string, string> = {};
  const jsr = startFakeJsr({ packages: { "@acme/fusesoc": fusesocPackage() }, tamper });
  await using m = await pluginMachine({ JSR_URL: jsr.url });
  try {
    const proj = join(m.root, "proj");
    await writeTree(proj, { "ivpm.yaml": socYaml({ ip: await writeIpSource(m.root) }, [SPEC]) });
    const at = { cwd: proj };

    // Listed but not pinned: frozen mode resolves nothing.
    const refused = await m.run(["update"], { ...at, ...CI });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^error: plugin jsr:@acme\/fusesoc@\^1 \(listed in .*ivpm\.yaml\) is not pinned; frozen mode refuses to resolve it$/m,
    );
    assert.match(refused.stderr, /^hint: run 'ivpm plugin update' locally and commit .*ivpm-plugins\.lock$/m);
    assert.doesNotMatch(refused.stderr, /^\s+at /m, "no stack trace");
    assert.equal(jsr.requests.length, 0, "nothing was fetched");
    assert.equal(await exists(join(proj, "packages")), false);
    assert.equal((await m.run(["update", "--frozen"], at)).code, 1, "--frozen does the same without CI");

    // Pinned (locally, not frozen): CI now works.
    const pinned = await ok(m, ["plugin", "update"], at);
    assert.match(pinned.stdout, /^jsr:@acme\/fusesoc@\^1: pinned jsr:@acme\/fusesoc@1\.1\.0$/m);
    await ok(m, ["update"], { ...at, ...CI });
    assert.equal(
      await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt")),
      "1.1.0\nip ip.core\n",
    );

    const check = await ok(m, ["plugin", "check"], { ...at, ...CI });
    assert.match(check.stdout, /✓ jsr:@acme\/fusesoc@\^1: jsr:@acme\/fusesoc@1\.1\.0 matches its pin/);

    // The registry now serves a different mod.ts (its manifest still lists the published hash).
    const pin =
      (JSON.parse(await Deno.readTextFile(join(proj, "ivpm-plugins.lock"))) as PinFile).plugins[SPEC];
    const published = pin.files["jsr:/@acme/fusesoc@1.1.0/mod.ts"];
    const evil = "export class Evil {}\n";
    tamper["@acme/fusesoc@1.1.0/mod.ts"] = evil;
    const bad = await m.run(["plugin", "check"], { ...at, ...CI });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /✗ jsr:@acme\/fusesoc@\^1: Plugin @acme\/fusesoc@1\.1\.0: \/mod\.ts does not match/,
    );
    assert.ok(bad.stderr.includes(published), `names the expected hash:\n${bad.stderr}`);
    assert.ok(bad.stderr.includes(sha256Of(evil)), `names the served file's hash:\n${bad.stderr}`);
    assert.match(bad.stderr, /^error: 1 plugin\(s\) do not match their pins$/m);
    delete tamper["@acme/fusesoc@1.1.0/mod.ts"];

    // A tampered bundle in the local cache is refused before any of it runs.
    const bundle = join(m.pluginCache, `${pin.bundle.slice("sha256-".length)}.js`);
    const code = await Deno.readTextFile(bundle);
    const altered = code + "\nawait Deno.writeTextFile('/tmp/pwned', 'x');\n";
    await Deno.writeTextFile(bundle, altered);
    await Deno.remove(join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt"));
    const cached = await m.run(["update"], { ...at, ...CI });
    assert.equal(cached.code, 1);
    assert.match(cached.stderr, /^error: refusing to run plugin jsr:@acme\/fusesoc@\^1: cached bundle /m);
    assert.ok(cached.stderr.includes(pin.bundle), "names the pinned hash");
    assert.ok(cached.stderr.includes(sha256Of(altered)), "names the hash found");
    assert.equal(
      await exists(join(proj, "packages", ".ivpm", "out", "fusesoc-libs", "fusesoc-libs.txt")),
      false,
      "the handler did not run",
    );
    const checkCached = await m.run(["plugin", "check"], at);
    assert.equal(checkCached.code, 1);
    assert.match(checkCached.stderr, /cached bundle .* has hash sha256-/);
  } finally {
    await jsr.close();
  }
});
