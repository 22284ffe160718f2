/**
 * Generates `docs/ivpm-yaml.md`, the reference of every `ivpm.yaml` key, from the same definitions the
 * loader validates with (so it cannot list a key the loader refuses, or miss one), plus a hand-written
 * example for each key. `deno run -A scripts/ivpm_yaml_doc.ts > docs/ivpm-yaml.md` regenerates it; a test
 * keeps it in step.
 *
 * @module
 */

import { commonDependencyKeys, packageSchema, type SchemaInputs } from "../core/config/ivpm_schema.ts";
import { builtinSchemaInputs } from "../core/config/load.ts";
import type { Schema } from "../core/config/schema.ts";

/** Project keys (under `package:`), in the order a reader meets them, with an example each. */
const PACKAGE_KEYS: [string, string, string][] = [
  ["name", "Project name (required).", "name: soc"],
  ["version", "Project version (informational).", 'version: "1.4.0"'],
  ["type", "Content type(s) of the project itself, as for a dependency.", "type: python"],
  ["deps-dir", "Where dependencies go, relative to the project (default `packages`).", "deps-dir: deps"],
  ["default-dep-set", "Dep-set `ivpm update` uses without `-d`.", "default-dep-set: default-dev"],
  [
    "dep-sets",
    "Named lists of dependencies; `uses:` inherits another set; a set's `default-dep-set` is what its " +
    "dependencies load from their own ivpm.yaml.",
    "dep-sets:\n  - name: default\n    deps:\n      - name: uart\n        url: https://github.com/org/uart.git\n" +
    "  - name: default-dev\n    uses: default\n    deps:\n      - name: pytest\n        src: pypi",
  ],
  [
    "with",
    "Handler configuration, keyed by handler name (see docs/handlers.md).",
    "with:\n  python:\n    venv: true",
  ],
  [
    "env",
    "Environment directives `ivpm activate` applies: `value`, `path`, `path-append`, `path-prepend`.",
    "env:\n  - name: SOC_ROOT\n    path: .\n  - name: PATH\n    path-prepend: tools/bin",
  ],
  [
    "env-sets",
    "Named groups of env directives.",
    "env-sets:\n  - name: sim\n    env:\n      - name: SIM\n        value: verilator",
  ],
  [
    "paths",
    "kind → type → paths, printed by `ivpm pkg-info` (incdirs, libdirs, libs).",
    "paths:\n  export:\n    incdirs: [include]\n    libdirs: [lib]\n    libs: [uart]",
  ],
  [
    "vars",
    "Variables used as `${{name}}`; values are defaults (`-D name=value`, `IVPM_VAR_name`).",
    "vars:\n  ref: main",
  ],
  [
    "include",
    "Files whose `package:` bodies are merged into this one (regular files only).",
    "include: [deps/common.yaml]",
  ],
  ["setup-deps", "Packages installed before the others (e.g. a build backend).", "setup-deps: [setuptools]"],
  [
    "plugins",
    "Plugins for this project: a spec, or a mapping with `allow-read/write/run/net/env`, `timeout`, `options`.",
    "plugins:\n  - jsr:@acme/fusesoc-libs@^0.1\n  - spec: ./tools/lint.ts\n    allow-run: [verilator]\n    timeout: 600",
  ],
];

/** Keys every dependency accepts, with an example each. */
const COMMON_EXAMPLES: Record<string, string> = {
  name: "name: uart   # becomes packages/uart\n# name: vendor/uart   # becomes packages/vendor/uart",
  src: "src: git   # usually detected from url",
  url: "url: https://github.com/org/uart.git",
  type: "type: python   # or [python, raw], or {python: {editable: false}}",
  "dep-set": "dep-set: release   # which dep-set of its own ivpm.yaml to load",
  deps: "deps: skip   # ignore its own dependencies",
  pypi: "pypi: true   # same as src: pypi",
  agents: "agents:\n  skills: [skills/lint]",
};

