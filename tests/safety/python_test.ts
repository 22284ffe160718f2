/**
 * Issue 12, items 5 and 11: the python handler. Text from a dependency's
 * ivpm.yaml, a lock file or a pyproject.toml never becomes a pip option in a
 * requirements file (item 5), and a venv cut short by a kill is rebuilt
 * instead of failing every later run with "No module named pip" (item 11).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfigFile } from "../../core/config/load.ts";
import { ConfigError } from "../../core/base/errors.ts";
import type { PackageView } from "../../core/plugin_api/mod.ts";
import { requirementLineProblem, versionSpecProblem } from "../../plugins/python/pep508.ts";
import { pypiLine, sourceLine } from "../../plugins/python/requirements.ts";
import { VENV_READY_FILE } from "../../plugins/python/venv.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import { packageView } from "../_helpers/package_view.ts";
import { buildDists, pipEnv, startSimpleIndex } from "../_helpers/python_index.ts";
import {
  cliEnv,
  type DepEntry,
  depSets,
  exists,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
} from "../_helpers/update_project.ts";

/** A `package:` body with one default dep-set. */
function project(name: string, deps: DepEntry[]) {
  return { name, "dep-sets": depSets({ default: deps }) };
}

/** Every diagnostic of loading `<dir>/ivpm.yaml` as `line:col: message`, or undefined when it loads. */
function loadError(dir: string): string | undefined {
  try {
    loadConfigFile(join(dir, "ivpm.yaml"));
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col}: ${d.message}`).join("\n");
  }
}

/** No JavaScript stack frame in what the user saw. */
function assertNoTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, stderr);
  assert.doesNotMatch(stderr, /bug in ivpm|TypeError/i, stderr);
}

const pypi = (name: string, options: Record<string, unknown>, typeData: PackageView["typeData"] = []) =>
  packageView({ name, srcType: "pypi", virtual: true, options, typeData });

Deno.test("safety 5: a dependency's pypi version or extras cannot add pip options to the requirements file", async () => {
  const tmp = await tempRoot("ivpm-pyinject-");
  // The index the injected option points at, and the one pip is configured with: neither may be asked anything.
  const trap = startHttpServer({});
  const index = startHttpServer({});
  try {
    const injected = `1.0\n--index-url ${trap.url}/simple`;
    const sub = await writeIvpmYaml(
      join(tmp.path, "sub"),
      project("sub", [{ name: "tinylib", src: "pypi", version: injected }]),
    );
    const proj = await writeIvpmYaml(
      join(tmp.path, "proj"),
      project("proj", [{ name: "sub", src: "dir", url: sub }]),
    );
    const env = cliEnv({ ...pipEnv(`${index.url}/simple/`), IVPM_PYTHON_NO_SELF_INSTALL: "1" });
    const r = await runIvpm(proj, ["update"], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /sub\/ivpm\.yaml:\d+:\d+: Dependency 'tinylib': invalid version: '1\.0\\n--index-url/,
      r.stderr,
    );
    assertNoTrace(r.stderr);
    assert.deepEqual(trap.requests.map((q) => q.path), [], "pip queried the injected index");
    assert.deepEqual(index.requests.map((q) => q.path), []);
    assert.equal(await exists(join(proj, "packages", "python")), false, "no venv for a refused update");
    assert.equal(await exists(join(proj, "packages", "python_pkgs_1.txt")), false);

    // The same checks in the project's own ivpm.yaml, located at the offending value.
    const bad: [DepEntry, RegExp][] = [
      [{ name: "a", src: "pypi", version: "1.0\n--index-url http://x/" }, /invalid version/],
      [{ name: "a", src: "pypi", version: ">=1.0 --pre" }, /invalid version/],
      [{ name: "a", src: "pypi", version: "-r /etc/passwd" }, /invalid version/],
      [{ name: "a", src: "pypi", version: "1.0\u2028--pre" }, /invalid version/],
      [{ name: "a", src: "pypi", version: "${{nope}}\n--pre" }, /invalid version/],
      [{ name: "a", src: "pypi", extras: ["x]\n--index-url http://x/ #"] }, /invalid extra/],
      [{ name: "a", src: "pypi", extras: "ok, -e ." }, /invalid extra/],
      [{ name: "a+b", src: "pypi" }, /invalid PyPI package name/],
    ];
    for (const [dep, message] of bad) {
      const dir = await writeIvpmYaml(join(tmp.path, "bad"), project("bad", [dep]));
      const err = loadError(dir);
      assert.ok(err, `accepted ${JSON.stringify(dep)}`);
      assert.match(err!, /^\d+:\d+: /);
      assert.match(err!, message, err);
    }
    const good = [
      { name: "a", src: "pypi", version: "1.2.3" },
      { name: "b", src: "pypi", version: ">=1.0,<2", extras: ["socks", "security"] },
      { name: "c", src: "pypi", version: "==1.2.*", extras: "x, y_z" },
      { name: "d.e-f", src: "pypi", version: "~=1.4" },
      { name: "g", src: "pypi", version: "===x-1" },
      { name: "h", src: "pypi", version: "2.0rc1.post3.dev4+local.7" },
      { name: "i", pypi: true, version: "!= 1.5.*" },
    ];
    const dir = await writeIvpmYaml(join(tmp.path, "good"), project("good", good));
    assert.equal(loadError(dir), undefined);

    // What bypasses ivpm.yaml (a --lock-file entry, a type: python option) is checked when the lines are built.
    assert.throws(
      () => pypiLine(pypi("tinylib", { version: injected })),
      /package 'tinylib': invalid version/,
    );
    assert.throws(() => pypiLine(pypi("--pre", {})), /invalid PyPI package name/);
    assert.throws(
      () =>
        sourceLine(
          packageView({ name: "lib", typeData: [{ name: "python", options: { extras: ["a\n-e ."] } }] }),
          "/d",
        ),
      /package 'lib': invalid extra/,
    );
    assert.equal(pypiLine(pypi("b", { version: ">=1.0,<2", extras: ["socks"] })), "b[socks]>=1.0,<2");
    assert.equal(versionSpecProblem("1.0"), undefined);
    // Requirements harvested from a pyproject.toml: markers and URLs pass, options and line breaks do not.
    for (const ok of ['a>=1; python_version < "3.8"', "b[x] @ https://h/b-1.whl", "c (>=1,<2)", "d"]) {
      assert.equal(requirementLineProblem(ok), undefined, ok);
    }
    for (
      const no of [
        "a\n--index-url http://x/",
        "a --index-url=http://x/",
        "-e .",
        "a\\",
        "a @ http://h/${TOKEN}",
        "./x",
      ]
    ) {
      assert.ok(requirementLineProblem(no), no);
    }
  } finally {
    await trap.close();
    await index.close();
    await tmp.dispose();
  }
});

Deno.test("safety 5: a --lock-file pypi entry cannot add pip options either", async () => {
  const tmp = await tempRoot("ivpm-pyinject-");
  const trap = startHttpServer({});
  try {
    const proj = await writeIvpmYaml(join(tmp.path, "proj"), project("proj", []));
    const lock = join(tmp.path, "in.lock.json");
    const entry = {
      src: "pypi",
      version_requested: `1.0\n--index-url ${trap.url}/simple`,
      resolved_by: "root",
      dep_set: "default",
      reproducible: true,
    };
    await Deno.writeTextFile(
      lock,
      JSON.stringify({ ivpm_lock_version: 1, generated: "x", packages: { tinylib: entry } }, null, 2),
    );
    const env = cliEnv({ ...pipEnv(`${trap.url}/simple/`), IVPM_PYTHON_NO_SELF_INSTALL: "1" });
    const r = await runIvpm(proj, ["update", "--lock-file", lock], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /package 'tinylib': invalid version: '1\.0\\n--index-url/, r.stderr);
    assertNoTrace(r.stderr);
    assert.deepEqual(trap.requests.map((q) => q.path), []);
    assert.equal(
      await exists(join(proj, "packages", "python")),
      false,
      "the check runs before the venv is made",
    );
  } finally {
    await trap.close();
    await tmp.dispose();
  }
});

/** A project declaring `tinylib==1.0` from a local index, and the environment that reaches only that index. */
async function tinylibProject(root: string) {
  const dists = join(root, "dists");
  await Deno.mkdir(dists);
  const index = await startSimpleIndex(await buildDists(dists, [{ name: "tinylib", version: "1.0" }]));
  const proj = await writeIvpmYaml(
    join(root, "proj"),
    project("proj", [{ name: "tinylib", src: "pypi", version: "1.0" }]),
  );
  const env = cliEnv({ ...pipEnv(index.indexUrl), IVPM_PYTHON_NO_SELF_INSTALL: "1" });
  return { index, proj, env };
}

/** Whether the venv's interpreter imports `module`. */
async function imports(venv: string, module: string): Promise<boolean> {
  const r = await new Deno.Command(join(venv, "bin", "python"), {
    args: ["-c", `import ${module}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return r.code === 0;
}

