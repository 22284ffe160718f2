/**
 * The python handler's uv path and its decisions that need no real install:
 * uv is not installed here, so a small `uv` script on PATH records its command
 * lines (and makes a venv-shaped directory, answers `pip list`, fails on
 * request). Also: the lazy venv, the tool-selection errors, and destroy after a
 * failed first update (no state was written).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { runDestroy } from "../../../core/update/destroy.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { toFileUrl } from "../../_helpers/file_url.ts";
import { envWith, envWithPathFirst } from "../../_helpers/env.ts";
import {
  type DepEntry,
  depSets,
  exists,
  listDir,
  readLockJson,
  tempRoot,
  writeIvpmYaml,
} from "../../_helpers/update_project.ts";
import { PythonHandler } from "../../../plugins/python/mod.ts";

const MOD_URL = new URL("../../../plugins/python/mod.ts", import.meta.url).href;

function registry(): HandlerRegistry {
  const r = new HandlerRegistry();
  r.register(PythonHandler, { origin: "test", moduleUrl: MOD_URL, exportName: "PythonHandler" });
  return r;
}

/** Speaks enough of uv's command line for the handler; logs every call with its VIRTUAL_ENV. */
const FAKE_UV = `#!/bin/sh
echo "VIRTUAL_ENV=\${VIRTUAL_ENV:-} $*" >> "$UV_LOG"
if [ "$1" = venv ]; then
  shift; shift; py="$1"; shift
  [ "$1" = "--system-site-packages" ] && shift
  mkdir -p "$1/bin" && ln -s "$py" "$1/bin/python" && printf 'home = %s\\n' "$(dirname "$py")" > "$1/pyvenv.cfg"
  exit 0
fi
if [ "$1 $2" = "pip install" ]; then
  prev=""
  for a in "$@"; do
    if [ "$prev" = "-r" ] && grep -q failpkg "$a"; then
      echo "Resolved 2 packages"
      echo "error: Failed to build failpkg==1.0: boom in uv" >&2
      exit 2
    fi
    prev="$a"
  done
  exit 0
fi
if [ "$1 $2" = "pip list" ]; then
  echo '[{"name":"tinylib","version":"9.9"}]'
  exit 0
fi
exit 1
`;

async function realPython(): Promise<string> {
  const r = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
  })
    .output();
  return new TextDecoder().decode(r.stdout).trim();
}

async function fixture() {
  const root = await tempRoot("ivpm-python-uv-");
  const bin = join(root.path, "bin");
  await Deno.mkdir(bin);
  await Deno.writeTextFile(join(bin, "uv"), FAKE_UV, { mode: 0o755 });
  await Deno.chmod(join(bin, "uv"), 0o755);
  const uvLog = join(root.path, "uv.log");
  const python = await realPython();
  const env = envWithPathFirst(
    bin,
    envWith({
      UV_LOG: uvLog,
      IVPM_PYTHON: python,
      IVPM_PYTHON_NO_SELF_INSTALL: "1",
      VIRTUAL_ENV: undefined,
    }),
  );
  const project = join(root.path, "proj");
  const deps = join(project, "packages");
  const calls = async () => {
    try {
      return (await Deno.readTextFile(uvLog)).trimEnd().split("\n").map((l) =>
        l.replaceAll(deps, "<deps>").replaceAll(python, "<py>")
      );
    } catch {
      return [];
    }
  };
  const update = (args: Record<string, unknown> = {}, updateEnv: Record<string, string> = env) =>
    runUpdate({
      projectDir: project,
      cacheDir: null,
      handlers: registry(),
      handlerArgs: { python: args },
      env: updateEnv,
    });
  const yaml = (deps: DepEntry[], python?: Record<string, unknown>) =>
    writeIvpmYaml(project, {
      name: "proj",
      ...(python ? { with: { python } } : {}),
      "dep-sets": depSets({ default: deps }),
    });
  return {
    root,
    env,
    project,
    deps,
    calls,
    update,
    yaml,
    async dispose() {
      await root.dispose();
    },
  };
}

