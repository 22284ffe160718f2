import assert from "node:assert/strict";
import type { PackageView } from "../../../core/plugin_api/mod.ts";
import { failingPackage } from "../../../plugins/python/install.ts";
import { selfInstallArgs } from "../../../plugins/python/mod.ts";
import { normalizeName, requirementName } from "../../../plugins/python/pep508.ts";
import {
  pypiLine,
  requirementSets,
  requirementText,
  sourceLayers,
  sourceLine,
} from "../../../plugins/python/requirements.ts";
import { classifyPackage } from "../../../plugins/python/classify.ts";
import { packageView } from "../../_helpers/package_view.ts";

/** A git package at /p/packages/<name>, overridden by `over`. */
const view = (name: string, over: Partial<PackageView> = {}) =>
  packageView({ name, srcType: "git", ...over });

const pypi = (name: string, options: Record<string, unknown> = {}, typeData: PackageView["typeData"] = []) =>
  view(name, { srcType: "pypi", virtual: true, options, typeData });

Deno.test("pypi lines: bare versions get ==, operators are kept verbatim, extras from type win over extras:", () => {
  assert.equal(pypiLine(pypi("numpy")), "numpy");
  assert.equal(pypiLine(pypi("numpy", { version: "1.26.4" })), "numpy==1.26.4");
  assert.equal(pypiLine(pypi("numpy", { version: 2 })), "numpy==2");
  for (const v of [">=1.0,<2", "<2", "~=1.4", "!=1.5", "==1.0", "===1.0"]) {
    assert.equal(pypiLine(pypi("x", { version: v })), `x${v}`);
  }
  assert.equal(pypiLine(pypi("req", { extras: ["socks", "security"] })), "req[socks,security]");
  assert.equal(pypiLine(pypi("req", { extras: "socks" })), "req[socks]");
  assert.equal(
    pypiLine(
      pypi("req", { extras: ["a"], version: "2.0" }, [{ name: "python", options: { extras: ["b"] } }]),
    ),
    "req[b]==2.0",
  );
});

Deno.test("source lines are editable unless editable: false, with extras", () => {
  assert.equal(sourceLine(view("lib"), "/p/packages"), "-e /p/packages/lib");
  assert.equal(
    sourceLine(
      view("lib", { typeData: [{ name: "python", options: { editable: false, extras: "x" } }] }),
      "/d",
    ),
    "/d/lib[x]",
  );
});

Deno.test("source layers put declared packages first and sort each layer by name", () => {
  const app = view("app");
  const zlib = view("zlib", { resolvedBy: "app" });
  const alib = view("alib", { resolvedBy: "app" });
  const core = view("core", { resolvedBy: "alib" });
  const tool = view("tool");
  assert.deepEqual(sourceLayers([app, zlib, alib, core, tool]).map((l) => l.map((p) => p.name)), [
    ["core", "tool", "zlib"],
    ["alib"],
    ["app"],
  ]);
});

Deno.test("requirement files: self-install, then PyPI (declared then harvested), then one file per layer", () => {
  const sets = requirementSets({
    selfInstall: ["ivpm==2.1", "--extra-index-url", "https://x"],
    pypi: [pypi("tinylib", { version: "<2" })],
    harvested: [{ name: "harvested", spec: "Harvested >= 1 ; python_version > '3'" }],
    sources: [view("app"), view("lib", { resolvedBy: "app" })],
    depsDir: "/p/packages",
  });
  assert.deepEqual(sets.map(requirementText), [
    "ivpm==2.1\n--extra-index-url\nhttps://x\n",
    "tinylib<2\nHarvested >= 1 ; python_version > '3'\n",
    "-e /p/packages/lib\n",
    "-e /p/packages/app\n",
  ]);
  // Empty sets make no file.
  assert.deepEqual(
    requirementSets({ selfInstall: [], pypi: [], harvested: [], sources: [view("a")], depsDir: "/d" })
      .map(requirementText),
    ["-e /d/a\n"],
  );
});

Deno.test("ivpm installs itself from the site's arguments unless disabled, empty, or declared", () => {
  assert.deepEqual(selfInstallArgs(undefined, [], undefined), []);
  assert.deepEqual(
    selfInstallArgs({ cacheDir: "", installArgs: ["ivpm @ file:///w"], gitAuthOrder: [] }, [], undefined),
    ["ivpm @ file:///w"],
  );
  assert.deepEqual(selfInstallArgs({ cacheDir: "", installArgs: [], gitAuthOrder: [] }, [], undefined), []);
  assert.deepEqual(selfInstallArgs(undefined, ["IVPM"], undefined), []);
  assert.deepEqual(selfInstallArgs(undefined, [], "1"), []);
});

Deno.test("PEP 503 names and PEP 508 requirement names", () => {
  assert.equal(normalizeName("Foo.Bar__baz-QUX"), "foo-bar-baz-qux");
  assert.equal(requirementName("  zope.interface[x] >= 5 ; os_name=='nt'"), "zope.interface");
  assert.equal(requirementName("requests@ https://x/r.whl"), "requests");
  assert.equal(requirementName(">=1"), undefined);
});

Deno.test("the failing package is the one the installer mentioned last", () => {
  const set = [
    { name: "alpha", marker: "/p/packages/alpha" },
    { name: "Beta_Pkg", marker: "Beta_Pkg" },
  ];
  assert.equal(
    failingPackage("Obtaining file:///p/packages/alpha\nCollecting beta-pkg<2\nERROR: no match\n", set),
    "Beta_Pkg",
  );
  assert.equal(
    failingPackage("Collecting beta-pkg<2\nObtaining file:///p/packages/alpha\nerror: boom\n", set),
    "alpha",
  );
  assert.equal(failingPackage("Collecting beta-pkgextra\n", set), undefined);
  assert.equal(failingPackage("whatever", [set[0]]), "alpha");
});

Deno.test("classification: pypi, pyproject, declared and detected sources; raw and other types opt out", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [name, file] of [["a", "setup.py"], ["b", "setup.cfg"], ["c", "pyproject.toml"], ["d", "README"]]
    ) {
      await Deno.mkdir(`${dir}/${name}`);
      await Deno.writeTextFile(`${dir}/${name}/${file}`, "");
    }
    const at = (name: string, over: Partial<PackageView> = {}) =>
      view(name, { path: `${dir}/${name}`, ...over });
    assert.equal(await classifyPackage(pypi("x")), "pypi");
    assert.equal(await classifyPackage(view("p", { srcType: "pyproject.toml", virtual: true })), "pyproject");
    assert.equal(await classifyPackage(view("n", { srcType: "npm", virtual: true })), undefined);
    assert.equal(await classifyPackage(at("a")), "source");
    assert.equal(await classifyPackage(at("b")), "source");
    assert.equal(await classifyPackage(at("c")), "source");
    assert.equal(await classifyPackage(at("d")), undefined);
    assert.equal(await classifyPackage(at("d", { typeData: [{ name: "python", options: {} }] })), "source");
    assert.equal(await classifyPackage(at("d", { pkgType: "python" })), "source");
    assert.equal(await classifyPackage(at("a", { typeData: [{ name: "raw", options: {} }] })), undefined);
    assert.equal(await classifyPackage(at("a", { pkgType: "node" })), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
