import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { runIvpm } from "../_helpers/cli.ts";

Deno.test("cache: true packages with no cache configured get one summary warning naming them", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "ivpm-nocache-" }));
  try {
    const a = await makeRepo(root, "a", { files: { "f.txt": "a\n" } });
    const b = await makeRepo(root, "b", { files: { "f.txt": "b\n" } });
    const proj = join(root, "proj");
    await Deno.mkdir(proj);
    const dep = (n: string, url: string, cache: boolean) =>
      `        - name: ${n}\n          url: ${url}\n          cache: ${cache}\n`;
    await Deno.writeTextFile(
      join(proj, "ivpm.yaml"),
      `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n` + dep("a", a.url, true) +
        dep("b", b.url, true) + dep("c", a.url, false),
    );
    const r = await runIvpm(["update"], {
      cwd: proj,
      env: { IVPM_CACHE: "", XDG_CACHE_HOME: "", HOME: root },
    });
    assert.equal(r.code, 0, r.stderr);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("no package cache is configured"));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(
      warnings[0],
      /^warning: cache: true is set for a, b, but no package cache is configured; .*ivpm cache init DIR/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
