/**
 * Loading an `ivpm.yaml`: parse → include merge → variables → schema validation →
 * semantic checks → typed {@link ProjectConfig}. Every problem of a file is
 * collected and reported together, each with its exact position.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError, IvpmError } from "../base/errors.ts";
import type { Diagnostic, Loc } from "../base/diagnostics.ts";
import { formatLoc } from "../base/diagnostics.ts";
import { closestMatch } from "../util/suggest.ts";
import { packageNameProblem, PackageNames } from "../util/package_name.ts";
import { resolveIncludes } from "./include.ts";
import { type ReadText, readTextOrUndefined, UnreadableConfigFile } from "./read_text.ts";
import { builtinSchemaInputs } from "./schema_inputs.ts";
import { peekDepsDir } from "./deps_dir.ts";
import { commonDependencyKeys, packageSchema, type SchemaInputs } from "./ivpm_schema.ts";
import { getEntry, type LMap, type LNode, parseLocated, toPlain } from "./located.ts";
import type {
  DependencySpec,
  DepSet,
  EnvDirective,
  EnvSet,
  PluginEntry,
  ProjectConfig,
  TypeSpec,
} from "./model.ts";
import { applySchemaTypes, validateNode } from "./schema.ts";
import { pypiDiagnostics } from "./pypi_check.ts";
import { nameKeyOf } from "./source_info.ts";
import { resolveVars, substitute, type VarSources } from "./vars.ts";

export { builtinSchemaInputs, peekDepsDir };

/** Options for loading a project file. */
export interface LoadOptions extends VarSources {
  /** Registered sources, types and handler options (defaults to the built-ins). */
  inputs?: SchemaInputs;
  read?: ReadText;
}

/** Loads `<dir>/ivpm.yaml`; a missing file is a clear user error. */
export function loadProject(dir: string, opts: LoadOptions = {}): ProjectConfig {
  const file = resolve(dir, "ivpm.yaml");
  return loadConfigFile(file, opts);
}