Deno.test("python handler with uv: command lines, no-op re-run, force, --pre, failure, destroy keeps user envrc lines", async (t) => {
  const f = await fixture();
  try {
    await Deno.mkdir(f.deps, { recursive: true });
    await Deno.writeTextFile(join(f.deps, "packages.envrc"), "export FOO=1\n");
    await f.yaml([{ name: "tinylib", src: "pypi", version: "1.0" }], { "system-site-packages": true });

    await t.step("first update goes through uv", async () => {
      await f.update();
      assert.deepEqual(await f.calls(), [
        "VIRTUAL_ENV= venv --python <py> --system-site-packages <deps>/python",
        "VIRTUAL_ENV=<deps>/python pip install setuptools wheel",
        "VIRTUAL_ENV=<deps>/python pip install --verbose --no-build-isolation -r <deps>/python_pkgs_1.txt",
        "VIRTUAL_ENV=<deps>/python pip list --format json",
      ]);
      assert.equal(await Deno.readTextFile(join(f.deps, "python_pkgs_1.txt")), "tinylib==1.0\n");
      assert.equal(
        await Deno.readTextFile(join(f.deps, "packages.envrc")),
        "export FOO=1\n# --- ivpm:python begin ---\nsource_env ./python/export.envrc\n# --- ivpm:python end ---\n",
      );
      const lock = await readLockJson(f.project) as unknown as Record<string, unknown>;
      assert.deepEqual(lock.python_packages, { tinylib: "9.9" });
    });

    await t.step("an unchanged project calls uv not at all", async () => {
      const n = (await f.calls()).length;
      await f.update();
      assert.equal((await f.calls()).length, n);
    });

    await t.step("--force-py-install and --py-force-install re-install", async () => {
      for (const flag of ["forcePyInstall", "pyForceInstall"]) {
        const n = (await f.calls()).length;
        await f.update({ [flag]: true });
        assert.deepEqual((await f.calls()).slice(n), [
          "VIRTUAL_ENV=<deps>/python pip install --verbose --no-build-isolation -r <deps>/python_pkgs_1.txt",
          "VIRTUAL_ENV=<deps>/python pip list --format json",
        ]);
      }
    });

    await t.step("--py-prerls-packages adds --pre (and counts as a change)", async () => {
      const n = (await f.calls()).length;
      await f.update({ pyPrerlsPackages: true });
      assert.deepEqual((await f.calls()).slice(n), [
        "VIRTUAL_ENV=<deps>/python pip install --verbose --no-build-isolation -r <deps>/python_pkgs_1.txt --pre",
        "VIRTUAL_ENV=<deps>/python pip list --format json",
      ]);
    });

    await t.step("a failing uv install fails the update, naming the package and quoting uv", async () => {
      await f.yaml([
        { name: "tinylib", src: "pypi", version: "1.0" },
        { name: "failpkg", src: "pypi", version: ">=1" },
      ], { "system-site-packages": true });
      await assert.rejects(
        () => f.update(),
        (e: Error) => {
          assert.match(
            e.message,
            /uv could not install python_pkgs_1\.txt \(package 'failpkg'\) \(exit code 2\)/,
          );
          assert.match(e.message, /\n {4}error: Failed to build failpkg==1\.0: boom in uv/);
          return true;
        },
      );
      assert.equal(await Deno.readTextFile(join(f.deps, "python_pkgs_1.txt")), "tinylib==1.0\nfailpkg>=1\n");
    });

    await t.step("destroy removes the venv, the requirement files and its section only", async () => {
      await Deno.writeTextFile(join(f.deps, "python_pkgs_1.txt"), "tinylib==1.0\n");
      await runDestroy({ projectDir: f.project, handlers: registry() });
      assert.deepEqual(await listDir(f.deps), ["packages.envrc"]);
      assert.equal(await Deno.readTextFile(join(f.deps, "packages.envrc")), "export FOO=1\n");
    });
  } finally {
    await f.dispose();
  }
});

