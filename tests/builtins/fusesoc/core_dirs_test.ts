import assert from "node:assert/strict";
import { join } from "node:path";
import { findCoreDirs, hasCapi2Core, isCapi2Core } from "../../../plugins/fusesoc/core_dirs.ts";
import { expandGlob } from "../../../plugins/fusesoc/glob.ts";
import { capi2Core } from "../../_helpers/fusesoc_fixtures.ts";
import { tempTree } from "../../_helpers/temp.ts";

Deno.test("a core counts only with CAPI=2 in its first 4096 bytes and a .core name", async () => {
  const t = await tempTree("ivpm-fusesoc-dirs-", {
    "ok.core": capi2Core("::ok:1"),
    "late.core": `${"#".repeat(4096)}\nCAPI=2:\nname: ::late:1\n`,
    "capi1.core": "CAPI=1\n[main]\n",
    "ok.txt": capi2Core("::txt:1"),
  });
  try {
    assert.equal(await isCapi2Core(join(t.path, "ok.core")), true);
    assert.equal(await isCapi2Core(join(t.path, "late.core")), false);
    assert.equal(await isCapi2Core(join(t.path, "capi1.core")), false);
    assert.equal(await isCapi2Core(join(t.path, "ok.txt")), false);
    assert.equal(await isCapi2Core(join(t.path, "missing.core")), false);
  } finally {
    await t.dispose();
  }
});

Deno.test("auto-detection is non-recursive; '**/*.core' asks for a recursive search that skips .git and excluded dirs", async () => {
  const t = await tempTree("ivpm-fusesoc-dirs-", {
    "sub/a.core": capi2Core("::a:1"),
    "sub/deeper/b.core": capi2Core("::b:1"),
    ".git/c.core": capi2Core("::c:1"),
    "packages/x/d.core": capi2Core("::d:1"),
  });
  try {
    assert.deepEqual(await findCoreDirs(t.path, undefined, "p"), { dirs: [], warnings: [] });
    assert.equal(await hasCapi2Core(join(t.path, "sub")), true);
    const found = await findCoreDirs(t.path, ["**/*.core"], "p", [join(t.path, "packages")]);
    assert.deepEqual(found.dirs, [join(t.path, "sub"), join(t.path, "sub", "deeper")]);
    // A directory pattern keeps only directories that directly hold a core.
    assert.deepEqual((await findCoreDirs(t.path, ["*"], "p", [join(t.path, "packages")])).dirs, [
      join(t.path, "sub"),
    ]);
  } finally {
    await t.dispose();
  }
});

Deno.test("globs: wildcards stay in one segment, hidden names need a dot pattern, unsafe patterns warn", async () => {
  const t = await tempTree("ivpm-fusesoc-dirs-", {
    "a/x.core": "",
    "a/b/y.core": "",
    ".h/z.core": "",
    "a[1]/q.core": "",
  });
  try {
    assert.deepEqual(await expandGlob(t.path, "*/*.core"), [
      join(t.path, "a", "x.core"),
      join(t.path, "a[1]", "q.core"),
    ]);
    assert.deepEqual(await expandGlob(t.path, "a/**/*.core"), [
      join(t.path, "a", "b", "y.core"),
      join(t.path, "a", "x.core"),
    ]);
    assert.deepEqual(await expandGlob(t.path, ".h/*.core"), [join(t.path, ".h", "z.core")]);
    assert.deepEqual(await expandGlob(t.path, "a/?.core"), [join(t.path, "a", "x.core")]);
    assert.deepEqual(await expandGlob(t.path, "../*"), []);
    const r = await findCoreDirs(t.path, ["/etc/*.core", "none/*.core"], "package 'p'");
    assert.deepEqual(r.dirs, []);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0], /'\/etc\/\*\.core' is ignored \(it must be relative/);
    assert.match(r.warnings[1], /matched no CAPI=2 \.core file in /);
  } finally {
    await t.dispose();
  }
});
