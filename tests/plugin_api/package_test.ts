/**
 * `@ivpm/plugin` is a real package: its own deno.json, nothing imported from outside it, a small
 * public surface without engine internals, and publishable (no slow types).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as api from "@ivpm/plugin";
import { scanImports } from "../../core/plugin_host/fetch/import_scanner.ts";

const PKG = new URL("../../core/plugin_api/", import.meta.url);

Deno.test("the plugin API imports nothing outside its own directory", async () => {
  const outside: string[] = [];
  for await (const e of Deno.readDir(PKG)) {
    if (!e.name.endsWith(".ts")) continue;
    for (const ref of scanImports(await Deno.readTextFile(new URL(e.name, PKG)))) {
      if (!ref.specifier.startsWith("./")) outside.push(`${e.name}: ${ref.specifier}`);
    }
  }
  assert.deepEqual(outside, []);
});

Deno.test("the public API exports what plugins need and no engine internals", () => {
  assert.deepEqual(Object.keys(api).sort(), [
    "ALWAYS",
    "CredentialProvider",
    "DefaultSiteConfig",
    "ENVRC_HEADER",
    "HandlerFatalError",
    "HandlerPhase",
    "PackageHandler",
    "SiteConfig",
    "TaskHandle",
    "envrcSection",
    "hasSourceType",
    "hasType",
    "isInside",
    "realPathInside",
    "removeEnvrcSection",
    "runTask",
    "s",
    "setEnvrcSection",
    "shellQuote",
    "updateEnvrcFile",
  ]);
});

Deno.test("the plugin API package passes deno publish --dry-run (no slow types)", async () => {
  const meta = JSON.parse(await Deno.readTextFile(new URL("deno.json", PKG)));
  assert.deepEqual([meta.name, meta.exports], ["@ivpm/plugin", "./mod.ts"]);
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: fileURLToPath(PKG),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, out);
  assert.match(out, /Simulating publish of @ivpm\/plugin@\d+\.\d+\.\d+/);
});
