/**
 * Installing a Python source package runs its build backend: the python handler names the packages it is
 * about to build from source before the installer runs, and says nothing when nothing is installed. A real
 * venv (`python3 -m venv`) and pip, offline: setup.py-only editable packages install without an index.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { PythonHandler } from "../../../plugins/python/mod.ts";
import { envWith } from "../../_helpers/env.ts";
import { toFileUrl } from "../../_helpers/file_url.ts";
import { depSets, tempRoot, writeIvpmYaml } from "../../_helpers/update_project.ts";

const MOD_URL = new URL("../../../plugins/python/mod.ts", import.meta.url).href;

/** A loopback URL nothing listens on: pip's seeding of `wheel` fails at once instead of retrying. */
function refusingUrl(): string {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return `http://127.0.0.1:${port}/simple/`;
}

async function setupPyPackage(dir: string, name: string): Promise<void> {
  await Deno.mkdir(join(dir, name), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "setup.py"),
    `from setuptools import setup\nsetup(name="${name}", version="0.1", packages=["${name}"])\n`,
  );
  await Deno.writeTextFile(join(dir, name, "__init__.py"), "");
}

Deno.test({
  name: "the python handler names the source packages it builds before installing them, and only then",
  ignore: Deno.build.os === "windows",
  async fn() {
    const tmp = await tempRoot("ivpm-py-listing-");
    try {
      const src = join(tmp.path, "src");
      await setupPyPackage(join(src, "zlib2"), "zlib2"); // declared type: python
      await setupPyPackage(join(src, "alib"), "alib"); // detected by its setup.py; declares blib
      // A local package may declare local paths inside its own directory only.
      await setupPyPackage(join(src, "alib", "vendor", "blib"), "blib");
      await writeIvpmYaml(join(src, "alib"), {
        name: "alib",
        "dep-sets": depSets({
          default: [{ name: "blib", url: toFileUrl(join(src, "alib", "vendor", "blib")) }],
        }),
      });
      await Deno.mkdir(join(src, "docs")); // not a Python package: never listed
      await Deno.writeTextFile(join(src, "docs", "README"), "docs\n");
      const project = await writeIvpmYaml(join(tmp.path, "proj"), {
        name: "proj",
        with: { python: { venv: "pip" } },
        "dep-sets": depSets({
          default: [
            { name: "docs", url: toFileUrl(join(src, "docs")) },
            { name: "zlib2", url: toFileUrl(join(src, "zlib2")), type: "python" },
            { name: "alib", url: toFileUrl(join(src, "alib")) },
          ],
        }),
      });
      const env = envWith({
        PIP_INDEX_URL: refusingUrl(),
        PIP_NO_CACHE_DIR: "1",
        PIP_DISABLE_PIP_VERSION_CHECK: "1",
        PIP_CONFIG_FILE: "/dev/null",
        PIP_NO_INPUT: "1",
        PIP_FIND_LINKS: undefined,
        IVPM_PYTHON_NO_SELF_INSTALL: "1",
        IVPM_PYTHON: undefined,
      });
      const update = async () => {
        const registry = new HandlerRegistry();
        registry.register(PythonHandler, { origin: "test", moduleUrl: MOD_URL, exportName: "PythonHandler" });
        const log: string[] = [];
        await runUpdate({
          projectDir: project,
          cacheDir: null,
          handlers: registry,
          env,
          reporter: {
            diagnostic: (d) => void (d.severity === "note" && log.push(`note: ${d.message}`)),
            handlerEvent: (e) => void (e.type === "task-progress" && log.push(`progress: ${e.message}`)),
          },
        });
        return log;
      };

      const first = await update();
      const listing = "note: python: building from source (runs their build backends): blib, zlib2, alib";
      assert.equal(first.filter((l) => l.startsWith("note: python: building")).join("\n"), listing);
      // Named before the installer runs, in install order: blib and zlib2 (by name), then alib, which declares blib.
      const installing = first.findIndex((l) => l.startsWith("progress: Installing package set"));
      assert.ok(installing > first.indexOf(listing), first.join("\n"));
      assert.ok(await Deno.stat(join(project, "packages", "python", "pyvenv.cfg")));

      // Nothing changed: nothing is installed, so nothing is built or listed.
      const second = await update();
      assert.ok(second.some((l) => l.includes("Python packages already installed")), second.join("\n"));
      assert.deepEqual(second.filter((l) => l.includes("building from source")), []);
    } finally {
      await tmp.dispose();
    }
  },
});
