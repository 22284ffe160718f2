import assert from "node:assert/strict";
import { join } from "node:path";
import { harvestPyproject, sectionRequirements } from "../../../plugins/python/pyproject.ts";
import { packageView } from "../../_helpers/package_view.ts";
import { withTempDir } from "../../_helpers/temp.ts";
import { envWith } from "../../_helpers/env.ts";
import { withToolEnv } from "../../../plugins/python/tool.ts";

const TOML = `
[project]
name = "demo"
dependencies = ["Requests>=2", "PyYAML", "requests[socks]"]

[project.optional-dependencies]
docs = ["sphinx>=7"]
Test_Extra = ["pytest"]

[dependency-groups]
dev = ["ruff", {include-group = "Typing"}]
typing = ["mypy", {include-group = "dev"}]
lint = ["flake8"]
`;

/** The pyproject.toml package under test, with these options (and `url:`). */
const pkg = (options: Record<string, unknown>, url?: string) =>
  packageView({ name: "pyproj", path: "/nowhere", srcType: "pyproject.toml", url, options, virtual: true });

/** Runs `fn` in a temp project holding TOML as its pyproject.toml. */
function withProject(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("ivpm-pyproject-", async (dir) => {
    await Deno.writeTextFile(join(dir, "pyproject.toml"), TOML);
    await fn(dir);
  });
}

Deno.test("harvest: default section is dependencies; names are PEP 503 normalized, specs verbatim, duplicates dropped", async () => {
  await withProject(async (dir) => {
    assert.deepEqual(await harvestPyproject(pkg({}), dir), [
      { name: "requests", spec: "Requests>=2" },
      { name: "pyyaml", spec: "PyYAML" },
    ]);
  });
});

Deno.test("harvest: optional-dependencies and dependency groups with include-group expansion and a cycle guard", async () => {
  await withProject(async (dir) => {
    const got = await harvestPyproject(
      pkg({ include: ["optional-dependencies.test-extra", "dependency-groups.dev"] }),
      dir,
    );
    assert.deepEqual(got.map((r) => r.spec), ["pytest", "ruff", "mypy"]);
    const all = await harvestPyproject(pkg({ include: "all" }), dir);
    assert.deepEqual(all.map((r) => r.spec), [
      "Requests>=2",
      "PyYAML",
      "sphinx>=7",
      "pytest",
      "ruff",
      "mypy",
      "flake8",
    ]);
    // Sections the file lacks are simply empty.
    assert.deepEqual(
      await harvestPyproject(pkg({ include: ["optional-dependencies.nope", "dependency-groups.nope"] }), dir),
      [],
    );
  });
});

Deno.test("harvest: path, file:// URL with $VARS, and clear errors for a missing file, bad TOML or an unknown section", async () => {
  await withProject(async (dir) => {
    await Deno.mkdir(join(dir, "sub"));
    await Deno.writeTextFile(join(dir, "sub", "py.toml"), '[project]\ndependencies = ["x"]\n');
    assert.deepEqual(await harvestPyproject(pkg({ path: "sub/py.toml" }), dir), [{ name: "x", spec: "x" }]);
    const env = envWith({ IVPM_TEST_PYDIR: join(dir, "sub") });
    assert.deepEqual(
      await withToolEnv(
        env,
        () => harvestPyproject(pkg({}, "file://${IVPM_TEST_PYDIR}/py.toml"), "/elsewhere"),
      ),
      [{ name: "x", spec: "x" }],
    );
    await assert.rejects(
      () => harvestPyproject(pkg({ path: "missing.toml" }), dir),
      new RegExp(`package 'pyproj': src: pyproject.toml — file not found: ${dir}/missing.toml`),
    );
    await Deno.writeTextFile(join(dir, "bad.toml"), "[project\n");
    await assert.rejects(
      () => harvestPyproject(pkg({ path: "bad.toml" }), dir),
      /bad\.toml is not valid TOML/,
    );
    await assert.rejects(
      () => harvestPyproject(pkg({ include: "extras" }), dir),
      /unknown include section 'extras'/,
    );
    await assert.rejects(
      () => harvestPyproject(pkg({}, "https://example.com/pyproject.toml"), dir),
      /reads local files only/,
    );
  });
});

Deno.test("sectionRequirements ignores non-string entries", () => {
  assert.deepEqual(
    sectionRequirements(
      { project: { dependencies: ["a", 3, { x: 1 }] }, "dependency-groups": { g: ["b", { other: 1 }] } },
      ["dependencies", "dependency-groups.g"],
      "t",
    ),
    ["a", "b"],
  );
});
