import assert from "node:assert/strict";
import { join } from "node:path";
import type { BuildInfo, PackageView } from "../../../core/plugin_api/mod.ts";
import { PythonHandler } from "../../../plugins/python/mod.ts";
import { packageView } from "../../_helpers/package_view.ts";
import { tempRoot } from "../../_helpers/update_project.ts";

/** A setup.py that records its command and DEBUG instead of building. */
const SETUP = (name: string, log: string) =>
  `import os, sys\nopen(${JSON.stringify(log)}, "a").write("${name} %s DEBUG=%s\\n" % ` +
  `(" ".join(sys.argv[1:]), os.environ.get("DEBUG")))\n` +
  (name === "broken" ? 'raise SystemExit("cannot build broken")\n' : "");

Deno.test("build runs setup.py build_ext --inplace in source packages, dependencies first, with DEBUG", async () => {
  const root = await tempRoot("ivpm-python-build-");
  try {
    const deps = join(root.path, "packages");
    const log = join(root.path, "build.log");
    for (const n of ["app", "lib", "broken"]) {
      await Deno.mkdir(join(deps, n), { recursive: true });
      await Deno.writeTextFile(join(deps, n, "setup.py"), SETUP(n, log));
    }
    await Deno.mkdir(join(deps, "docs"));
    await Deno.writeTextFile(join(deps, "docs", "pyproject.toml"), ""); // python, but no setup.py
    const info = (debug: boolean, packages: PackageView[]): BuildInfo => ({
      projectDir: root.path,
      depsDir: deps,
      outputDir: join(deps, ".ivpm", "out", "python"),
      debug,
      packages,
      config: {},
      args: {},
    });
    const ok = [
      packageView({ name: "app", path: join(deps, "app") }),
      packageView({ name: "lib", path: join(deps, "lib"), resolvedBy: "app" }),
      packageView({ name: "docs", path: join(deps, "docs") }),
    ];
    await new PythonHandler().build(info(true, ok));
    await new PythonHandler().build(info(false, ok));
    assert.equal(
      await Deno.readTextFile(log),
      "lib build_ext --inplace DEBUG=1\napp build_ext --inplace DEBUG=1\n" +
        "lib build_ext --inplace DEBUG=0\napp build_ext --inplace DEBUG=0\n",
    );
    await assert.rejects(
      () =>
        new PythonHandler().build(info(false, [packageView({ name: "broken", path: join(deps, "broken") })])),
      /'python setup.py build_ext --inplace' failed in package 'broken' \(exit code 1\); last output:\n {4}cannot build broken/,
    );
  } finally {
    await root.dispose();
  }
});