Deno.test("lazy venv: no Python packages and no venv request → nothing is created and uv is never called", async () => {
  const f = await fixture();
  try {
    const plain = join(f.root.path, "plain");
    await Deno.mkdir(plain);
    await Deno.writeTextFile(join(plain, "README"), "not python\n");
    await f.yaml([{ name: "plain", url: toFileUrl(plain) }]);
    await f.update();
    assert.deepEqual(await listDir(f.deps), [".ivpm.lock", "ivpm.json", "package-lock.json", "plain"]);
    assert.deepEqual(await f.calls(), []);
    const lock = await readLockJson(f.project) as unknown as Record<string, unknown>;
    assert.equal(lock.python_packages, undefined);

    // venv: false wins over Python packages.
    await f.yaml([{ name: "plain", url: toFileUrl(plain) }, { name: "tinylib", src: "pypi" }], {
      venv: false,
    });
    await f.update();
    assert.equal(await exists(join(f.deps, "python")), false);
    assert.deepEqual(await f.calls(), []);

    // venv: true makes one without any Python package (no requirement file).
    await f.yaml([{ name: "plain", url: toFileUrl(plain) }], { venv: true });
    await f.update();
    assert.ok(await exists(join(f.deps, "python", "pyvenv.cfg")));
    assert.deepEqual((await listDir(f.deps)).filter((n) => n.startsWith("python_pkgs")), []);
    assert.deepEqual((await f.calls()).map((c) => c.split(" ").slice(1, 3).join(" ")), [
      "venv --python",
      "pip install",
      "pip list",
    ]);
  } finally {
    await f.dispose();
  }
});

Deno.test("--py-uv and venv: uv need uv on PATH; a non-venv packages/python is refused", async () => {
  const f = await fixture();
  const empty = join(f.root.path, "empty-bin");
  await Deno.mkdir(empty);
  try {
    await f.yaml([{ name: "tinylib", src: "pypi" }]);
    const noUv = { ...f.env, PATH: empty };
    await assert.rejects(() => f.update({ pyUv: true }, noUv), /handler 'python' failed: uv was asked for/);
    await f.yaml([{ name: "tinylib", src: "pypi" }], { venv: "uv" });
    await assert.rejects(() => f.update({}, noUv), /'uv' is not on PATH/);
    await f.yaml([{ name: "tinylib", src: "pypi" }]);
    await Deno.mkdir(join(f.deps, "python"), { recursive: true });
    await Deno.writeTextFile(join(f.deps, "python", "keep.txt"), "user data\n");
    await assert.rejects(() => f.update(), /packages\/python exists but is not a Python virtual environment/);
    assert.ok(await exists(join(f.deps, "python", "keep.txt")));
    assert.deepEqual(await f.calls(), []);
  } finally {
    await f.dispose();
  }
});

Deno.test("destroy after a failed first update (no state written) still removes exactly the handler's files", async () => {
  const f = await fixture();
  try {
    await f.yaml([{ name: "failpkg", src: "pypi" }]);
    await assert.rejects(() => f.update(), /package 'failpkg'/);
    assert.equal(await exists(join(f.deps, "ivpm.json")), false);
    await Deno.writeTextFile(join(f.deps, "notes.txt"), "mine\n");
    const r = await runDestroy({ projectDir: f.project, handlers: registry() });
    assert.deepEqual(r.handlers.find((h) => h.handler === "python")!.paths.sort(), [
      join(f.deps, "packages.envrc"),
      join(f.deps, "python"),
      join(f.deps, "python_pkgs_1.txt"),
    ]);
    assert.deepEqual(await listDir(f.deps), ["notes.txt"]);
  } finally {
    await f.dispose();
  }
});
