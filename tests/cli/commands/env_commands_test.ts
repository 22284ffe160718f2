import assert from "node:assert/strict";
import { join } from "node:path";
import { runIvpm } from "../../_helpers/cli.ts";

async function project(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await Deno.makeTempDir({ prefix: "ivpm-env-" });
  const dep = (name: string, yaml: string) =>
    Deno.mkdir(join(root, name), { recursive: true }).then(() =>
      Deno.writeTextFile(join(root, name, "ivpm.yaml"), yaml)
    );
  await dep(
    "liba",
    `package:
  name: liba
  paths:
    export:
      incdirs: [include]
      libdirs: [lib]
      libs: [a]
  dep-sets:
    - name: default
      deps:
        - name: libb
          url: file://${root}/libb
`,
  );
  await dep(
    "libb",
    `package:
  name: libb
  paths:
    export:
      incdirs: [inc]
      libs: [b]
    test:
      incdirs: [test-inc]
  dep-sets:
    - name: default
      deps: []
`,
  );
  const dir = join(root, "proj");
  await Deno.mkdir(dir);
  await Deno.writeTextFile(
    join(dir, "ivpm.yaml"),
    `package:
  name: proj
  deps-dir: deps
  env:
    - name: MY_VAR
      value: [hello, world]
    - name: MY_PATH
      path-prepend: /opt/tool/bin
  dep-sets:
    - name: default
      deps:
        - name: liba
          url: file://${root}/liba
`,
  );
  return { dir, cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("activate runs a command with the venv, IVPM_* and env directives, and returns its exit code", async () => {
  const p = await project();
  try {
    assert.equal((await runIvpm(["update"], { cwd: p.dir, env: { IVPM_CACHE: "" } })).code, 0);
    await Deno.mkdir(join(p.dir, "deps", "python", "bin"), { recursive: true });
    const r = await runIvpm(
      ["activate", "-c", 'echo "$IVPM_PROJECT|$IVPM_PACKAGES|$MY_VAR|$MY_PATH|$VIRTUAL_ENV|$1"', "arg1"],
      { cwd: p.dir, env: { MY_PATH: "/usr/bin" } },
    );
    assert.equal(r.code, 0, r.stderr);
    // deps-dir is honoured (the original hard-coded packages/).
    assert.equal(
      r.stdout.trim(),
      `${p.dir}|${join(p.dir, "deps")}|hello world|/opt/tool/bin:/usr/bin|${
        join(p.dir, "deps", "python")
      }|arg1`,
    );
    const code = await runIvpm(["activate", "-c", "exit 3"], { cwd: p.dir });
    assert.equal(code.code, 3);
  } finally {
    await p.cleanup();
  }
});

Deno.test("activate before update says to run update", async () => {
  const p = await project();
  try {
    const r = await runIvpm(["activate", "-c", "true"], { cwd: p.dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /run 'ivpm update' first/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("pkg-info reads paths from packages' ivpm.yaml, follows dependencies, and builds flags", async () => {
  const p = await project();
  try {
    const early = await runIvpm(["pkg-info", "incdirs", "liba"], { cwd: p.dir });
    assert.equal(early.code, 1, "before any update there is nothing to report");
    assert.match(
      early.stderr,
      /^error: no packages in .* yet \(no package-lock\.json\)\nhint: run 'ivpm update' first$/m,
    );
    assert.equal((await runIvpm(["update"], { cwd: p.dir, env: { IVPM_CACHE: "" } })).code, 0);
    const root = join(p.dir, "..");
    const inc = await runIvpm(["pkg-info", "incdirs", "liba"], { cwd: p.dir });
    assert.equal(inc.code, 0, inc.stderr);
    // Paths resolve against each package's own ivpm.yaml (through the link into deps/).
    const line = inc.stdout.trim().split(" ");
    assert.equal(line.length, 3);
    assert.ok(
      line[0].endsWith("/liba/include") && line[1].endsWith("/libb/inc") &&
        line[2].endsWith("/libb/test-inc"),
    );
    const exportOnly = await runIvpm(["pkg-info", "incdirs", "-k", "export", "liba"], { cwd: p.dir });
    assert.equal(exportOnly.stdout.trim().split(" ").length, 2);
    const flags = await runIvpm(["pkg-info", "flags", "-k", "export", "liba"], { cwd: p.dir });
    assert.match(flags.stdout.trim(), /^-I\S+\/liba\/include -I\S+\/libb\/inc -L\S+\/liba\/lib -la -lb$/);
    const libs = await runIvpm(["pkg-info", "libs", "libb"], { cwd: p.dir });
    assert.equal(libs.stdout.trim(), "b");
    const bad = await runIvpm(["pkg-info", "libs", "libc"], { cwd: p.dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown package 'libc'; did you mean 'lib[ab]'\?/);
    void root;
  } finally {
    await p.cleanup();
  }
});
