import assert from "node:assert/strict";
import { join } from "node:path";
import { runIvpm } from "../../_helpers/cli.ts";

Deno.test("show deps --tree --json keeps the original's keys: name, src, specifier, and shadowed: true", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-shadow-" }));
  try {
    const dep = (name: string, path: string) =>
      `        - name: ${name}\n          src: dir\n          url: ${path}\n`;
    const yaml = (name: string, deps: string) =>
      `package:\n  name: ${name}\n  dep-sets:\n    - name: default\n      deps:\n${deps}`;
    for (const d of ["a", "b"]) await Deno.mkdir(join(root, d));
    await Deno.writeTextFile(join(root, "a", "ivpm.yaml"), yaml("a", dep("b", join(root, "b"))));
    await Deno.mkdir(join(root, "proj"));
    await Deno.writeTextFile(
      join(root, "proj", "ivpm.yaml"),
      yaml("proj", dep("b", join(root, "b")) + dep("a", join(root, "a"))),
    );
    assert.equal((await runIvpm(["update"], { cwd: join(root, "proj"), env: { IVPM_CACHE: "" } })).code, 0);
    const r = await runIvpm(["show", "deps", "--tree", "--json"], { cwd: join(root, "proj") });
    assert.equal(r.code, 0, r.stderr);
    const tree = JSON.parse(r.stdout);
    const a = tree.deps.find((n: { name: string }) => n.name === "a");
    assert.equal(a.src, "dir");
    assert.equal(a.specifier, "root");
    assert.deepEqual(a.deps, [{
      name: "b",
      src: "dir",
      specifier: "root",
      shadowed: true,
      providedBy: "root",
    }]);
    const flat = JSON.parse((await runIvpm(["show", "deps", "--json"], { cwd: join(root, "proj") })).stdout);
    assert.deepEqual(flat.map((n: { name: string; specifier: string }) => [n.name, n.specifier]), [[
      "b",
      "root",
    ], [
      "a",
      "root",
    ]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