/** Loads and validates one ivpm.yaml file. Throws {@link ConfigError} with every problem found. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): ProjectConfig {
  const read = opts.read ?? readTextOrUndefined;
  const inputs = opts.inputs ?? builtinSchemaInputs();
  let text: string | undefined;
  try {
    text = read(file);
  } catch (e) {
    if (e instanceof UnreadableConfigFile) throw new ConfigError([e.diagnostic(file)]);
    throw e;
  }
  if (text === undefined) {
    throw new IvpmError(`Failed to locate IVPM meta-data: no ivpm.yaml in ${dirname(file)}`, {
      hint: "run 'ivpm init <name>' to create one, or pass -p <project-dir>",
    });
  }
  const diags: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const parsed = parseLocated(file, text);
  if (parsed.diagnostics.length || !parsed.root) {
    if (!parsed.root && !parsed.diagnostics.length) {
      throw new ConfigError([{
        severity: "error",
        message: "Empty ivpm.yaml file",
        loc: { file, line: 1, col: 1 },
      }]);
    }
    throw new ConfigError(parsed.diagnostics);
  }
  const root = parsed.root;
  if (root.kind !== "map") {
    throw new ConfigError([{
      severity: "error",
      message: `The file must be a mapping with a 'package:' key, not ${
        root.kind === "seq" ? "a list" : "a scalar"
      }`,
      loc: root.loc,
    }]);
  }
  for (const e of root.entries) {
    if (e.key !== "package" && e.key !== "$schema") {
      diags.push({
        severity: "error",
        message: `Unknown top-level key '${e.key}'${
          closestMatch(e.key, ["package"]) ? "; did you mean 'package'?" : ""
        }`,
        loc: e.keyLoc,
        notes: ["ivpm.yaml holds one 'package:' mapping (and optionally '$schema')"],
      });
    }
  }
  const pkgEntry = getEntry(root, "package");
  if (!pkgEntry) {
    diags.push({ severity: "error", message: "Missing 'package' section", loc: root.loc });
    throw new ConfigError(diags);
  }
  if (pkgEntry.value.kind !== "map") {
    diags.push({ severity: "error", message: "'package' must be a mapping", loc: pkgEntry.value.loc });
    throw new ConfigError(diags);
  }
  let pkg: LMap = pkgEntry.value;
  const files = [file];
  pkg = resolveIncludes(pkg, file, diags, (p) => {
    const t = read(p);
    if (t !== undefined && !files.includes(p)) files.push(p);
    return t;
  });
  // After the merge, so an include written in the old format is caught too.
  for (const old of ["deps", "dev-deps"]) {
    const e = getEntry(pkg, old);
    if (e) {
      diags.push({
        severity: "error",
        message: `'${old}' is the old ivpm.yaml format; move dependencies into 'dep-sets'`,
        loc: e.keyLoc,
        notes: ["e.g. dep-sets: [{name: default, deps: [...]}, {name: default-dev, deps: [...]}]"],
      });
      pkg = { ...pkg, entries: pkg.entries.filter((x) => x.key !== old) };
    }
  }

  // Variables: resolved after the merge so an include may use a variable declared by the includer.
  const varsEntry = getEntry(pkg, "vars");
  let vars: Record<string, string | number | boolean> = {};
  if (varsEntry && varsEntry.value.kind !== "map") {
    diags.push({
      severity: "error",
      message: "'vars' must be a mapping of name: default",
      loc: varsEntry.value.loc,
    });
  } else {
    vars = resolveVars(varsEntry?.value as LMap | undefined, opts, diags);
  }
  pkg = { ...pkg, entries: pkg.entries.filter((e) => e.key !== "vars") };
  pkg = substitute(pkg, vars, diags) as LMap;

  const schema = packageSchema(inputs);
  validateNode(pkg, schema, "package", diags);
  pkg = applySchemaTypes(pkg, schema) as LMap;
  const config = buildModel(pkg, file, inputs, diags, warnings);
  config.vars = vars;
  config.files = files;
  const errors = diags.filter((d) => d.severity === "error" || d.severity === "fatal");
  if (errors.length) throw new ConfigError(sortDiags(errors, files));
  config.warnings = warnings;
  return config;
}

function sortDiags(d: Diagnostic[], files: string[]): Diagnostic[] {
  // Reproducible order: root file first, then includes as read, each by position; unlocated last.
  const rank = (x: Diagnostic) => {
    if (!x.loc) return Number.MAX_SAFE_INTEGER;
    const i = files.indexOf(x.loc.file);
    return i < 0 ? files.length : i;
  };
  return [...d].sort((a, b) =>
    rank(a) - rank(b) || (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0)
  );
}

/** First letter upper-cased, for a `where` that starts a sentence. */
function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function str(node: LNode | undefined): string | undefined {
  if (!node || node.kind !== "scalar" || node.value === null) return undefined;
  return String(node.value);
}

