/**
 * The python handler for real: a venv made with `python3 -m venv`, pip
 * installing wheels and an sdist from a PEP 503 index on 127.0.0.1, local
 * source packages (setup.py, editable; pyproject.toml with an in-tree backend,
 * not editable) in dependency order, pyproject.toml harvesting, skills from
 * entry points, idempotence, skip flags, a failing install and destroy. One
 * project (one venv) goes through every step, because making a venv takes
 * seconds.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { PackageHandler, type RootInfo } from "../../../core/plugin_api/mod.ts";
import { runDestroy } from "../../../core/update/destroy.ts";
import { runUpdate } from "../../../core/update/update.ts";
import type { HandlerEvent } from "../../../core/plugin_api/events.ts";
import { toFileUrl } from "../../_helpers/file_url.ts";
import { buildDists, buildToolWheels, pipEnv, startSimpleIndex } from "../../_helpers/python_index.ts";
import { envWith } from "../../_helpers/env.ts";
import {
  type DepEntry,
  depSets,
  exists,
  listDir,
  readLockJson,
  tempRoot,
  writeIvpmYaml,
} from "../../_helpers/update_project.ts";
import { backdate } from "../../_helpers/temp.ts";
import { PythonHandler } from "../../../plugins/python/mod.ts";

const MOD_URL = new URL("../../../plugins/python/mod.ts", import.meta.url).href;

/** Writes what the python handler published for the agents handler, so the test can see it. */
class ExchangeSpy extends PackageHandler {
  static override name = "exchange-spy";
  static override runAfter = ["python"];
  static seen: unknown[] = [];
  override onRootPostLoad(info: RootInfo): void {
    ExchangeSpy.seen.push(info.exchange.pythonSkillDirs);
  }
}

function registry(): HandlerRegistry {
  const r = new HandlerRegistry();
  // Root side in-process and leaf side in the trusted worker, exactly as for a built-in.
  r.register(PythonHandler, { origin: "test", moduleUrl: MOD_URL, exportName: "PythonHandler" });
  r.register(ExchangeSpy);
  return r;
}

const BACKEND = `
import base64, hashlib, os, zipfile
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME, VERSION = "srcapp", "0.1"
def _wheel(directory, editable):
    fn = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    di = "%s-%s.dist-info/" % (NAME, VERSION)
    records = []
    with zipfile.ZipFile(os.path.join(directory, fn), "w") as z:
        def add(arc, data):
            z.writestr(arc, data)
            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append("%s,sha256=%s,%d" % (arc, h, len(data)))
        if editable:
            add(NAME + ".pth", (ROOT + "\\n").encode())
        else:
            for base, dirs, files in os.walk(os.path.join(ROOT, NAME)):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for f in sorted(files):
                    p = os.path.join(base, f)
                    add(os.path.relpath(p, ROOT).replace(os.sep, "/"), open(p, "rb").read())
        add(di + "METADATA", ("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)).encode())
        add(di + "WHEEL", b"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        add(di + "entry_points.txt", b"[agent.skills]\\nsrcapp = srcapp:skills_dir\\n")
        z.writestr(di + "RECORD", "\\n".join(records + [di + "RECORD,,"]) + "\\n")
    return fn
def get_requires_for_build_wheel(config_settings=None):
    return []
def get_requires_for_build_editable(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, False)
def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, True)
`;

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** Local source packages: srclib (setup.py, extras), srcapp (pyproject, declares srclib), badpkg. */
async function sourcePackages(src: string): Promise<void> {
  await write(
    join(src, "srclib", "setup.py"),
    `from setuptools import setup\nsetup(name="srclib", version="0.1", packages=["srclib"], ` +
      `extras_require={"cli": ["clidep"]})\n`,
  );
  await write(join(src, "srclib", "srclib", "__init__.py"), "WHO = 'srclib'\n");
  await write(
    join(src, "srcapp", "pyproject.toml"),
    `[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n\n` +
      `[project]\nname = "srcapp"\nversion = "0.1"\n`,
  );
  await write(join(src, "srcapp", "_backend", "backend.py"), BACKEND);
  await write(
    join(src, "srcapp", "srcapp", "__init__.py"),
    "import os\ndef skills_dir():\n    return os.path.join(os.path.dirname(__file__), 'skills')\n",
  );
  await write(
    join(src, "srcapp", "srcapp", "skills", "SKILL.md"),
    "---\nname: srcapp-skill\ndescription: test skill\n---\n",
  );
  await writeIvpmYaml(join(src, "srcapp"), {
    name: "srcapp",
    "dep-sets": depSets({
      default: [{
        name: "srclib",
        url: toFileUrl(join(src, "srclib")),
        type: { python: { extras: ["cli"] } },
      }],
    }),
  });
  await write(join(src, "badpkg", "setup.py"), 'raise RuntimeError("boom from badpkg")\n');
}

/** Size of pip's log (PIP_LOG): every pip run appends to it, so an unchanged size means pip did not run. */
async function pipCalls(log: string): Promise<number> {
  try {
    return (await Deno.stat(log)).size;
  } catch {
    return 0;
  }
}

