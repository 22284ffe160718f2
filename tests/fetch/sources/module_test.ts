import assert from "node:assert/strict";
import { join } from "node:path";
import { createModuleSource, moduleSpecOf, resolveModule } from "../../../core/fetch/sources/module.ts";
import {
  parsePathOutput,
  rootCandidates,
  variantFromVersion,
} from "../../../core/fetch/sources/modulecmd.ts";
import { builtinSourceRegistry, SourceRegistry } from "../../../core/fetch/sources/registry.ts";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { catchIvpmError, catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { modulesWorld, writeFakeModulecmd, writeModulefile } from "../../_helpers/fake_modulecmd.ts";
import { cliEnv, exists, readLockJson, runIvpm } from "../../_helpers/update_project.ts";

/** A project dir (with an ivpm.yaml holding `withModules` as package.with.modules) inside `root`. */
async function project(root: string, withModules?: Record<string, string>, deps = ""): Promise<string> {
  const dir = join(root, "proj");
  await Deno.mkdir(dir, { recursive: true });
  const w = withModules
    ? `  with:\n    modules:\n${Object.entries(withModules).map(([k, v]) => `      ${k}: "${v}"\n`).join("")}`
    : "";
  await Deno.writeTextFile(
    join(dir, "ivpm.yaml"),
    `package:\n  name: proj\n${w}  dep-sets:\n    - name: default\n      deps:\n${deps || "        []\n"}`,
  );
  return dir;
}

function ctx(projectDir: string, notes: string[] = []) {
  return {
    projectDir,
    depsDir: join(projectDir, "packages"),
    signal: new AbortController().signal,
    note: (m: string) => void notes.push(m),
  };
}

const gcc = { name: "gcc", options: { module: "gcc/15.2.0" } };

Deno.test("finds modulecmd on PATH, probes its version and runs '<cmd> python path <module>'", async () => {
  await using w = await modulesWorld();
  const cmd = await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  const dir = await project(w.root);
  const r = await resolveModule(gcc, ctx(dir), w.env({ PATH: `${join(w.root, "bin")}:/usr/bin:/bin` }));
  assert.deepEqual(r, {
    module: "gcc/15.2.0",
    modulefile: join(w.modulepath, "gcc", "15.2.0"),
    root: join(w.modulepath, "gcc"),
    rootFrom: "modulefile",
  });
  assert.deepEqual(await w.calls(), [
    [cmd, "python", "--version"],
    [cmd, "python", "path", "gcc/15.2.0"],
  ]);
});

Deno.test("finds $MODULESHOME/libexec/modulecmd.tcl and $MODULESHOME/modulecmd.tcl", async () => {
  for (const rel of ["libexec/modulecmd.tcl", "modulecmd.tcl"]) {
    await using w = await modulesWorld();
    const home = join(w.root, "modules-home");
    const cmd = await writeFakeModulecmd(join(home, rel), "modules-4x");
    const dir = await project(w.root);
    // PATH holds no module command at all: only MODULESHOME can have found it.
    const r = await resolveModule(gcc, ctx(dir), w.env({ MODULESHOME: home, PATH: w.root }));
    assert.equal(r.modulefile, join(w.modulepath, "gcc", "15.2.0"));
    assert.deepEqual((await w.calls()).map((c) => c[0]), [cmd, cmd], rel);
  }
});

Deno.test("uses Lmod through $LMOD_CMD: the modulefile comes from 'show', no 'path' call", async () => {
  await using w = await modulesWorld();
  const lmod = await writeFakeModulecmd(join(w.root, "lmod", "libexec", "lmod"), "lmod");
  // A Modules install is around too; LMOD_CMD wins, as in the original.
  const home = join(w.root, "modules-home");
  await writeFakeModulecmd(join(home, "libexec", "modulecmd.tcl"), "modules-4x");
  const dir = await project(w.root);
  const r = await resolveModule(gcc, ctx(dir), w.env({ LMOD_CMD: lmod, MODULESHOME: home }));
  assert.equal(r.modulefile, join(w.modulepath, "gcc", "15.2.0"));
  assert.equal(r.root, join(w.modulepath, "gcc"));
  assert.deepEqual(await w.calls(), [[lmod, "python", "show", "gcc/15.2.0"]]);
});

Deno.test("resolve-root reads setenv *_HOME from 'module show' (Modules and Lmod output)", async () => {
  for (const flavor of ["modules-4x", "lmod"] as const) {
    await using w = await modulesWorld();
    const cmd = await writeFakeModulecmd(
      join(w.root, "bin", flavor === "lmod" ? "lmod" : "modulecmd"),
      flavor,
    );
    const dir = await project(w.root);
    const env = flavor === "lmod"
      ? w.env({ LMOD_CMD: cmd })
      : w.env({ PATH: `${join(w.root, "bin")}:/usr/bin` });
    const r = await resolveModule(
      { name: "gcc", options: { module: "gcc/15.2.0", "resolve-root": true } },
      ctx(dir),
      env,
    );
    assert.equal(r.root, join(w.root, "opt", "gcc-15.2.0"), flavor);
    assert.equal(r.rootFrom, "resolve-root");
    assert.ok((await w.calls()).some((c) => c.slice(1).join(" ") === "python show gcc/15.2.0"));
  }
});

Deno.test("resolve-root falls back to 'prepend-path PATH <x>/bin', then to the modulefile directory", async () => {
  await using w = await modulesWorld();
  await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  await Deno.mkdir(join(w.root, "opt", "cmake-3.30", "bin"), { recursive: true });
  await writeModulefile(w.modulepath, "cmake/3.30", `prepend-path PATH ${w.root}/opt/cmake-3.30/bin`);
  await writeModulefile(w.modulepath, "license/1.0", `setenv LM_LICENSE_FILE 1717@server`);
  const dir = await project(w.root);
  const env = w.env({ PATH: `${join(w.root, "bin")}:/usr/bin` });
  const cmake = await resolveModule(
    { name: "cmake", options: { version: "3.30", "resolve-root": true } },
    ctx(dir),
    env,
  );
  assert.equal(cmake.module, "cmake/3.30");
  assert.equal(cmake.root, join(w.root, "opt", "cmake-3.30"));
  const notes: string[] = [];
  const lic = await resolveModule(
    { name: "license", options: { module: "license/1.0", "resolve-root": true } },
    ctx(dir, notes),
    env,
  );
  assert.equal(lic.root, join(w.modulepath, "license"));
  assert.equal(lic.rootFrom, "modulefile");
  assert.match(notes.join("\n"), /resolve-root: 'module show license\/1.0' names no install prefix/);
});

Deno.test("reads install-prefix candidates from Tcl and Lua show output, including 'set root'", () => {
  assert.deepEqual(
    rootCandidates(
      "module-whatis\t{x}\nset root /opt/t\nprepend-path\tPATH /opt/p/bin\nsetenv\t\tT_HOME {/opt/h}\n",
    ),
    ["/opt/h", "/opt/p", "/opt/t"],
  );
  assert.deepEqual(
    rootCandidates('setenv("X_HOME","/opt/x")\nprepend_path("PATH","/opt/y/bin")\nsetenv("OTHER","/z")\n'),
    ["/opt/x", "/opt/y"],
  );
  assert.deepEqual(rootCandidates("prepend-path\tPATH /opt/nobin\nsetenv\t\tMODULESHOME /m\n"), []);
});

Deno.test("parses modulecmd 'path' output of every flavour and classifies version banners", () => {
  assert.equal(parsePathOutput("import os\n_mlstatus = '/m/gcc/15.2.0'\n"), "/m/gcc/15.2.0");
  assert.equal(parsePathOutput("import os\n_mlstatus = ''\n"), undefined);
  assert.equal(parsePathOutput("import os\n_mlstatus = '/m/it\\'s/1'\n"), "/m/it's/1");
  assert.equal(parsePathOutput("execfile('/tmp/modulescript_12')\n"), "/tmp/modulescript_12");
  assert.equal(parsePathOutput("/m/old/1.0\n"), "/m/old/1.0");
  assert.equal(variantFromVersion("Modules Release 4.8.0 (2021-07-14)"), "modules-4x");
  assert.equal(variantFromVersion("Modules Release 5.2.0 (2022-11-08)"), "modules-4x");
  assert.equal(variantFromVersion("VERSION=3.2.10\nDATE=2012-12-21"), "modules-3x");
  assert.equal(variantFromVersion("\nModules based on Lua: Version 8.6.19"), "lmod");
  assert.equal(variantFromVersion("ERROR: Unknown shell type"), undefined);
});

Deno.test("Modules 3.x: the path comes from stderr, or from the modulescript temp file it names", async () => {
  await using w = await modulesWorld();
  const cmd = await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-3x");
  const dir = await project(w.root);
  const env = w.env({ PATH: `${join(w.root, "bin")}:/usr/bin` });
  assert.equal((await resolveModule(gcc, ctx(dir), env)).modulefile, join(w.modulepath, "gcc", "15.2.0"));
  const scripts = join(w.root, "scripts");
  await Deno.mkdir(scripts);
  const r = await resolveModule(gcc, ctx(dir), { ...env, FAKE_MODULESCRIPT: scripts });
  assert.equal(r.modulefile, join(w.modulepath, "gcc", "15.2.0"));
  assert.ok((await w.calls()).every((c) => c[0] === cmd && c[1] === "python"));
});

Deno.test("root: is expanded from the environment and must exist", async () => {
  await using w = await modulesWorld();
  await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  const dir = await project(w.root);
  const env = w.env({ PATH: `${join(w.root, "bin")}:/usr/bin`, TOOLS: join(w.root, "opt") });
  const r = await resolveModule(
    { name: "gcc", options: { module: "gcc/15.2.0", root: "$TOOLS/gcc-15.2.0" } },
    ctx(dir),
    env,
  );
  assert.deepEqual([r.root, r.rootFrom], [join(w.root, "opt", "gcc-15.2.0"), "root"]);
  const e = await catchIvpmErrorAsync(() =>
    resolveModule({ name: "gcc", options: { module: "gcc/15.2.0", root: "${TOOLS}/nope" } }, ctx(dir), env)
  );
  assert.match(e.message, /root '\$\{TOOLS\}\/nope' of package 'gcc' \(src: module\) is not a directory/);
  assert.match(e.hint ?? "", /expands to .*\/opt\/nope/);
});

Deno.test("a module the system does not have is a clear error quoting modulecmd, with a MODULEPATH hint", async () => {
  for (const flavor of ["modules-4x", "lmod"] as const) {
    await using w = await modulesWorld();
    const cmd = await writeFakeModulecmd(join(w.root, "bin", "cmd"), flavor);
    const dir = await project(w.root);
    const env = w.env(
      flavor === "lmod" ? { LMOD_CMD: cmd } : { MODULESHOME: w.root, PATH: join(w.root, "bin") },
    );
    if (flavor !== "lmod") await writeFakeModulecmd(join(w.root, "modulecmd.tcl"), flavor);
    const e = await catchIvpmErrorAsync(() =>
      resolveModule({ name: "vcs", options: { version: "2024.09" } }, ctx(dir), env)
    );
    assert.match(e.message, /^Module 'vcs\/2024\.09' is not available: /, flavor);
    assert.match(
      e.message,
      flavor === "lmod"
        ? /available: Lmod Warning: Failed to find the following module\(s\): "vcs\/2024\.09" in your MODULEPATH$/
        : /available: ERROR: Unable to locate a modulefile for 'vcs\/2024\.09'$/,
    );
    assert.match(e.hint ?? "", new RegExp(`^Check MODULEPATH \\(now '${w.modulepath}'\\)`));
  }
});

Deno.test("no module system at all, and a dependency naming no module, are clear errors", async () => {
  await using w = await modulesWorld();
  const dir = await project(w.root);
  const e = await catchIvpmErrorAsync(() => resolveModule(gcc, ctx(dir), w.env({ PATH: w.root })));
  assert.match(e.message, /^src: module needs Environment Modules or Lmod, and neither was found$/);
  assert.match(e.hint ?? "", /MODULESHOME or \$LMOD_CMD.*with\.modules\.modulecmd/);
  assert.equal(moduleSpecOf({ name: "vcs", options: { version: 2024 } }), "vcs/2024");
  const e2 = catchIvpmError(() => moduleSpecOf({ name: "vcs", options: {} }));
  assert.match(e2.message, /^src: module requires a 'module:' or 'version:' specifier \(package 'vcs'\)$/);
});

Deno.test("with.modules.modulecmd and variant of the ROOT ivpm.yaml choose the module command", async () => {
  await using w = await modulesWorld();
  // Off PATH and outside MODULESHOME: only the project's configuration can point at it.
  const hidden = await writeFakeModulecmd(join(w.root, "site", "tools", "lmod-bin"), "lmod");
  const decoy = await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  const dir = await project(w.root, { modulecmd: "../site/tools/lmod-bin" });
  const env = w.env({ PATH: `${join(w.root, "bin")}:/usr/bin` });
  const r = await resolveModule(gcc, ctx(dir), env);
  assert.equal(r.modulefile, join(w.modulepath, "gcc", "15.2.0"));
  // Probed, found to be Lmod, then asked with 'show' (Lmod has no 'path').
  assert.deepEqual(await w.calls(), [[hidden, "python", "--version"], [
    hidden,
    "python",
    "show",
    "gcc/15.2.0",
  ]]);
  assert.ok(!(await w.calls()).some((c) => c[0] === decoy));

  await Deno.remove(w.logFile);
  const dir2 = await project(join(w.root, "p2"), { variant: "lmod", modulecmd: hidden });
  await resolveModule(gcc, ctx(dir2), env);
  assert.deepEqual(await w.calls(), [[hidden, "python", "show", "gcc/15.2.0"]]); // no probe: told
  const dir3 = await project(join(w.root, "p3"), { modulecmd: "/nowhere/modulecmd" });
  const e = await catchIvpmErrorAsync(() => resolveModule(gcc, ctx(dir3), env));
  assert.match(e.message, /with\.modules\.modulecmd '\/nowhere\/modulecmd' was not found/);
});

Deno.test("an update with src: module records module, modulefile and root, creates nothing, and re-runs no modulecmd", async () => {
  await using w = await modulesWorld();
  await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  const env = w.env({ PATH: `${join(w.root, "bin")}:/usr/bin:/bin` });
  const dir = await project(
    w.root,
    undefined,
    "        - name: gcc\n          src: module\n          module: gcc/15.2.0\n          resolve-root: true\n",
  );
  const sources = new SourceRegistry();
  for (const s of builtinSourceRegistry().list()) {
    sources.register(s.name === "module" ? createModuleSource({ env: () => env }) : s);
  }
  const run = () => runUpdate({ projectDir: dir, cacheDir: null, sources, handlers: new HandlerRegistry() });
  await run();
  const lock = await readLockJson(dir);
  assert.deepEqual(lock.packages.gcc, {
    src: "module",
    resolved_by: "root",
    dep_set: "default",
    reproducible: false,
    module: "gcc/15.2.0",
    root_requested: null,
    resolve_root: true,
    modulefile: join(w.modulepath, "gcc", "15.2.0"),
    root: join(w.root, "opt", "gcc-15.2.0"),
  });
  assert.equal(await exists(join(dir, "packages", "gcc")), false);
  const calls = (await w.calls()).length;
  await run();
  assert.equal((await w.calls()).length, calls, "an unchanged module spec is not looked up again");
  assert.deepEqual((await readLockJson(dir)).packages.gcc, lock.packages.gcc);
});

Deno.test("the real CLI resolves src: module with the process environment", async () => {
  await using w = await modulesWorld();
  await writeFakeModulecmd(join(w.root, "bin", "modulecmd"), "modules-4x");
  const dir = await project(
    w.root,
    undefined,
    "        - name: gcc\n          src: module\n          module: gcc/15.2.0\n",
  );
  const base = cliEnv();
  const r = await runIvpm(dir, ["update"], {
    ...base,
    ...w.env({ PATH: `${join(w.root, "bin")}:${base.PATH}` }),
  });
  assert.equal(r.code, 0, r.stderr);
  const lock = await readLockJson(dir);
  assert.equal(lock.packages.gcc.modulefile, join(w.modulepath, "gcc", "15.2.0"));
  assert.equal(lock.packages.gcc.root, join(w.modulepath, "gcc"));
  assert.equal(lock.packages.gcc.reproducible, false);
});