function buildModel(
  pkg: LMap,
  file: string,
  inputs: SchemaInputs,
  diags: Diagnostic[],
  warnings: Diagnostic[],
): ProjectConfig {
  const dir = dirname(file);
  const name = str(getEntry(pkg, "name")?.value);
  if (!getEntry(pkg, "name")) {
    diags.push({ severity: "error", message: "Missing 'name' in package", loc: pkg.loc });
  }
  const depsDir = str(getEntry(pkg, "deps-dir")?.value) ?? "packages";
  const depsDirEntry = getEntry(pkg, "deps-dir");
  if (depsDirEntry && (isAbsolute(depsDir) || depsDir.split(/[\\/]/).includes(".."))) {
    diags.push({
      severity: "error",
      message: `'deps-dir' must be a relative path inside the project, not '${depsDir}'`,
      loc: depsDirEntry.value.loc,
    });
  }
  const withEntry = getEntry(pkg, "with");
  const withCfg = (withEntry?.value.kind === "map" ? toPlain(withEntry.value) : {}) as Record<
    string,
    Record<string, unknown>
  >;

  const depSets = buildDepSets(pkg, dir, inputs, diags);
  if (!getEntry(pkg, "dep-sets")) {
    warnings.push({
      severity: "warning",
      message: "No dependencies (no 'dep-sets' in package)",
      loc: pkg.loc,
    });
  }
  const defaultDepSetEntry = getEntry(pkg, "default-dep-set");
  const defaultDepSet = str(defaultDepSetEntry?.value);
  if (
    defaultDepSet && defaultDepSetEntry && depSets.length && !depSets.some((d) => d.name === defaultDepSet)
  ) {
    const m = closestMatch(defaultDepSet, depSets.map((d) => d.name));
    diags.push({
      severity: "error",
      message: `Default dep-set '${defaultDepSet}' is not defined${m ? `; did you mean '${m}'?` : ""}`,
      loc: defaultDepSetEntry.value.loc,
      notes: [`dep-sets: ${depSets.map((d) => d.name).join(", ")}`],
    });
  }

  const envEntry = getEntry(pkg, "env");
  const env = envEntry?.value.kind === "seq" ? envEntry.value.items.map((i) => envDirective(i, diags)) : [];
  const envSetsEntry = getEntry(pkg, "env-sets");
  const envSets: EnvSet[] = [];
  if (envSetsEntry?.value.kind === "seq") {
    for (const item of envSetsEntry.value.items) {
      if (item.kind !== "map") continue;
      const e = getEntry(item, "env");
      envSets.push({
        name: str(getEntry(item, "name")?.value) ?? "",
        env: e?.value.kind === "seq" ? e.value.items.map((i) => envDirective(i, diags)) : [],
      });
    }
  }
  const pathsEntry = getEntry(pkg, "paths");
  const paths: Record<string, Record<string, string[]>> = {};
  if (pathsEntry?.value.kind === "map") {
    for (const k of pathsEntry.value.entries) {
      if (k.value.kind !== "map") continue;
      paths[k.key] = {};
      for (const t of k.value.entries) {
        if (t.value.kind !== "seq") continue;
        // Paths are relative to the file that declared them (an include keeps its own base).
        paths[k.key][t.key] = t.value.items.map((p) => resolve(dirname(p.loc.file), String(toPlain(p))));
      }
    }
  }
  const setupDepsEntry = getEntry(pkg, "setup-deps");
  const setupDeps = setupDepsEntry?.value.kind === "seq"
    ? setupDepsEntry.value.items.map((i) => String(toPlain(i)))
    : [];
  const pluginsEntry = getEntry(pkg, "plugins");
  const plugins: PluginEntry[] = [];
  if (pluginsEntry?.value.kind === "seq") {
    for (const item of pluginsEntry.value.items) {
      if (item.kind === "scalar") plugins.push({ spec: String(item.value), options: {}, loc: item.loc });
      else if (item.kind === "map") {
        const plain = toPlain(item) as Record<string, unknown>;
        plugins.push({ spec: String(plain.spec ?? ""), options: plain, loc: item.loc });
      }
    }
  }
  const typeEntry = getEntry(pkg, "type");
  return {
    file,
    dir,
    name: name ?? "",
    version: str(getEntry(pkg, "version")?.value),
    types: typeEntry ? parseTypes(typeEntry.value, inputs, "package", diags) : [],
    with: withCfg,
    depsDir,
    defaultDepSet,
    depSets,
    env,
    envSets,
    paths,
    setupDeps,
    vars: {},
    plugins,
    files: [file],
    warnings: [],
  };
}

function envDirective(node: LNode, diags: Diagnostic[]): EnvDirective {
  const ops = ["value", "path", "path-append", "path-prepend"] as const;
  const out: EnvDirective = { name: "", op: "value", value: "", loc: node.loc };
  if (node.kind !== "map") return out;
  out.name = str(getEntry(node, "name")?.value) ?? "";
  const present = ops.filter((o) => getEntry(node, o));
  if (present.length === 0) {
    diags.push({
      severity: "error",
      message: `Env directive '${out.name}' needs one of: value, path, path-append, path-prepend`,
      loc: node.loc,
    });
  } else if (present.length > 1) {
    diags.push({
      severity: "error",
      message: `Env directive '${out.name}' sets both '${present[0]}' and '${present[1]}'; use one`,
      loc: getEntry(node, present[1])!.keyLoc,
    });
  }
  if (present.length) {
    out.op = present[0];
    const v = toPlain(getEntry(node, present[0])!.value);
    out.value = Array.isArray(v) ? v.map(String) : String(v ?? "");
  }
  return out;
}