async function venvRun(project: string, code: string): Promise<string> {
  const r = await new Deno.Command(join(project, "packages", "python", "bin", "python"), {
    args: ["-c", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return new TextDecoder().decode(r.stdout).trim();
}

Deno.test({
  name: "python handler with pip: installs from a loopback index and local sources, then re-runs nothing",
  ignore: Deno.build.os === "windows",
  async fn(t) {
    const root = await tempRoot("ivpm-python-");
    const files = join(root.path, "index");
    await Deno.mkdir(files);
    const tools = await buildToolWheels(files);
    if (!tools) {
      console.warn("no Python with the 'wheel' package on this machine: setup.py builds cannot run; skipped");
      await root.dispose();
      return;
    }
    const dists = await buildDists(files, [
      { name: "tinylib", version: "1.0" },
      { name: "tinylib", version: "2.0" },
      { name: "tinylib", version: "3.0rc1" },
      { name: "extrapkg", version: "1.0", extras: { fast: ["fastdep"] } },
      { name: "fastdep", version: "0.5" },
      { name: "clidep", version: "0.2" },
      { name: "harvested", version: "1.1" },
      { name: "grouped", version: "2.0" },
      { name: "linted", version: "0.9" },
      { name: "sdistpkg", version: "0.3", kind: "sdist" },
    ]);
    const index = await startSimpleIndex([...tools, ...dists]);
    const pipLog = join(root.path, "pip.log");
    const env = envWith({
      ...pipEnv(index.indexUrl),
      PIP_FIND_LINKS: undefined,
      PIP_LOG: pipLog,
      IVPM_PYTHON_NO_SELF_INSTALL: "1",
      IVPM_PYTHON: undefined,
    });
    const src = join(root.path, "src");
    const project = join(root.path, "proj");
    const deps = join(project, "packages");
    await sourcePackages(src);
    await write(
      join(project, "pyproject.toml"),
      `[project]\nname = "proj"\nversion = "1"\ndependencies = ["harvested>=1", "TinyLib>=99"]\n\n` +
        `[dependency-groups]\ndev = ["grouped", {include-group = "lint"}]\n` +
        `lint = ["linted", {include-group = "dev"}]\n`,
    );
    const body = (
      tinylib: string,
      extra: DepEntry[] = [],
      python: Record<string, unknown> = {},
    ) => ({
      name: "proj",
      with: { python },
      "dep-sets": depSets({
        default: [
          { name: "tinylib", src: "pypi", version: tinylib },
          { name: "extrapkg", src: "pypi", version: "1.0", extras: ["fast"] },
          { name: "sdistpkg", src: "pypi" },
          { name: "pyproj", src: "pyproject.toml", include: ["dependencies", "dependency-groups.dev"] },
          { name: "srcapp", url: toFileUrl(join(src, "srcapp")), type: { python: { editable: false } } },
          ...extra,
        ],
      }),
    });
    const update = async (args: Record<string, unknown> = {}, updateEnv: Record<string, string> = env) => {
      const events: HandlerEvent[] = [];
      await runUpdate({
        projectDir: project,
        cacheDir: null,
        handlers: registry(),
        handlerArgs: { python: args },
        reporter: { handlerEvent: (e) => events.push(e) },
        env: updateEnv,
      });
      return events.filter((e) => e.type === "task-progress").map((e) => e.message ?? "");
    };
    try {
      await t.step("first update: venv, requirement files, installs, envrc, lock", async () => {
        await writeIvpmYaml(project, body("<2"));
        await update();
        assert.equal(
          await Deno.readTextFile(join(deps, "python_pkgs_1.txt")),
          "tinylib<2\nextrapkg[fast]==1.0\nsdistpkg\nharvested>=1\ngrouped\nlinted\n",
        );
        assert.equal(await Deno.readTextFile(join(deps, "python_pkgs_2.txt")), `-e ${deps}/srclib[cli]\n`);
        assert.equal(await Deno.readTextFile(join(deps, "python_pkgs_3.txt")), `${deps}/srcapp\n`);
        assert.equal(
          await Deno.readTextFile(join(deps, "python", "export.envrc")),
          "# Generated by IVPM python handler -- do not edit manually\nPATH_add bin\n",
        );
        assert.equal(
          await Deno.readTextFile(join(deps, "packages.envrc")),
          "# Generated by IVPM -- do not edit manually\n# --- ivpm:python begin ---\n" +
            "source_env ./python/export.envrc\n# --- ivpm:python end ---\n",
        );
        const lock = await readLockJson(project) as unknown as { python_packages: Record<string, string> };
        const pkgs = lock.python_packages;
        assert.deepEqual(
          [
            pkgs.tinylib,
            pkgs.extrapkg,
            pkgs.fastdep,
            pkgs.sdistpkg,
            pkgs.srclib,
            pkgs.clidep,
            pkgs.srcapp,
            pkgs.harvested,
            pkgs.grouped,
            pkgs.linted,
          ],
          ["1.0", "1.0", "0.5", "0.3", "0.1", "0.2", "0.1", "1.1", "2.0", "0.9"],
        );
        // srclib is editable (imported from its source tree), srcapp is not (copied into the venv).
        const where = await venvRun(
          project,
          "import srclib, srcapp; print(srclib.__file__); print(srcapp.__file__)",
        );
        const [libFile, appFile] = where.split("\n");
        assert.ok(
          libFile.startsWith(join(src, "srclib")) || libFile.startsWith(join(deps, "srclib")),
          libFile,
        );
        assert.ok(appFile.startsWith(join(deps, "python")), appFile);
        assert.deepEqual(ExchangeSpy.seen.at(-1), [
          join(appFile, "..", "skills"),
        ]);
      });

      await t.step("second update changes nothing and runs no pip", async () => {
        const before = await pipCalls(pipLog);
        const generated = ["python_pkgs_1.txt", "python_pkgs_3.txt", "packages.envrc", "python/export.envrc"]
          .map((f) => join(deps, f));
        await backdate(...generated); // a rewrite shows as a new mtime
        const stamps = async () =>
          await Promise.all(generated.map(async (f) => (await Deno.stat(f)).mtime?.getTime()));
        const mtimes = await stamps();
        const lockBefore =
          (await readLockJson(project) as unknown as { python_packages: unknown }).python_packages;
        const progress = await update();
        assert.ok(progress.some((m) => /already installed/.test(m)), progress.join("\n"));
        assert.equal(await pipCalls(pipLog), before);
        assert.deepEqual(await stamps(), mtimes);
        assert.deepEqual(
          (await readLockJson(project) as unknown as { python_packages: unknown }).python_packages,
          lockBefore,
        );
        assert.equal((ExchangeSpy.seen.at(-1) as string[]).length, 1); // skills still published
      });

      await t.step("--skip-py-install and --py-skip-install really skip", async () => {
        await writeIvpmYaml(project, body(">=2", [], { "pre-release": true }));
        const before = await pipCalls(pipLog);
        for (const flag of ["skipPyInstall", "pySkipInstall"]) {
          const progress = await update({ [flag]: true });
          assert.ok(
            progress.some((m) => /Skipping Python package installation/.test(m)),
            progress.join("\n"),
          );
        }
        assert.equal(await pipCalls(pipLog), before);
        assert.equal(
          (await Deno.readTextFile(join(deps, "python_pkgs_1.txt"))).split("\n")[0],
          "tinylib<2",
        );
      });

      await t.step("a changed spec reinstalls; pre-release: true passes --pre", async () => {
        const before = await pipCalls(pipLog);
        await update();
        assert.ok((await pipCalls(pipLog)) > before);
        assert.equal((await Deno.readTextFile(join(deps, "python_pkgs_1.txt"))).split("\n")[0], "tinylib>=2");
        const lock = await readLockJson(project) as unknown as { python_packages: Record<string, string> };
        assert.equal(lock.python_packages.tinylib, "3.0rc1");
      });

      await t.step("a failing install fails the update with the package and pip's last lines", async () => {
        await writeIvpmYaml(
          project,
          body(">=2", [{ name: "badpkg", url: toFileUrl(join(src, "badpkg")) }], {
            "pre-release": true,
          }),
        );
        // With PIP_LOG set pip sends a failed build's output only to its log: unset it for this step.
        const noLog: Record<string, string> = { ...env };
        delete noLog.PIP_LOG;
        const err = await update({}, noLog).then(() => undefined, (e) => e as Error);
        assert.ok(err, "the update should have failed");
        assert.match(err.message, /handler 'python' failed: pip could not install python_pkgs_2\.txt/);
        assert.match(err.message, /package 'badpkg'/);
        assert.match(err.message, /RuntimeError: boom from badpkg/);
        assert.equal(
          await Deno.readTextFile(join(deps, "python_pkgs_2.txt")),
          `-e ${deps}/badpkg\n-e ${deps}/srclib[cli]\n`,
        );
      });

      await t.step("destroy removes what the handler made and nothing else", async () => {
        await writeIvpmYaml(project, body(">=2", [], { "pre-release": true }));
        await update();
        // badpkg landed in the failed update, whose lock was never written: nothing records it.
        await Deno.remove(join(deps, "badpkg"));
        await Deno.writeTextFile(join(deps, "notes.txt"), "mine\n");
        const dry = await runDestroy({ projectDir: project, dryRun: true, handlers: registry() });
        assert.deepEqual(dry.handlers.find((h) => h.handler === "python")!.paths.sort(), [
          join(deps, "packages.envrc"),
          join(deps, "python"),
          join(deps, "python_pkgs_1.txt"),
          join(deps, "python_pkgs_2.txt"),
          join(deps, "python_pkgs_3.txt"),
        ]);
        assert.ok(await exists(join(deps, "python", "pyvenv.cfg")));
        await runDestroy({ projectDir: project, handlers: registry() });
        assert.deepEqual(await listDir(deps), ["notes.txt"]);
        assert.ok(await exists(join(src, "srclib", "setup.py"))); // linked sources are untouched
      });
    } finally {
      await index.close();
      await root.dispose();
    }
  },
});
