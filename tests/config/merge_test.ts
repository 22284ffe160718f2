import { deepEqual, equal, ok } from "node:assert/strict";
import { loadConfigFile } from "../../core/config/load.ts";
import type { DependencySpec, ProjectConfig } from "../../core/config/model.ts";
import { findDepSet } from "../../core/config/model.ts";
import { IvpmError } from "../../core/base/errors.ts";
import { loadErrors, loadFiles, tempProject, yaml } from "../_helpers/config_fixture.ts";

function deps(cfg: ProjectConfig, set: string): DependencySpec[] {
  const ds = findDepSet(cfg, set);
  ok(ds, `dep-set ${set} missing`);
  return ds.deps;
}

function names(cfg: ProjectConfig, set: string): string[] {
  return deps(cfg, set).map((d) => d.name);
}

function dep(cfg: ProjectConfig, set: string, name: string): DependencySpec {
  const d = deps(cfg, set).find((x) => x.name === name);
  ok(d, `dependency ${name} missing from ${set}`);
  return d;
}

// ---------------------------------------------------------------- include

Deno.test("include: the includer wins on keys both set; other keys are adopted only when absent", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        deps-dir: mine
        include: [common.yaml]
    `,
    "common.yaml": yaml`
      package:
        deps-dir: theirs
        default-dep-set: default
        type: python
        dep-sets:
          - name: default
            deps: []
    `,
  });
  equal(cfg.name, "proj");
  equal(cfg.depsDir, "mine");
  equal(cfg.defaultDepSet, "default");
  deepEqual(cfg.types.map((t) => t.name), ["python"]);
});

Deno.test("include: dep-sets of both files are merged, the includer's first", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [extra.yaml]
        dep-sets:
          - name: default
            deps:
              - {name: a, src: pypi}
    `,
    "extra.yaml": yaml`
      package:
        dep-sets:
          - name: ci
            uses: default
            deps:
              - {name: b, src: pypi}
    `,
  });
  deepEqual(cfg.depSets.map((d) => d.name), ["default", "ci"]);
  deepEqual(names(cfg, "ci"), ["a", "b"]);
  equal(dep(cfg, "ci", "b").loc.file, `${cfg.dir}/extra.yaml`);
});