/** Parses a `type:` field into type specs, validating names and options. */
export function parseTypes(
  node: LNode,
  inputs: SchemaInputs,
  where: string,
  diags: Diagnostic[],
): TypeSpec[] {
  const out: TypeSpec[] = [];
  const known = new Map(inputs.types.map((t) => [t.name, t]));
  const add = (name: string, opts: LNode | undefined, loc: Loc) => {
    const info = known.get(name);
    if (!info) {
      const m = closestMatch(name, known.keys());
      diags.push({
        severity: "error",
        message: `Unknown type '${name}' in ${where}${m ? `; did you mean '${m}'?` : ""}`,
        loc,
        notes: [`known types: ${[...known.keys()].join(", ")}`],
      });
      return;
    }
    if (opts && opts.kind !== "scalar") validateNode(opts, info.options, `type '${name}' of ${where}`, diags);
    const plain = opts && opts.kind === "map" ? toPlain(opts) as Record<string, unknown> : {};
    if (!out.some((t) => t.name === name)) out.push({ name, options: plain, loc });
  };
  const one = (n: LNode) => {
    if (n.kind === "scalar" && typeof n.value === "string") add(n.value, undefined, n.loc);
    else if (n.kind === "map") { for (const e of n.entries) add(e.key, e.value, e.keyLoc); }
  };
  if (node.kind === "seq") node.items.forEach(one);
  else one(node);
  return out;
}

function buildDepSets(pkg: LMap, dir: string, inputs: SchemaInputs, diags: Diagnostic[]): DepSet[] {
  const dsEntry = getEntry(pkg, "dep-sets");
  if (!dsEntry || dsEntry.value.kind !== "seq") return [];
  const raw: { set: DepSet; node: LMap; usesLoc?: Loc }[] = [];
  const seen = new Map<string, Loc>();
  for (const item of dsEntry.value.items) {
    if (item.kind !== "map") continue;
    const nameNode = getEntry(item, "name");
    const name = str(nameNode?.value);
    if (!name) continue;
    const prev = seen.get(name);
    if (prev) {
      diags.push({
        severity: "error",
        message: `Duplicate dep-set '${name}'; previously defined at ${formatLoc(prev)}`,
        loc: nameNode!.value.loc,
      });
      continue;
    }
    seen.set(name, nameNode!.value.loc);
    const usesEntry = getEntry(item, "uses");
    const set: DepSet = {
      name,
      deps: [],
      uses: str(usesEntry?.value),
      defaultDepSet: str(getEntry(item, "default-dep-set")?.value),
      loc: item.loc,
    };
    const depsNode = getEntry(item, "deps")?.value;
    // By name, and by the key the source compares names by (`Sphinx` is pypi's `sphinx`).
    const names = new Map<string, DependencySpec>();
    if (depsNode?.kind === "seq") {
      for (const d of depsNode.items) {
        const dep = buildDependency(d, set, dir, inputs, diags);
        if (!dep) continue;
        const key = depKey(dep, inputs);
        const p = names.get(dep.name) ?? (key === undefined ? undefined : names.get(key));
        if (p) {
          const same = p.name === dep.name
            ? ""
            : ` (the same package as '${p.name}': ${ruleOf(dep, inputs)})`;
          diags.push({
            severity: "error",
            message: `Duplicate package '${dep.name}' in dep-set '${name}'${same}; previously specified at ${
              formatLoc(p.loc)
            }`,
            loc: dep.loc,
          });
          continue;
        }
        names.set(dep.name, dep);
        if (key !== undefined) names.set(key, dep);
        set.deps.push(dep);
      }
    }
    raw.push({ set, node: item, usesLoc: usesEntry?.value.loc });
  }
  // `uses:` inheritance; order-independent, any depth, cycles reported with the chain.
  const byName = new Map(raw.map((r) => [r.set.name, r]));
  const resolved = new Map<string, DependencySpec[]>();
  const resolveSet = (name: string, chain: string[]): DependencySpec[] => {
    const done = resolved.get(name);
    if (done) return done;
    const r = byName.get(name)!;
    if (!r.set.uses) {
      resolved.set(name, r.set.deps);
      return r.set.deps;
    }
    if (!byName.has(r.set.uses)) {
      const m = closestMatch(r.set.uses, byName.keys());
      diags.push({
        severity: "error",
        message: `Dep-set '${name}' uses unknown dep-set '${r.set.uses}'${m ? `; did you mean '${m}'?` : ""}`,
        loc: r.usesLoc,
      });
      resolved.set(name, r.set.deps);
      return r.set.deps;
    }
    if (chain.includes(r.set.uses)) {
      const cyc = [...chain.slice(chain.indexOf(r.set.uses)), r.set.uses];
      diags.push({
        severity: "error",
        message: `Cyclic dep-set inheritance: ${cyc.join(" -> ")}`,
        loc: r.usesLoc,
      });
      resolved.set(name, r.set.deps);
      return r.set.deps;
    }
    const base = [...resolveSet(r.set.uses, [...chain, r.set.uses])];
    for (const d of r.set.deps) {
      const key = depKey(d, inputs);
      const i = base.findIndex((b) => b.name === d.name || (key !== undefined && depKey(b, inputs) === key));
      if (i >= 0) base[i] = d;
      else base.push(d);
    }
    resolved.set(name, base);
    return base;
  };
  for (const r of raw) r.set.deps = resolveSet(r.set.name, [r.set.name]);
  const reported = new Set<DependencySpec>(); // an inherited clash is reported once, not per dep-set
  for (const r of raw) checkNesting(r.set, reported, inputs, diags);
  return raw.map((r) => r.set);
}

