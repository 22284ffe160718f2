/**
 * Plugin API versioning (a plugin's `jsr:@ivpm/plugin@<range>` checked against this ivpm's API
 * version) and the one rule deciding what plugin code may import, shared by fetcher and bundler.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { classifyPluginImport } from "../../core/plugin_host/import_rules.ts";
import { bundlePlugin } from "../../core/plugin_host/bundle.ts";
import { fetchPluginGraph } from "../../core/plugin_host/fetch/mod.ts";
import { apiRangesOf, checkPluginApi } from "../../core/plugin_host/api_version.ts";
import { PLUGIN_API_VERSION } from "../../core/plugin_api/version.ts";
import { catchIvpmError, catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { ok, pluginMachine, writeTree } from "../_helpers/plugins_e2e.ts";

const ROOT = new URL("../../", import.meta.url);
const IMPORTER = "file:///p/mod.ts";

function handler(api: string, name: string): string {
  return `import { PackageHandler, type RootInfo } from "${api}";
export class H extends PackageHandler {
  static override name = "${name}";
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    await Deno.writeTextFile(info.outputDir + "/${name}.txt", "ran\\n");
  }
}
`;
}

function project(plugin: string): string {
  return `package:\n  name: soc\n  plugins:\n    - ${plugin}\n`;
}

Deno.test("the API version is the plugin API package's deno.json version", async () => {
  const pkg = JSON.parse(await Deno.readTextFile(new URL("core/plugin_api/deno.json", ROOT)));
  assert.equal(pkg.name, "@ivpm/plugin");
  assert.equal(PLUGIN_API_VERSION, pkg.version);
});

Deno.test("one rule classifies plugin imports: the API with its range, pure node: built-ins, own modules", () => {
  assert.deepEqual(classifyPluginImport("p", "@ivpm/plugin", IMPORTER), { kind: "api" });
  assert.deepEqual(classifyPluginImport("p", "jsr:@ivpm/plugin", IMPORTER), { kind: "api" });
  assert.deepEqual(classifyPluginImport("p", "jsr:@ivpm/plugin@^0.1", IMPORTER), {
    kind: "api",
    range: "^0.1",
  });
  assert.deepEqual(classifyPluginImport("p", "node:path", IMPORTER), { kind: "node" });
  assert.deepEqual(classifyPluginImport("p", "node:async_hooks", IMPORTER), { kind: "node" });
  assert.deepEqual(classifyPluginImport("p", "./lib/a.ts#x", IMPORTER), {
    kind: "module",
    url: "file:///p/lib/a.ts",
  });
  assert.deepEqual(classifyPluginImport("p", "https://x.example/a.ts", IMPORTER), {
    kind: "module",
    url: "https://x.example/a.ts",
  });
  for (const refused of ["node:fs", "npm:left-pad@1", "jsr:@std/path", "yaml", "data:text/javascript,1"]) {
    const err = catchIvpmError(() => classifyPluginImport("p", refused, IMPORTER));
    assert.match(err.message, new RegExp(`^Plugin p imports '${refused.replace(/[.^$]/g, "\\$&")}'`));
    assert.ok(err.hint);
  }
  const bad = catchIvpmError(() => classifyPluginImport("p", "jsr:@ivpm/plugin@banana", IMPORTER));
  assert.match(bad.message, /'banana' is not a version range/);
});

Deno.test("the fetcher and the bundler refuse the same imports with the same message", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-api-rule-" });
  try {
    for (const spec of ["jsr:@ivpm/plugin@banana", "npm:left-pad@1", "node:child_process"]) {
      const file = join(dir, "mod.ts");
      const text = `import x from "${spec}";\nexport const y = x;\n`;
      await Deno.writeTextFile(file, text);
      const entry = pathToFileURL(file).href;
      const fetched = await catchIvpmErrorAsync(() =>
        fetchPluginGraph({ kind: "local", path: file }, {}).then(() => undefined)
      );
      const bundled = await catchIvpmErrorAsync(() =>
        bundlePlugin({ entry, files: new Map([[entry, text]]), plugin: file })
      );
      assert.equal(bundled.message, fetched.message);
      assert.equal(bundled.hint, fetched.hint);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bundle records the API ranges its code imports; a range this ivpm does not meet is refused", async () => {
  const entry = "https://p.example/mod.ts";
  const files = new Map([
    [
      entry,
      `import { s } from "jsr:@ivpm/plugin@^0.1";\nimport { b } from "./b.ts";\nexport const x = [s, b];\n`,
    ],
    [
      "https://p.example/b.ts",
      `import { hasType } from "jsr:@ivpm/plugin@>=0.1.0";\nexport const b = hasType;\n`,
    ],
  ]);
  const built = await bundlePlugin({ entry, files });
  assert.deepEqual(built.apiRanges, [">=0.1.0", "^0.1"]);
  assert.deepEqual(apiRangesOf(built.code), [">=0.1.0", "^0.1"]);
  checkPluginApi("p", built.apiRanges, "0.1.0");
  const err = catchIvpmError(() => checkPluginApi("jsr:@acme/x", built.apiRanges, "2.0.0"));
  assert.equal(err.message, "Plugin jsr:@acme/x needs @ivpm/plugin ^0.1, this ivpm provides 2.0.0");
  assert.match(err.hint ?? "", /update ivpm, or use a version of the plugin made for @ivpm\/plugin 2\.0\.0/);

  const bare = await bundlePlugin({
    entry,
    files: new Map([[entry, `import { s } from "@ivpm/plugin";\nexport const x = s;\n`]]),
  });
  assert.deepEqual(bare.apiRanges, []);
  assert.ok(
    !bare.code.startsWith("// @ivpm/plugin"),
    "no header without a range: existing pins keep their bundle hash",
  );
});

Deno.test("plugin add refuses a plugin that needs another @ivpm/plugin version, naming both; a matching range runs", async () => {
  await using m = await pluginMachine();
  const proj = join(m.root, "proj");
  await writeTree(proj, {
    "ivpm.yaml": project("./tools/ok.ts"),
    "tools/future.ts": handler("jsr:@ivpm/plugin@^9", "future"),
    "tools/ok.ts": handler(`jsr:@ivpm/plugin@^${PLUGIN_API_VERSION}`, "current"),
  });
  const r = await m.run(["plugin", "add", "./tools/future.ts"], { cwd: proj });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `Plugin \\./tools/future\\.ts needs @ivpm/plugin \\^9, this ivpm provides ${PLUGIN_API_VERSION}`,
    ),
  );
  assert.match(r.stderr, /hint: update ivpm, or use a version of the plugin made for @ivpm\/plugin/);
  assert.doesNotMatch(await Deno.readTextFile(join(proj, "ivpm.yaml")), /future/);

  await ok(m, ["update"], { cwd: proj });
  assert.equal(
    await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "current", "current.txt")),
    "ran\n",
  );
});
