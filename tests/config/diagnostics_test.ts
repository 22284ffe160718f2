import { deepEqual, equal, ok } from "node:assert/strict";
import { loadConfigFile } from "../../core/config/load.ts";
import { IvpmError } from "../../core/base/errors.ts";
import { type Diagnostic, renderDiagnostic } from "../../core/base/diagnostics.ts";
import { catchConfigError, loadErrors, tempProject, yaml } from "../_helpers/config_fixture.ts";

/** The one diagnostic of a load, asserting there is exactly one. */
function only(diagnostics: Diagnostic[]): Diagnostic {
  equal(diagnostics.length, 1, diagnostics.map(renderDiagnostic).join("\n"));
  return diagnostics[0];
}

/**
 * Asserts the diagnostic sits at file:line:col with this message, and renders as
 * `file:line:col: error: message`, the source line, and a caret under the column.
 */
function assertAt(
  d: Diagnostic,
  file: string,
  line: number,
  col: number,
  message: string,
  sourceLine: string,
) {
  equal(d.severity, "error");
  equal(d.message, message);
  deepEqual(d.loc, { file, line, col });
  const lines = renderDiagnostic(d).split("\n");
  equal(lines[0], `${file}:${line}:${col}: error: ${message}`);
  equal(lines[1], sourceLine);
  equal(lines[2], " ".repeat(col - 1) + "^");
}

Deno.test("a YAML syntax error is reported at its position with the parser's problem", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
           deps: []
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    5,
    6,
    "Sequence item without - indicator",
    "     deps: []",
  );
});

Deno.test("a YAML syntax error inside a value points at the offending token", async () => {
  const { diagnostics, dir } = await loadErrors({ "ivpm.yaml": "package:\n  name: a: b\n" });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    2,
    9,
    "Nested mappings are not allowed in compact mappings",
    "  name: a: b",
  );
});

Deno.test("an unknown package key is reported at the key with a did-you-mean and the valid keys", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-set:
          - name: default
            deps: []
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    3,
    3,
    "Unknown key 'dep-set' in package; did you mean 'dep-sets'?",
    "  dep-set:",
  );
  equal(
    d.notes?.[0],
    "valid keys: default-dep-set, dep-sets, deps-dir, env, env-sets, include, name, paths, plugins, setup-deps, type, vars, version, with",
  );
});

Deno.test("an unknown dependency key is reported with a suggestion and the keys of its source", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: lib
                url: https://example.com/org/lib.git
                brnach: main
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    8,
    11,
    "Unknown key 'brnach' in dependency 'lib'; did you mean 'branch'?",
    "          brnach: main",
  );
  equal(
    d.notes?.[0],
    "keys for src 'git': agents, anonymous, branch, cache, commit, dep-set, deps, depth, name, pypi, src, submodules, tag, type, url",
  );
});

Deno.test("a key of another source (branch on an http dependency) names the sources it is for", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: tool
                url: https://example.com/tool-1.0.tar.gz
                branch: main
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    8,
    11,
    "Dependency 'tool': key 'branch' does not apply to src 'http' (it is for git)",
    "          branch: main",
  );
});

Deno.test("a missing package name is reported at the package mapping", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        version: "1.0"
        dep-sets: []
    `,
  });
  assertAt(only(diagnostics), `${dir}/ivpm.yaml`, 2, 3, "Missing 'name' in package", `  version: "1.0"`);
});

Deno.test("a duplicate dep-set is reported at the second with the location of the first", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps: []
          - name: default
            deps: []
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    6,
    13,
    `Duplicate dep-set 'default'; previously defined at ${dir}/ivpm.yaml:4:13`,
    "    - name: default",
  );
});

Deno.test("a duplicate dep-set across an include names both files", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [more.yaml]
        dep-sets:
          - name: default
            deps: []
    `,
    "more.yaml": yaml`
      package:
        dep-sets:
          - name: default
            deps: []
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/more.yaml`,
    3,
    13,
    `Duplicate dep-set 'default'; previously defined at ${dir}/ivpm.yaml:5:13`,
    "    - name: default",
  );
});

Deno.test("a duplicate package in a dep-set is reported with the first location", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: six
                src: pypi
              - name: six
                src: pypi
                version: "1.16"
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    8,
    17,
    `Duplicate package 'six' in dep-set 'default'; previously specified at ${dir}/ivpm.yaml:6:17`,
    "        - name: six",
  );
});

Deno.test("a uses cycle is reported once with the whole chain", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: a
            uses: b
            deps: []
          - name: b
            uses: c
            deps: []
          - name: c
            uses: a
            deps: []
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    11,
    13,
    "Cyclic dep-set inheritance: a -> b -> c -> a",
    "      uses: a",
  );
});