Deno.test("include: with and vars merge deeply, the includer winning on scalars and lists", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [shared.yaml]
        vars: {channel: stable}
        with:
          python: {venv: uv}
          agents: {skills: [mine/*]}
        deps-dir: \${{where}}
    `,
    "shared.yaml": yaml`
      package:
        vars: {channel: beta, where: deps}
        with:
          python: {venv: pip, system-site-packages: true}
          agents: {skills: [theirs/*], claude: true}
          node: {manager: pnpm}
    `,
  });
  deepEqual(cfg.vars, { channel: "stable", where: "deps" });
  equal(cfg.depsDir, "deps");
  deepEqual(cfg.with, {
    python: { venv: "uv", "system-site-packages": true },
    agents: { skills: ["mine/*"], claude: true },
    node: { manager: "pnpm" },
  });
});

Deno.test("include: paths append lists and stay relative to the file that declared them", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [sub/more.yaml]
        paths:
          build: {include: [inc]}
    `,
    "sub/more.yaml": yaml`
      package:
        paths:
          build: {include: [sub_inc], lib: [lib]}
          run: {bin: [bin]}
    `,
  });
  deepEqual(cfg.paths, {
    build: { include: [`${cfg.dir}/inc`, `${cfg.dir}/sub/sub_inc`], lib: [`${cfg.dir}/sub/lib`] },
    run: { bin: [`${cfg.dir}/sub/bin`] },
  });
});

Deno.test("include: env, env-sets and setup-deps append, the includer's entries first", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [env.yaml]
        env:
          - {name: A, value: "1"}
        setup-deps: [first]
    `,
    "env.yaml": yaml`
      package:
        env:
          - {name: B, path-append: /opt/b}
        env-sets:
          - name: tools
            env: [{name: C, path: [/x, /y]}]
        setup-deps: [second]
    `,
  });
  deepEqual(cfg.env.map((e) => [e.name, e.op, e.value]), [["A", "value", "1"], [
    "B",
    "path-append",
    "/opt/b",
  ]]);
  deepEqual(cfg.envSets.map((s) => [s.name, s.env.map((e) => [e.name, e.op, e.value])]), [
    ["tools", [["C", "path", ["/x", "/y"]]]],
  ]);
  deepEqual(cfg.setupDeps, ["first", "second"]);
});

Deno.test("include: a diamond merges the shared file once (no duplicate dep-set, no doubled lists)", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": "package:\n  name: proj\n  include: [left.yaml, right.yaml]\n",
    "left.yaml": "package:\n  include: [base.yaml]\n  setup-deps: [left]\n",
    "right.yaml": "package:\n  include: [base.yaml]\n  setup-deps: [right]\n",
    "base.yaml": yaml`
      package:
        setup-deps: [base]
        dep-sets:
          - name: default
            deps: [{name: a, src: pypi}]
    `,
  });
  deepEqual(cfg.depSets.map((d) => d.name), ["default"]);
  deepEqual(cfg.setupDeps, ["left", "base", "right"]);
  deepEqual(cfg.files.map((f) => f.slice(cfg.dir.length + 1)), [
    "ivpm.yaml",
    "left.yaml",
    "base.yaml",
    "right.yaml",
  ]);
});

Deno.test("include: nested includes resolve relative to the including file", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": "package:\n  name: proj\n  include: [cfg/a.yaml]\n",
    "cfg/a.yaml": "package:\n  include: [../shared/b.yaml]\n",
    "shared/b.yaml": "package:\n  include: [deeper/c.yaml]\n",
    "shared/deeper/c.yaml": yaml`
      package:
        dep-sets:
          - name: default
            deps: [{name: c, src: pypi}]
    `,
  });
  deepEqual(names(cfg, "default"), ["c"]);
  equal(dep(cfg, "default", "c").loc.file, `${cfg.dir}/shared/deeper/c.yaml`);
});

Deno.test("include: an included file may use a variable declared by the includer", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": "package:\n  name: proj\n  include: [deps.yaml]\n  vars: {ref: v2.0}\n",
    "deps.yaml": yaml`
      package:
        dep-sets:
          - name: default
            deps:
              - {name: lib, url: "https://example.com/lib.git", tag: "\${{ref}}"}
    `,
  });
  equal(dep(cfg, "default", "lib").options.tag, "v2.0");
});

Deno.test("include: an include may not set version either (identity stays with the root file)", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  include: [x.yaml]\n",
    "x.yaml": "package:\n  version: '1'\n",
  });
  deepEqual(diagnostics.map((d) => [d.loc?.file, d.message]), [
    [
      `${dir}/x.yaml`,
      "Include 'x.yaml' may not set 'version'; package identity is anchored to the root file",
    ],
  ]);
});

// ---------------------------------------------------------------- uses

const usesYaml = yaml`
  package:
    name: proj
    dep-sets:
      - name: dev
        uses: test
        deps:
          - {name: shared, src: pypi, version: "2.0"}
          - {name: devtool, src: pypi}
      - name: test
        uses: default
        deps:
          - {name: pytest, src: pypi}
      - name: default
        deps:
          - {name: shared, src: pypi, version: "1.0"}
          - {name: core, url: "https://example.com/core.git"}
`;

Deno.test("uses: a child inherits its base chain, in any order, and wins on a name clash", async () => {
  const cfg = await loadFiles({ "ivpm.yaml": usesYaml });
  deepEqual(names(cfg, "default"), ["shared", "core"]);
  deepEqual(names(cfg, "test"), ["shared", "core", "pytest"]);
  deepEqual(names(cfg, "dev"), ["shared", "core", "pytest", "devtool"]);
  equal(dep(cfg, "dev", "shared").options.version, "2.0");
  equal(dep(cfg, "test", "shared").options.version, "1.0");
});

Deno.test("uses: inherited dependencies keep the base dep-set name as the dep-set they load", async () => {
  const cfg = await loadFiles({ "ivpm.yaml": usesYaml });
  equal(dep(cfg, "dev", "core").depSet, "default");
  equal(dep(cfg, "dev", "pytest").depSet, "test");
  equal(dep(cfg, "dev", "devtool").depSet, "dev");
  equal(dep(cfg, "dev", "shared").depSet, "dev");
});

Deno.test("dep-set default-dep-set applies to its deps without their own dep-set:", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default-dev
            default-dep-set: default
            deps:
              - {name: a, url: "https://example.com/a.git"}
              - {name: b, url: "https://example.com/b.git", dep-set: ci}
          - name: other
            deps:
              - {name: c, url: "https://example.com/c.git"}
    `,
  });
  equal(dep(cfg, "default-dev", "a").depSet, "default");
  equal(dep(cfg, "default-dev", "b").depSet, "ci");
  equal(dep(cfg, "other", "c").depSet, "other");
  equal(findDepSet(cfg, "default-dev")?.defaultDepSet, "default");
});

// ---------------------------------------------------------------- src detection

Deno.test("src is detected from the url, a file:// directory becoming a dir package", async () => {
  await using p = await tempProject({ "local/lib/README": "x", "local/tool.tar.gz": "x" });
  await Deno.writeTextFile(
    p.file,
    yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - {name: g1, url: "https://github.com/org/repo.git"}
              - {name: g2, url: "git@github.com:org/repo.git"}
              - {name: g3, url: "file:///srv/git/repo.git"}
              - {name: h1, url: "https://example.com/a.tar.gz"}
              - {name: h2, url: "http://example.com/b.zip"}
              - {name: d1, url: "file://${p.dir}/local/lib"}
              - {name: d2, url: "file://local/lib"}
              - {name: f1, url: "file://${p.dir}/local/tool.tar.gz"}
              - {name: f2, url: "file:///does/not/exist.tar.gz"}
              - {name: p1, pypi: true}
              - {name: x1, src: http, url: "https://example.com/repo.git"}
              - {name: x2, src: npm, version: "^1"}
    `,
  );
  const cfg = loadConfigFile(p.file);
  deepEqual(Object.fromEntries(deps(cfg, "default").map((d) => [d.name, d.src])), {
    g1: "git",
    g2: "git",
    g3: "git",
    h1: "http",
    h2: "http",
    d1: "dir",
    d2: "dir",
    f1: "file",
    f2: "file",
    p1: "pypi",
    x1: "http",
    x2: "npm",
  });
});

Deno.test("a url whose source cannot be detected, or no url and no src, is an error naming the package", async () => {
  const { diagnostics } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - {name: a, url: "ftp://example.com/a"}
              - {name: b}
    `,
  });
  deepEqual(diagnostics.map((d) => [d.loc?.line, d.message]), [
    [6, "Dependency 'a': cannot determine the source type from url 'ftp://example.com/a'"],
    [7, "Dependency 'b': no 'src' and no 'url'; cannot tell where to get it"],
  ]);
  ok(diagnostics[0].notes?.[0].startsWith("add 'src:' — one of dir, file, http, git, pypi"));
});

// ---------------------------------------------------------------- variables

const varsYaml = yaml`
  package:
    name: proj
    vars:
      cache: true
      depth: 1
      ref: main
      ver: 1.10
    dep-sets:
      - name: default
        deps:
          - name: lib
            url: https://example.com/lib.git
            cache: \${{cache}}
            depth: \${{ depth }}
            branch: release/\${{ref}}-\${{depth}}
          - name: tool
            src: pypi
            version: \${{ver}}
          - name: lit
            src: pypi
            version: $\${{ref}} and \${{ref}}
`;

Deno.test("vars: whole-value references keep the variable's type; embedded ones become text", async () => {
  const cfg = await loadFiles({ "ivpm.yaml": varsYaml });
  const lib = dep(cfg, "default", "lib");
  deepEqual(lib.options, { cache: true, depth: 1, branch: "release/main-1" });
  equal(dep(cfg, "default", "tool").options.version, "1.10");
  equal(dep(cfg, "default", "lit").options.version, "${{ref}} and main");
  deepEqual(cfg.vars, { cache: true, depth: 1, ref: "main", ver: "1.10" });
});

Deno.test("vars: -D cache=false gives the boolean false (the original's 'False' was truthy)", async () => {
  const cfg = await loadFiles({ "ivpm.yaml": varsYaml }, { definitions: { cache: "false" } });
  const value = dep(cfg, "default", "lib").options.cache;
  equal(value, false);
  equal(typeof value, "boolean");
  for (
    const [text, want] of [["no", false], ["0", false], ["off", false], ["TRUE", true], [
      "yes",
      true,
    ]] as const
  ) {
    const c = await loadFiles({ "ivpm.yaml": varsYaml }, { definitions: { cache: text } });
    equal(dep(c, "default", "lib").options.cache, want, text);
  }
});

Deno.test("vars: precedence is -D, then IVPM_VAR_<NAME>, then persisted, then the default", async () => {
  const env = { IVPM_VAR_REF: "from-env" };
  const persisted = { ref: "from-lock" };
  const branch = async (o: Parameters<typeof loadFiles>[1]) =>
    dep(await loadFiles({ "ivpm.yaml": varsYaml }, o), "default", "lib").options.branch;
  equal(await branch({}), "release/main-1");
  equal(await branch({ persisted }), "release/from-lock-1");
  equal(await branch({ persisted, env }), "release/from-env-1");
  equal(await branch({ persisted, env, definitions: { ref: "from-D" } }), "release/from-D-1");
  // A number variable from the environment stays a number.
  const c = await loadFiles({ "ivpm.yaml": varsYaml }, { env: { IVPM_VAR_DEPTH: "5" } });
  equal(dep(c, "default", "lib").options.depth, 5);
});

Deno.test("vars: -D of an undeclared variable is an error naming it", async () => {
  await using p = await tempProject({ "ivpm.yaml": varsYaml });
  try {
    loadConfigFile(p.file, { definitions: { reff: "x" } });
    ok(false, "expected an error");
  } catch (e) {
    ok(e instanceof IvpmError, String(e));
    equal(
      e.message,
      "Variable 'reff' given with -D is not declared in the vars: block of ivpm.yaml (did you mean 'ref'?)",
    );
    ok(e.hint?.includes("package.vars"));
  }
});

Deno.test("vars: a non-boolean -D for a boolean variable is an error, not a truthy string", async () => {
  await using p = await tempProject({ "ivpm.yaml": varsYaml });
  try {
    loadConfigFile(p.file, { definitions: { cache: "nope" } });
    ok(false, "expected an error");
  } catch (e) {
    ok(e instanceof IvpmError, String(e));
    equal(e.message, "-D cache=… gives variable 'cache' the value 'nope', but it is a boolean");
  }
});

Deno.test("vars: an unterminated reference is reported instead of being left verbatim", async () => {
  const { diagnostics } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  vars: {x: 1}\n  deps-dir: out/${{x}\n",
  });
  deepEqual(diagnostics.map((d) => [d.loc?.line, d.loc?.col, d.message]), [
    [4, 13, "Unterminated variable reference in 'out/${{x}'"],
  ]);
});

Deno.test("vars: keys are never substituted, only values", async () => {
  const { diagnostics } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        vars: {h: python}
        with:
          \${{h}}: {}
    `,
  });
  deepEqual(diagnostics.map((d) => d.message), ["Unknown key '${{h}}' in package.with"]);
});

// ---------------------------------------------------------------- numbers written as versions

Deno.test("a version written as a plain number keeps its digits (1.10 is not 1.1)", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        version: 1.10
        dep-sets:
          - name: default
            deps:
              - {name: a, src: pypi, version: 2.0}
              - {name: b, url: "https://example.com/b.git", tag: 1.20, depth: 3}
    `,
  });
  equal(cfg.version, "1.10");
  equal(dep(cfg, "default", "a").options.version, "2.0");
  deepEqual(dep(cfg, "default", "b").options, { tag: "1.20", depth: 3 });
});

Deno.test("vars: a variable may be named like an Object member; an undeclared one still is not found", async () => {
  const text = "package:\n  name: proj\n  vars: {constructor: a}\n  deps-dir: ${{constructor}}\n";
  equal((await loadFiles({ "ivpm.yaml": text })).depsDir, "a");
  equal((await loadFiles({ "ivpm.yaml": text }, { definitions: { constructor: "b" } })).depsDir, "b");
  const { diagnostics } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  deps-dir: ${{valueOf}}\n",
  });
  deepEqual(diagnostics.map((d) => d.message), ["Undefined variable '${{valueOf}}'"]);
});

Deno.test("vars: a number variable fits both number and text fields", async () => {
  const cfg = await loadFiles({
    "ivpm.yaml": yaml`
      package:
        name: proj
        vars: {major: 3}
        dep-sets:
          - name: default
            deps:
              - {name: lib, url: "https://example.com/lib.git", tag: "\${{major}}", depth: "\${{major}}"}
    `,
  });
  deepEqual(dep(cfg, "default", "lib").options, { tag: "3", depth: 3 });
});
