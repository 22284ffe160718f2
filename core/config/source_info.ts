/**
 * Descriptions of the built-in source types: the keys each accepts (validated
 * in ivpm.yaml and published in the JSON Schema) and what it does.
 *
 * @module
 */

import { s, type Schema } from "./schema.ts";
import type { SourceInfo as PluginSourceInfo } from "../plugin_api/source.ts";
import { normalizeName } from "../../plugins/python/pep508.ts";

/**
 * Static description of a source type, enough to validate `ivpm.yaml` and print help: the
 * plugin API's {@link PluginSourceInfo}, completed and with where it comes from.
 */
export interface SourceInfo extends PluginSourceInfo {
  description: string;
  /** Dependency keys this source accepts besides the common ones. */
  keys: Record<string, Schema>;
  /** Creates no `packages/<name>` directory (pypi, npm, ivpm.yaml factories…). */
  virtual?: boolean;
  /**
   * How its names compare when not as written: two of its declarations with the same
   * `key` are one package (first declaration wins); `rule` says how, for messages.
   * Absent: names compare exactly (npm's are case-sensitive).
   */
  names?: { key(name: string): string; rule: string };
  /** Where it comes from: `built-in` or a plugin spec. */
  origin: string;
}

const url = s.string("Location of the package", { format: "uri-reference" });
const cache = s.boolean("Store the fetched content once in the shared cache and link it (read-only)");
const sha256 = s.string("Expected SHA-256 (hex) of the downloaded file; a mismatch fails the update");
const unpack = s.boolean("Unpack the archive (default true; false keeps the file as downloaded)");

/** Built-in sources, in the order `ivpm show source` lists them. */
export const builtinSources: SourceInfo[] = [
  {
    name: "dir",
    description: "A local directory, symlinked (or copied with link: false) into packages/",
    keys: { url, link: s.boolean("Symlink the directory (default true); false copies it") },
    required: ["url"],
    origin: "built-in",
  },
  {
    name: "file",
    description: "A local archive or file (path or file:// URL), unpacked into packages/",
    keys: { url, unpack, cache, sha256 },
    required: ["url"],
    origin: "built-in",
  },
  {
    name: "http",
    description:
      "An archive (.tar.gz, .tgz, .tar.xz, .tar.bz2, .zip, .jar) or plain file downloaded over HTTP(S)",
    keys: { url, unpack, cache, sha256 },
    required: ["url"],
    origin: "built-in",
  },
  {
    name: "git",
    description: "A git repository cloned into packages/ (branch, tag or commit)",
    keys: {
      url,
      branch: s.string("Branch to check out"),
      tag: s.string("Tag to check out"),
      commit: s.string("Commit to check out (full or abbreviated SHA)"),
      depth: s.integer("Shallow-clone depth", 1),
      cache,
      anonymous: s.boolean("Use the URL as written (no SSH rewrite)"),
      submodules: s.boolean("Initialise submodules (default: when .gitmodules exists)"),
    },
    required: ["url"],
    origin: "built-in",
  },
  {
    name: "pypi",
    description: "A Python package installed from the package index into the project venv",
    keys: {
      version: s.scalar("PEP 440 version or specifier (a bare version means ==version)"),
      extras: s.union([s.string(), s.array(s.string())], "Extras to install"),
    },
    virtual: true,
    // As pip does: `Sphinx`, `sphinx`; `typing_extensions`, `typing-extensions` (PEP 503).
    names: {
      key: normalizeName,
      rule: "pypi names compare PEP 503-normalised: case-insensitive, with runs of '-', '_' and '.' alike",
    },
    origin: "built-in",
  },
  {
    name: "url",
    description: "A package already present under packages/ (nothing is fetched); its ivpm.yaml is read",
    keys: { url, cache },
    origin: "built-in",
  },
  {
    name: "gh-rls",
    description: "An asset of a GitHub release, chosen for this platform, downloaded and unpacked",
    keys: {
      url,
      version: s.scalar("'latest' (default), an exact tag, a version prefix or a semver range"),
      file: s.string("Asset name prefix or glob"),
      prerelease: s.boolean("Consider pre-releases"),
      source: s.boolean("Use the source tarball instead of a binary asset"),
      cache,
      unpack,
      sha256,
    },
    required: ["url"],
    origin: "built-in",
  },
  {
    name: "fusesoc",
    description: "A FuseSoC core located by VLNV in the fusesoc-cores index",
    keys: { vlnv: s.string("vendor:library:name[:version]") },
    required: ["vlnv"],
    origin: "built-in",
  },
  {
    name: "module",
    description: "An Environment Modules / Lmod module (nothing is copied)",
    keys: {
      module: s.string("Module to load, e.g. gcc/15.2.0"),
      version: s.scalar("Version; the module becomes <name>/<version>"),
      root: s.string("Installation root (default: the modulefile's directory)"),
      "resolve-root": s.boolean("Derive the root from 'module show'"),
    },
    virtual: true,
    origin: "built-in",
  },
  {
    name: "npm",
    description: "A Node package installed by the node handler into packages/node",
    keys: {
      version: s.scalar("npm version range (default *)"),
      dev: s.boolean("Install as a devDependency"),
      optional: s.boolean("Install as an optionalDependency"),
    },
    virtual: true,
    origin: "built-in",
  },
  {
    name: "package.json",
    description: "Dependencies harvested from a package.json and installed by the node handler",
    keys: { url, path: s.string("Path relative to the project (default package.json)") },
    virtual: true,
    origin: "built-in",
  },
  {
    name: "pyproject.toml",
    description: "Dependencies harvested from a pyproject.toml and installed by the python handler",
    keys: {
      url,
      path: s.string("Path relative to the project (default pyproject.toml)"),
      include: s.union(
        [s.string(), s.array(s.string())],
        "Sections: dependencies, optional-dependencies.<x>, dependency-groups.<g>, all",
      ),
    },
    virtual: true,
    origin: "built-in",
  },
  {
    name: "ivpm.yaml",
    description: "A dep-set factory: the dependencies of a dep-set in another ivpm.yaml (local or http)",
    keys: { url },
    required: ["url"],
    virtual: true,
    origin: "built-in",
  },
];

/**
 * The key under which declarations of the same package meet although spelled differently
 * (`pypi\0sphinx` for `Sphinx`), or undefined when the source compares names as written.
 */
export function nameKeyOf(
  info: Pick<SourceInfo, "name" | "names"> | undefined,
  name: string,
): string | undefined {
  return info?.names ? `${info.name}\0${info.names.key(name)}` : undefined;
}

/** The built-in description of a source, by name. */
export function infoOf(name: string): SourceInfo {
  const info = builtinSources.find((s) => s.name === name);
  if (!info) throw new Error(`no built-in source '${name}'`);
  return info;
}
