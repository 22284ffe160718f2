import assert from "node:assert/strict";
import { join } from "node:path";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { resolveSettings } from "../../../plugins/python/options.ts";
import { PythonHandler } from "../../../plugins/python/mod.ts";
import { tempRoot, writeIvpmYaml } from "../../_helpers/update_project.ts";

Deno.test("settings: skip flags first, then venv: false, then --py-uv/--py-pip, then venv: uv|pip, else auto", () => {
  assert.equal(resolveSettings({}, {}).mode, "auto");
  assert.equal(resolveSettings({}, {}).skip, undefined);
  assert.match(resolveSettings({}, { skipPyInstall: true }).skip!, /--skip-py-install/);
  assert.match(resolveSettings({}, { pySkipInstall: true }).skip!, /--skip-py-install/);
  assert.match(resolveSettings({ venv: false }, { pyUv: true }).skip!, /venv is false/);
  assert.equal(resolveSettings({ venv: "pip" }, { pyUv: true }).mode, "uv");
  assert.equal(resolveSettings({ venv: "uv" }, { pyPip: true }).mode, "pip");
  assert.equal(resolveSettings({ venv: "uv" }, {}).mode, "uv");
  assert.equal(resolveSettings({ venv: true }, {}).mode, "auto");
  assert.equal(resolveSettings({ venv: true }, {}).venvRequested, true);
  assert.equal(resolveSettings({ "pre-release": true }, {}).pre, true);
  assert.equal(resolveSettings({}, { pyPrerlsPackages: true }).pre, true);
  assert.equal(resolveSettings({ "system-site-packages": true }, {}).systemSitePackages, true);
  assert.equal(resolveSettings({}, { pySystemSitePackages: true }).systemSitePackages, true);
  assert.equal(resolveSettings({}, { pyForceInstall: true }).force, true);
  assert.equal(resolveSettings({}, { forcePyInstall: true }).force, true);
});

Deno.test("cliOptions: every --py flag on update and on clone", () => {
  const flags = (cmd: string) =>
    PythonHandler.cliOptions.filter((o) => o.command === cmd).map((o) => o.flags);
  const want = [
    "--py-uv",
    "--py-pip",
    "--py-system-site-packages",
    "--py-prerls-packages",
    "--skip-py-install",
    "--py-skip-install",
    "--force-py-install",
    "--py-force-install",
  ];
  assert.deepEqual(flags("update"), want);
  assert.deepEqual(flags("clone"), want);
});

Deno.test("package.with.python: unknown keys and bad venv values are configuration errors", async () => {
  const root = await tempRoot("ivpm-python-opts-");
  try {
    const registry = new HandlerRegistry();
    registry.register(PythonHandler);
    const project = join(root.path, "p");
    await writeIvpmYaml(project, { name: "p", with: { python: { venvv: true } } });
    await assert.rejects(
      () => runUpdate({ projectDir: project, cacheDir: null, handlers: registry }),
      /Unknown key 'venvv' in package\.with\.python; did you mean 'venv'\?/,
    );
    await writeIvpmYaml(project, { name: "p", with: { python: { venv: "conda" } } });
    await assert.rejects(
      () => runUpdate({ projectDir: project, cacheDir: null, handlers: registry }),
      /venv/,
    );
  } finally {
    await root.dispose();
  }
});