Deno.test("an unknown uses base is reported at the value with a suggestion", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps: []
          - name: default-dev
            uses: defualt
            deps: []
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    7,
    13,
    "Dep-set 'default-dev' uses unknown dep-set 'defualt'; did you mean 'default'?",
    "      uses: defualt",
  );
});

Deno.test("an include cycle is reported at the include entry that closes it, with the chain", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include: [a.yaml]
    `,
    "a.yaml": yaml`
      package:
        include:
          - b.yaml
    `,
    "b.yaml": yaml`
      package:
        include: [a.yaml]
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/b.yaml`,
    2,
    13,
    `Cyclic include: 'a.yaml' is already on the include chain (${dir}/ivpm.yaml -> ${dir}/a.yaml -> ${dir}/b.yaml -> ${dir}/a.yaml)`,
    "  include: [a.yaml]",
  );
});

Deno.test("an include of the root file itself is a cycle", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  include: [./ivpm.yaml]\n",
  });
  const d = only(diagnostics);
  equal(d.message.startsWith("Cyclic include: './ivpm.yaml'"), true, d.message);
  deepEqual(d.loc, { file: `${dir}/ivpm.yaml`, line: 3, col: 13 });
});

Deno.test("a missing include file is reported at its entry with the resolved path", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        include:
          - common/deps.yaml
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    4,
    7,
    `Include file 'common/deps.yaml' does not exist (resolved to ${dir}/common/deps.yaml)`,
    "    - common/deps.yaml",
  );
});

Deno.test("an include that sets name is reported in the included file", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  include: [part.yaml]\n",
    "part.yaml": "package:\n  name: other\n  deps-dir: deps\n",
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/part.yaml`,
    2,
    3,
    "Include 'part.yaml' may not set 'name'; package identity is anchored to the root file",
    "  name: other",
  );
  equal(d.notes?.[0], `root file: ${dir}/ivpm.yaml`);
});

Deno.test("an undeclared variable is reported where it is used", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        vars:
          branch: main
        dep-sets:
          - name: default
            deps:
              - name: lib
                url: https://example.com/lib.git
                branch: \${{brnch}}
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    10,
    19,
    "Undefined variable '${{brnch}}'; did you mean 'branch'?",
    "          branch: ${{brnch}}",
  );
  equal(d.notes?.[0], "declare it under package.vars (declared: branch)");
});

Deno.test("an undeclared variable embedded in a string is reported at that string", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  deps-dir: out/${{where}}/deps\n",
  });
  const d = only(diagnostics);
  equal(d.message, "Undefined variable '${{where}}'");
  deepEqual(d.loc, { file: `${dir}/ivpm.yaml`, line: 3, col: 13 });
});

Deno.test("with: naming an unknown handler is reported at the key with a suggestion", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        with:
          pyhton:
            venv: uv
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    4,
    5,
    "Unknown key 'pyhton' in package.with; did you mean 'python'?",
    "    pyhton:",
  );
  equal(d.notes?.[0], "valid keys: agents, direnv, fusesoc, modules, node, python");
});

Deno.test("a bad enum value in with.python.venv lists the accepted values", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        with:
          python:
            venv: uvx
    `,
  });
  assertAt(
    only(diagnostics),
    `${dir}/ivpm.yaml`,
    5,
    13,
    "'package.with.python.venv' must be one of true, false, uv, pip, not 'uvx'; did you mean 'uv'?",
    "      venv: uvx",
  );
});

Deno.test("old-style deps: at package level points to dep-sets", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        deps:
          - name: lib
            url: https://example.com/lib.git
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    3,
    3,
    "'deps' is the old ivpm.yaml format; move dependencies into 'dep-sets'",
    "  deps:",
  );
});

Deno.test("old-style dev-deps: in an included file is caught too", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  include: [old.yaml]\n",
    "old.yaml": "package:\n  dev-deps: []\n",
  });
  const d = only(diagnostics);
  equal(d.message, "'dev-deps' is the old ivpm.yaml format; move dependencies into 'dep-sets'");
  deepEqual(d.loc, { file: `${dir}/old.yaml`, line: 2, col: 3 });
});

Deno.test("a type-name typo is reported once, with a suggestion and the known types", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: lib
                url: https://example.com/lib.git
                type: pyhton
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    8,
    17,
    "Unknown type 'pyhton' in dependency 'lib'; did you mean 'python'?",
    "          type: pyhton",
  );
  equal(d.notes?.[0], "known types: module, node, python, raw");
});

Deno.test("a type typo inside a list or as a map key is reported at the name", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  type: [raw, {nod: {dev: true}}]\n",
  });
  const d = only(diagnostics);
  equal(d.message, "Unknown type 'nod' in package; did you mean 'node'?");
  deepEqual(d.loc, { file: `${dir}/ivpm.yaml`, line: 3, col: 16 });
});

Deno.test("an unknown type option names the type and the dependency", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: lib
                url: https://example.com/lib.git
                type: {python: {editabel: false}}
    `,
  });
  const d = only(diagnostics);
  equal(d.message, "Unknown key 'editabel' in type 'python' of dependency 'lib'; did you mean 'editable'?");
  deepEqual(d.loc, { file: `${dir}/ivpm.yaml`, line: 8, col: 27 });
});