/** Per-source keys, with an example each. */
const SOURCE_EXAMPLES: Record<string, Record<string, string>> = {
  dir: { url: "url: ../uart   # a path or file:// URL", link: "link: false   # copy instead of symlink" },
  file: {
    url: "url: vendor/uart-1.0.tar.gz",
    unpack: "unpack: false   # keep the file as it is",
    cache: "cache: true",
    sha256: "sha256: 4b20a147…   # 64 hex digits; a mismatch fails the update",
  },
  http: {
    url: "url: https://example.com/uart-1.0.tar.gz",
    unpack: "unpack: false",
    cache: "cache: false   # unpacked read-only: fetched, not for editing",
    sha256: "sha256: 4b20a147…",
  },
  git: {
    url: "url: git@github.com:org/uart.git",
    branch: "branch: develop",
    tag: "tag: v1.2.0",
    commit: "commit: 1a2b3c4d",
    depth: "depth: 1",
    cache: "cache: true   # one read-only clone per commit in the shared cache",
    anonymous: "anonymous: true   # keep https:// (no SSH rewrite)",
    submodules: "submodules: false",
  },
  pypi: { version: 'version: ">=2.31,<3"', extras: "extras: [socks]" },
  url: { url: "url: packages/prebuilt   # already there; nothing is fetched", cache: "cache: false" },
  "gh-rls": {
    url: "url: https://github.com/org/tool",
    version: 'version: "^1.4"   # or latest',
    file: "file: tool-linux-*.tar.gz",
    prerelease: "prerelease: true",
    source: "source: true   # the source tarball instead of a binary",
    cache: "cache: true",
    unpack: "unpack: false",
    sha256: "sha256: 4b20a147…",
  },
  fusesoc: { vlnv: "vlnv: fusesoc:utils:generators:0.1.7" },
  module: {
    module: "module: gcc/15.2.0",
    version: "version: 15.2.0   # with name: gcc, same as module: gcc/15.2.0",
    root: "root: /opt/tools/gcc/15.2.0",
    "resolve-root": "resolve-root: true   # ask 'module show'",
  },
  npm: { version: 'version: "^5.0.0"', dev: "dev: true", optional: "optional: true" },
  "package.json": { url: "url: web   # a directory holding package.json", path: "path: web/package.json" },
  "pyproject.toml": {
    url: "url: .",
    path: "path: tools/pyproject.toml",
    include: "include: [dependencies, optional-dependencies.test]",
  },
  "ivpm.yaml": { url: "url: https://example.com/deps/common.yaml" },
};

function describe(schema: Schema): string {
  return (schema.description ?? "").replace(/\|/g, "\\|");
}

function example(text: string): string {
  return "```yaml\n" + text + "\n```";
}

/** The markdown text of docs/ivpm-yaml.md. */
export function ivpmYamlDoc(inputs: SchemaInputs = builtinSchemaInputs()): string {
  const out: string[] = [
    "<!-- Generated by scripts/ivpm_yaml_doc.ts from the definitions ivpm validates with; do not edit. -->",
    "",
    "# ivpm.yaml reference",
    "",
    "Every key `ivpm.yaml` accepts, with an example. The machine-readable form is",
    "[ivpm.schema.json](ivpm.schema.json) (`ivpm show --schema`); an unknown key is an error with a",
    "did-you-mean, reported as `file:line:col` with the line and a caret.",
    "",
    "## The project (`package:`)",
    "",
  ];
  const documented = new Set(PACKAGE_KEYS.map(([k]) => k));
  for (const key of Object.keys(packageSchema(inputs).properties)) {
    if (!documented.has(key)) throw new Error(`no entry for the package key '${key}'`);
  }
  for (const [key, text, ex] of PACKAGE_KEYS) out.push(`### \`${key}\``, "", text, "", example(ex), "");
  out.push("## Keys of every dependency", "");
  const common = commonDependencyKeys(inputs);
  for (const [key, schema] of Object.entries(common)) {
    const ex = COMMON_EXAMPLES[key];
    if (!ex) throw new Error(`no example for the dependency key '${key}'`);
    out.push(`### \`${key}\``, "", describe(schema), "", example(ex), "");
  }
  out.push("## Keys by source (`src:`)", "");
  for (const src of inputs.sources) {
    out.push(`### \`src: ${src.name}\``, "", src.description + ".", "");
    const keys = Object.entries(src.keys);
    if (!keys.length) continue;
    out.push("| Key | Required | Meaning | Example |", "| --- | --- | --- | --- |");
    for (const [key, schema] of keys) {
      const ex = SOURCE_EXAMPLES[src.name]?.[key];
      if (!ex) throw new Error(`no example for '${key}' of src: ${src.name}`);
      const required = src.required?.includes(key) ? "yes" : "";
      out.push(`| \`${key}\` | ${required} | ${describe(schema)} | \`${ex.replace(/\|/g, "\\|")}\` |`);
    }
    out.push("");
  }
  return out.join("\n");
}

if (import.meta.main) console.log(ivpmYamlDoc());
