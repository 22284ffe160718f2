import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { classifyPluginImport } from "../../core/plugin_host/import_rules.ts";
import { scanImports } from "../../core/plugin_host/fetch/import_scanner.ts";
import { REPO_ROOT } from "../_helpers/update_project.ts";

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* tsFiles(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

// The built-ins are plugins written against the public API: the rule a third-party plugin's code is held to
// when it is added and bundled holds for them too (the API, pure node: built-ins, their own files).
// One exception, loaded lazily: the python handler's TOML parser (a third-party plugin would copy one in).
const EXCEPTIONS = new Set(["plugins/python/pyproject.ts smol-toml"]);
Deno.test("built-in handlers import only what a third-party plugin may", async () => {
  const plugins = join(REPO_ROOT, "plugins");
  const problems: string[] = [];
  let checked = 0;
  for await (const dir of Deno.readDir(plugins)) {
    if (!dir.isDirectory) continue;
    const own = join(plugins, dir.name);
    for await (const file of tsFiles(own)) {
      const importer = pathToFileURL(file).href;
      for (const ref of scanImports(await Deno.readTextFile(file))) {
        if (ref.typeOnly || EXCEPTIONS.has(`${relative(REPO_ROOT, file)} ${ref.specifier}`)) continue;
        checked++;
        try {
          const r = classifyPluginImport(`built-in ${dir.name}`, ref.specifier, importer);
          if (r.kind === "module" && relative(own, new URL(r.url).pathname).startsWith("..")) {
            problems.push(`${relative(REPO_ROOT, file)}: '${ref.specifier}' is outside plugins/${dir.name}`);
          }
        } catch (e) {
          problems.push(`${relative(REPO_ROOT, file)}: ${(e as Error).message}`);
        }
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} imports found`);
  assert.deepEqual(problems, []);
});