Deno.test("with: on a dependency says to use inline type options", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        dep-sets:
          - name: default
            deps:
              - name: lib
                url: https://example.com/lib.git
                with:
                  python: {editable: false}
    `,
  });
  const d = only(diagnostics);
  assertAt(
    d,
    `${dir}/ivpm.yaml`,
    8,
    11,
    "Dependency 'lib': 'with:' is no longer supported on dependencies; use inline type options instead",
    "          with:",
  );
  equal(d.notes?.[0], "e.g. type: { python: { editable: false } }");
});

Deno.test("a tab in the source is shown as a space so the caret still lines up", async () => {
  const { diagnostics, dir } = await loadErrors({ "ivpm.yaml": "package:\n  name: x\n  bad:\t1\n" });
  const d = only(diagnostics);
  deepEqual(d.loc, { file: `${dir}/ivpm.yaml`, line: 3, col: 3 });
  deepEqual(renderDiagnostic(d).split("\n").slice(1, 3), ["  bad: 1", "  ^"]);
});

Deno.test("every error of a file is reported in one run, in file order", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": yaml`
      package:
        name: proj
        verison: 1
        with:
          python: {venv: maybe}
        dep-sets:
          - name: default
            deps:
              - name: a
                url: https://example.com/a.tar.gz
                tag: v1
              - name: b
                src: gti
                url: https://example.com/b.git
              - name: c
                src: pypi
                version: \${{cver}}
          - name: dev
            uses: nope
            deps: []
        default-dep-set: devv
    `,
  });
  const f = `${dir}/ivpm.yaml`;
  deepEqual(
    diagnostics.map((d) => [d.loc?.line, d.loc?.col, d.message]),
    [
      [3, 3, "Unknown key 'verison' in package; did you mean 'version'?"],
      [5, 20, "'package.with.python.venv' must be one of true, false, uv, pip, not 'maybe'"],
      [11, 11, "Dependency 'a': key 'tag' does not apply to src 'http' (it is for git)"],
      [
        13,
        16,
        "'src' of dependency 'b' must be one of dir, file, http, git, pypi, url, gh-rls, fusesoc, module, npm, package.json, pyproject.toml, ivpm.yaml, not 'gti'; did you mean 'git'?",
      ],
      [17, 20, "Undefined variable '${{cver}}'"],
      [19, 13, "Dep-set 'dev' uses unknown dep-set 'nope'"],
      [21, 20, "Default dep-set 'devv' is not defined; did you mean 'dev'?"],
    ],
  );
  for (const d of diagnostics) equal(d.loc?.file, f);
});

Deno.test("errors in an include are reported with the include's file and line", async () => {
  const { diagnostics, dir } = await loadErrors({
    "ivpm.yaml": "package:\n  name: proj\n  include: [inc/part.yaml]\n  bogus: 1\n",
    "inc/part.yaml": "package:\n  env:\n    - name: X\n      value: 1\n      path: /x\n",
  });
  deepEqual(diagnostics.map((d) => `${d.loc?.file}:${d.loc?.line}:${d.loc?.col}: ${d.message}`), [
    `${dir}/ivpm.yaml:4:3: Unknown key 'bogus' in package`,
    `${dir}/inc/part.yaml:5:7: Env directive 'X' sets both 'value' and 'path'; use one`,
  ]);
});

Deno.test("a missing ivpm.yaml is a user error with a hint, not a crash", async () => {
  await using p = await tempProject({});
  try {
    loadConfigFile(p.file);
    ok(false, "expected an error");
  } catch (e) {
    ok(e instanceof IvpmError, String(e));
    equal(e.message, `Failed to locate IVPM meta-data: no ivpm.yaml in ${p.dir}`);
    equal(e.hint, "run 'ivpm init <name>' to create one, or pass -p <project-dir>");
  }
});

Deno.test("a YAML error in an include stops that include only and is reported in its file", async () => {
  await using p = await tempProject({
    "ivpm.yaml": "package:\n  name: proj\n  include: [bad.yaml]\n  deps-dir: /abs\n",
    "bad.yaml": "package:\n  env: [\n",
  });
  const e = catchConfigError(() => loadConfigFile(p.file));
  deepEqual(e.diagnostics.map((d) => d.loc?.file), [p.file, p.path("bad.yaml")]);
  equal(e.diagnostics[0].message, "'deps-dir' must be a relative path inside the project, not '/abs'");
});
