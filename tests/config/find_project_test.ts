import assert from "node:assert/strict";
import { join } from "node:path";
import { findProjectDir, projectDirOption } from "../../core/config/find_project.ts";
import { runIvpm } from "../_helpers/cli.ts";
import { exists, tempTree } from "../_helpers/temp.ts";

Deno.test("commands find the project upward from a subdirectory, as git does", async () => {
  const { path: root, dispose } = await tempTree("ivpm-find-", {
    "soc/ivpm.yaml": "package:\n  name: soc\n",
    "soc/rtl/core/x.sv": "",
  });
  try {
    assert.equal(findProjectDir(join(root, "soc/rtl/core")), join(root, "soc"));
    assert.equal(findProjectDir(join(root, "soc")), join(root, "soc"));
    assert.equal(findProjectDir(root), root, "no ivpm.yaml upward: the start directory");
    assert.equal(
      projectDirOption("other", join(root, "soc/rtl")),
      join(root, "soc/rtl/other"),
      "-p as given",
    );
  } finally {
    await dispose();
  }
});

Deno.test("inside a package of an enclosing project, the enclosing project is meant (also with deps-dir:)", async () => {
  const { path: root, dispose } = await tempTree("ivpm-find-", {
    "soc/ivpm.yaml": "package:\n  name: soc\n",
    "soc/packages/libD/ivpm.yaml": "package:\n  name: libD\n",
    "soc/packages/libD/src/a.c": "",
    "alt/ivpm.yaml": "package:\n  name: alt\n  deps-dir: deps\n",
    "alt/deps/libE/ivpm.yaml": "package:\n  name: libE\n",
    "standalone/ivpm.yaml": "package:\n  name: standalone\n",
  });
  try {
    assert.equal(findProjectDir(join(root, "soc/packages/libD/src")), join(root, "soc"));
    assert.equal(findProjectDir(join(root, "soc/packages/libD")), join(root, "soc"));
    assert.equal(findProjectDir(join(root, "alt/deps/libE")), join(root, "alt"));
    assert.equal(findProjectDir(join(root, "standalone")), join(root, "standalone"));
  } finally {
    await dispose();
  }
});

Deno.test("ivpm update run inside packages/libD updates the enclosing project (no nested packages/)", async () => {
  const { path: root, dispose } = await tempTree("ivpm-find-", {
    "soc/ivpm.yaml": "package:\n  name: soc\n",
    "soc/packages/libD/ivpm.yaml": "package:\n  name: libD\n",
  });
  try {
    const r = await runIvpm(["update"], { cwd: join(root, "soc/packages/libD") });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists(join(root, "soc/packages/libD/packages")), false);
    assert.ok(await exists(join(root, "soc/packages/package-lock.json")));
  } finally {
    await dispose();
  }
});
