import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type PluginPin, readPins, writePins } from "../../core/plugin_host/pins.ts";
import { catchIvpmError } from "../_helpers/catch_ivpm_error.ts";

function localPin(dir: string): PluginPin {
  const url = (p: string) => pathToFileURL(join(dir, p)).href;
  return {
    resolved: url("tools/my handler.ts"),
    kind: "local",
    entry: url("tools/my handler.ts"),
    files: {
      [url("tools/my handler.ts")]: "sha256-aa",
      [url("lib.ts")]: "sha256-bb",
      "file:///elsewhere/x.ts": "sha256-cc",
    },
    integrity: "sha256-11",
    bundle: "sha256-22",
    meta: "sha256-33",
    source: {},
    registers: { handlers: ["h"], sources: [], siteConfigs: [] },
  };
}

Deno.test("a local pin is written relative to the lock file and read back absolute, in any checkout", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    await writePins(join(a, "ivpm-plugins.lock"), {
      version: 1,
      plugins: { "./tools/my handler.ts": localPin(a) },
    });
    const text = await Deno.readTextFile(join(a, "ivpm-plugins.lock"));
    const written = JSON.parse(text).plugins["./tools/my handler.ts"];
    assert.equal(written.entry, "tools/my%20handler.ts");
    assert.deepEqual(Object.keys(written.files), [
      "tools/my%20handler.ts",
      "lib.ts",
      "file:///elsewhere/x.ts",
    ]);
    assert.ok(!text.includes(a), "no absolute path of the checkout");

    // The same committed file in another checkout means that checkout's files.
    await Deno.writeTextFile(join(b, "ivpm-plugins.lock"), text);
    assert.deepEqual(readPins(join(b, "ivpm-plugins.lock")).plugins["./tools/my handler.ts"], localPin(b));
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("a missing pin file is empty; a broken one is an error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "ivpm-plugins.lock");
    assert.deepEqual(readPins(path), { version: 1, plugins: {} });
    await Deno.writeTextFile(path, '{"version": 2}');
    const e = catchIvpmError(() => readPins(path));
    assert.match(e.message, /ivpm-plugins\.lock is not a valid plugin pin file \(unknown format\)/);
    assert.match(e.hint ?? "", /restore it from version control/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