Deno.test({
  name: "safety 11: a venv left without pip by an interrupted run is rebuilt by the next update",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const tmp = await tempRoot("ivpm-pyvenv-");
    const { index, proj, env } = await tinylibProject(tmp.path);
    try {
      // What a kill between 'python3 -m venv' making the tree and ensurepip finishing leaves behind.
      const venv = join(proj, "packages", "python");
      const made = await new Deno.Command("python3", { args: ["-m", "venv", "--without-pip", venv] })
        .output();
      assert.equal(made.code, 0);
      assert.equal(await imports(venv, "pip"), false);

      const r = await runIvpm(proj, ["update"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr + r.stdout, /No module named pip/);
      assert.match(r.stderr + r.stdout, /cannot be used \(pip is missing from it.*re-creating it/);
      assert.ok(await imports(venv, "pip"));
      assert.ok(await imports(venv, "tinylib"));
      assert.ok(await exists(join(venv, VENV_READY_FILE)));

      // The rebuilt venv is trusted from then on: no note, nothing re-created.
      const again = await runIvpm(proj, ["update"], env);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr + again.stdout, /re-creating it/);
    } finally {
      await index.close();
      await tmp.dispose();
    }
  },
});

Deno.test({
  name: "safety 11: ivpm killed while creating the venv leaves nothing that breaks the next run",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const tmp = await tempRoot("ivpm-pyvenv-");
    const { index, proj, env } = await tinylibProject(tmp.path);
    try {
      // A base interpreter that makes the venv tree (no pip yet) and then kills ivpm, as a user's kill -9 would.
      const real = new TextDecoder().decode(
        (await new Deno.Command("python3", {
          args: ["-c", "import sys; print(sys.executable)"],
          stdout: "piped",
        })
          .output()).stdout,
      ).trim();
      const shim = join(tmp.path, "python-killer");
      await Deno.writeTextFile(
        shim,
        `#!/bin/sh\nfor last; do :; done\n'${real}' -m venv --without-pip "$last" || exit 1\nkill -9 $PPID\nexit 0\n`,
        { mode: 0o755 },
      );
      const killed = await runIvpm(proj, ["update"], { ...env, IVPM_PYTHON: shim });
      assert.equal(killed.signal, "SIGKILL", killed.stderr);
      const venv = join(proj, "packages", "python");
      assert.ok(await exists(join(venv, "pyvenv.cfg")), "the kill left a venv tree behind");
      assert.equal(await exists(join(venv, VENV_READY_FILE)), false);

      const r = await runIvpm(proj, ["update", "--force"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr + r.stdout, /No module named pip/);
      assert.ok(await imports(venv, "tinylib"));
    } finally {
      await index.close();
      await tmp.dispose();
    }
  },
});