/** The key `dep`'s source compares names by (see nameKeyOf); undefined when names compare as written. */
function depKey(dep: DependencySpec, inputs: SchemaInputs): string | undefined {
  return nameKeyOf(inputs.sources.find((s) => s.name === dep.src), dep.name);
}

/** How `dep`'s source compares names, for messages. */
function ruleOf(dep: DependencySpec, inputs: SchemaInputs): string {
  return inputs.sources.find((s) => s.name === dep.src)?.names?.rule ?? "names compare as written";
}

/** What a package name may be, for the notes of name diagnostics. */
const PACKAGE_NAME_NOTE =
  "a package name is its directory under the deps dir: letters, digits and _ . @ + -, " +
  "with '/' to nest it in a group directory (never inside another package)";

/**
 * Reports packages of one dep-set (inherited ones included) whose directories collide:
 * one inside another (`libA` and `libA/sub`), or the same on a case-insensitive file system.
 */
function checkNesting(
  set: DepSet,
  reported: Set<DependencySpec>,
  inputs: SchemaInputs,
  diags: Diagnostic[],
): void {
  const seen = new PackageNames();
  const byName = new Map<string, DependencySpec>();
  for (const dep of set.deps) {
    if (packageNameProblem(dep.name)) continue; // reported as an invalid name
    // A package without a directory (pypi, npm) collides only with one that has one.
    const hasDirectory = !inputs.sources.find((s) => s.name === dep.src)?.virtual;
    const clash = seen.conflict(dep.name, hasDirectory);
    if (clash) {
      const other = byName.get(clash.other)!;
      if (reported.has(dep)) continue;
      reported.add(dep);
      diags.push({
        severity: "error",
        message:
          `Dependency '${dep.name}' collides with '${clash.other}' in dep-set '${set.name}': ${clash.reason}`,
        loc: dep.loc,
        notes: [`'${clash.other}' is declared at ${formatLoc(other.loc)}`, PACKAGE_NAME_NOTE],
      });
      continue;
    }
    seen.add(dep.name, hasDirectory);
    byName.set(dep.name, dep);
  }
}

