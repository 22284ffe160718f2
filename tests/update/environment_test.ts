import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { envWith } from "../_helpers/env.ts";
import { withTempDir } from "../_helpers/temp.ts";
import { writeProjectDeps } from "../_helpers/update_project.ts";
import { runUpdate } from "../../core/update/update.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";

// Nothing here is in the process environment: only the update's own `env` can make these updates work.

/** An update of `project` without handlers, in the process environment plus `vars`. */
function updateWith(project: string, vars: Record<string, string>, anonymousGit = false) {
  return runUpdate({
    projectDir: project,
    cacheDir: null,
    anonymousGit,
    handlers: new HandlerRegistry(),
    env: envWith(vars),
  });
}

/** `root/src/tool/x.txt`, a local package. */
async function localTool(root: string): Promise<string> {
  await Deno.mkdir(join(root, "src", "tool"), { recursive: true });
  await Deno.writeTextFile(join(root, "src", "tool", "x.txt"), "x\n");
  return join(root, "src");
}

Deno.test("git runs in the update's environment: its global config (a url rewrite) reaches the clone", async () => {
  await withTempDir("ivpm-env-git-", async (root) => {
    const repo = await makeRepo(root, "lib", { files: { "README.md": "lib\n" } });
    const gitConfig = join(root, "gitconfig");
    await Deno.writeTextFile(
      gitConfig,
      `[url "${repo.url}"]\n\tinsteadOf = https://git.example.invalid/lib.git\n`,
    );
    const project = join(root, "proj");
    await writeProjectDeps(project, [{ name: "lib", url: "https://git.example.invalid/lib.git" }]);
    await assert.rejects(
      () => updateWith(project, { GIT_CONFIG_GLOBAL: "/dev/null" }, true),
      /git\.example\.invalid/,
    );
    await updateWith(project, { GIT_CONFIG_GLOBAL: gitConfig, GIT_CONFIG_NOSYSTEM: "1" }, true);
    assert.equal(await Deno.readTextFile(join(project, "packages", "lib", "README.md")), "lib\n");
  });
});

Deno.test("$VARs in a local dependency's URL come from the update's environment", async () => {
  await withTempDir("ivpm-env-dir-", async (root) => {
    const src = await localTool(root);
    const project = join(root, "proj");
    await writeProjectDeps(project, [{ name: "tool", url: "file://${IVPM_TEST_SRC_DIR}/tool", src: "dir" }]);
    await updateWith(project, { IVPM_TEST_SRC_DIR: src });
    assert.equal(await Deno.readTextFile(join(project, "packages", "tool", "x.txt")), "x\n");
  });
});

Deno.test("$VARs in an ivpm.yaml factory's URL come from the update's environment", async () => {
  await withTempDir("ivpm-env-factory-", async (root) => {
    const src = await localTool(root);
    await Deno.writeTextFile(
      join(src, "deps.yaml"),
      `package:\n  name: f\n  dep-sets:\n    - name: default\n      deps:\n` +
        `        - name: tool\n          src: dir\n          url: file://${join(src, "tool")}\n`,
    );
    const project = join(root, "proj");
    await writeProjectDeps(project, [{
      name: "set",
      src: "ivpm.yaml",
      url: "${IVPM_TEST_FACTORY_DIR}/deps.yaml",
    }]);
    await updateWith(project, { IVPM_TEST_FACTORY_DIR: src });
    assert.equal(await Deno.readTextFile(join(project, "packages", "tool", "x.txt")), "x\n");
  });
});
