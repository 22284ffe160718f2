import assert from "node:assert/strict";
import { ALWAYS, hasSourceType, hasType, type PackageView } from "../../core/plugin_api/mod.ts";
import { evaluateConditions } from "../../core/plugin_api/conditions.ts";
import { normalizePhase } from "../../core/plugin_api/phase.ts";
import { packageView } from "../_helpers/package_view.ts";

/** A package of this source type, overridden by `extra`. */
const pkg = (name: string, srcType: string, extra: Partial<PackageView> = {}) =>
  packageView({ name, path: `/p/${name}`, srcType, ...extra });

const git = pkg("g", "git");
const py = pkg("p", "pypi", { typeData: [{ name: "python", options: {} }] });
const detected = pkg("d", "dir", { pkgType: "fusesoc" });

Deno.test("null means always, an empty list means never, lists are AND-ed", async () => {
  assert.equal(await evaluateConditions(null, git), true);
  assert.equal(await evaluateConditions(undefined, git), true);
  assert.equal(await evaluateConditions([], git), false);
  assert.equal(await evaluateConditions([ALWAYS, hasSourceType("git")], git), true);
  assert.equal(await evaluateConditions([ALWAYS, hasSourceType("http")], git), false);
});

Deno.test("hasSourceType works on one package (leaf) and on all packages (root)", async () => {
  assert.equal(await evaluateConditions([hasSourceType("git")], git), true);
  assert.equal(await evaluateConditions([hasSourceType("git")], py), false);
  assert.equal(await evaluateConditions([hasSourceType("git")], [py, git]), true);
  assert.equal(await evaluateConditions([hasSourceType("http")], [py, git]), false);
});

Deno.test("hasType matches declared types and types detected by a leaf handler", async () => {
  assert.equal(await evaluateConditions([hasType("python")], [git, py]), true);
  assert.equal(await evaluateConditions([hasType("fusesoc")], [git, detected]), true);
  assert.equal(await evaluateConditions([hasType("node")], [git, py, detected]), false);
  assert.equal(String(hasType("python")), "hasType('python')");
});

Deno.test("plain (async) functions are conditions", async () => {
  const named = (p: PackageView | PackageView[]) => !Array.isArray(p) && p.name.startsWith("g");
  const slow = async (_: PackageView | PackageView[]) => await Promise.resolve(true);
  assert.equal(await evaluateConditions([named, slow], git), true);
  assert.equal(await evaluateConditions([named, slow], py), false);
});

Deno.test("legacy integer phases map onto named phases; unknown names are rejected", () => {
  assert.deepEqual([0, 1, 5, 6, 10].map(normalizePhase), [
    "prepare",
    "environment",
    "install",
    "integrate",
    "finalize",
  ]);
  assert.equal(normalizePhase("INSTALL"), "install");
  assert.equal(normalizePhase(undefined), "integrate");
  assert.throws(() => normalizePhase("later"), /unknown handler phase 'later'/);
});