function detectSrc(url: string | undefined, dir: string): string | undefined {
  if (!url) return undefined;
  if (url.endsWith(".git") || url.endsWith(".git/")) return "git";
  if (/^https?:\/\//.test(url)) return "http";
  if (url.startsWith("file://")) {
    // A file:// directory is a `dir` package (what users expect; the original required src: dir).
    try {
      const p = resolve(dir, decodeURIComponent(url.slice("file://".length)));
      if (Deno.statSync(p).isDirectory) return "dir";
    } catch { /* not there yet: treat as a file */ }
    return "file";
  }
  if (/^git@[^:]+:/.test(url) || /^ssh:\/\//.test(url)) return "git";
  return undefined;
}

function buildDependency(
  node: LNode,
  set: DepSet,
  dir: string,
  inputs: SchemaInputs,
  diags: Diagnostic[],
): DependencySpec | undefined {
  if (node.kind !== "map") return undefined;
  const nameEntry = getEntry(node, "name");
  const name = str(nameEntry?.value);
  if (!name) return undefined; // reported by the schema ("missing 'name'")
  const where = `dependency '${name}'`;
  const withEntry = getEntry(node, "with");
  if (withEntry) {
    diags.push({
      severity: "error",
      message: `${
        cap(where)
      }: 'with:' is no longer supported on dependencies; use inline type options instead`,
      loc: withEntry.keyLoc,
      notes: ["e.g. type: { python: { editable: false } }"],
    });
  }
  const nameProblem = packageNameProblem(name);
  if (nameProblem) {
    diags.push({
      severity: "error",
      message: `${
        cap(where)
      }: invalid package name (it becomes a directory under the deps dir): ${nameProblem}`,
      loc: nameEntry!.value.loc,
      notes: [PACKAGE_NAME_NOTE],
    });
  }
  const plain = toPlain(node) as Record<string, unknown>;
  const url = typeof plain.url === "string" ? plain.url : undefined;
  const srcNode = getEntry(node, "src");
  let src = typeof plain.src === "string" ? plain.src : undefined;
  if (!src && plain.pypi === true) src = "pypi";
  if (!src) src = detectSrc(url, dir);
  const sourceNames = inputs.sources.map((x) => x.name);
  if (!src) {
    if (url?.includes("${{")) return undefined; // already reported as an undefined variable
    diags.push({
      severity: "error",
      message: url
        ? `${cap(where)}: cannot determine the source type from url '${url}'`
        : `${cap(where)}: no 'src' and no 'url'; cannot tell where to get it`,
      loc: url ? getEntry(node, "url")!.value.loc : nameEntry!.value.loc,
      notes: [`add 'src:' — one of ${sourceNames.join(", ")}`],
    });
    return undefined;
  }
  const info = inputs.sources.find((x) => x.name === src);
  if (!info) return undefined; // unknown explicit src: reported by the schema enum check
  const common = commonDependencyKeys(inputs);
  const valid = [...new Set([...Object.keys(common), ...Object.keys(info.keys)])].sort();
  for (const e of node.entries) {
    // Object.hasOwn: a key like 'constructor' must not match Object.prototype.
    if (e.key === "with" || Object.hasOwn(common, e.key) || Object.hasOwn(info.keys, e.key)) continue;
    const elsewhere = inputs.sources.filter((x) => Object.hasOwn(x.keys, e.key)).map((x) => x.name);
    const m = closestMatch(e.key, valid);
    diags.push({
      severity: "error",
      message: elsewhere.length
        ? `${cap(where)}: key '${e.key}' does not apply to src '${src}' (it is for ${elsewhere.join(", ")})`
        : `Unknown key '${e.key}' in ${where}${m ? `; did you mean '${m}'?` : ""}`,
      loc: e.keyLoc,
      notes: [`keys for src '${src}': ${valid.join(", ")}`],
    });
  }
  for (const r of info.required ?? []) {
    if (plain[r] === undefined) {
      diags.push({
        severity: "error",
        message: `${cap(where)}: src '${src}' requires '${r}'`,
        loc: (srcNode ?? nameEntry)!.keyLoc,
      });
    }
  }
  if (src === "git" && plain.tag !== undefined && plain.commit !== undefined) {
    diags.push({
      severity: "error",
      message: `${cap(where)}: give either 'tag' or 'commit', not both`,
      loc: getEntry(node, "commit")!.keyLoc,
    });
  }
  if (src === "pypi") diags.push(...pypiDiagnostics(node, cap(where)));
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) {
    if (!["name", "src", "url", "type", "dep-set", "deps", "pypi", "agents", "with"].includes(k)) {
      options[k] = v;
    }
  }
  const typeEntry = getEntry(node, "type");
  const agents = plain.agents as { skills?: string[] } | undefined;
  return {
    name,
    src,
    url,
    options,
    types: typeEntry ? parseTypes(typeEntry.value, inputs, where, diags) : [],
    depSet: (typeof plain["dep-set"] === "string" ? plain["dep-set"] : undefined) ?? set.defaultDepSet ??
      set.name,
    skipDeps: plain.deps === "skip",
    agents,
    loc: nameEntry!.value.loc,
  };
}
