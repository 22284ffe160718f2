/**
 * The definition of `ivpm.yaml`, built from the registered sources, content
 * types and handler options. The loader validates with it and `ivpm show --schema`
 * prints it as JSON Schema: one definition, no drift.
 *
 * @module
 */

import { SCHEMA_URL } from "../base/version.ts";
import { type JsonSchema, labelled, type ObjectSchema, s, type Schema, toJsonSchema } from "./schema.ts";
import type { SourceInfo } from "./source_info.ts";
import type { LMap } from "./located.ts";
import type { ContentTypeInfo } from "./content_types.ts";

/** What the schema is built from. */
export interface SchemaInputs {
  sources: SourceInfo[];
  types: ContentTypeInfo[];
  handlers: Record<string, ObjectSchema>;
}

/** Keys every dependency accepts whatever its source. */
export function commonDependencyKeys(inputs: SchemaInputs): Record<string, Schema> {
  return {
    name: s.string(
      "Package name; becomes packages/<name>: letters, digits and _ . @ + -, '/' to nest it in a group directory (never inside another package); not hidden, not one of ivpm's own files (python, node, packages.envrc, package-lock.json, ivpm.json …)",
    ),
    src: s.enum(inputs.sources.map((x) => x.name), "Source type (detected from url when absent)"),
    url: s.string("Location of the package", { format: "uri-reference" }),
    type: typeField(inputs),
    "dep-set": s.string("Dep-set to load from this package's own ivpm.yaml"),
    deps: s.enum(["skip"], "'skip' to ignore this package's own dependencies"),
    pypi: s.boolean("Same as src: pypi"),
    agents: s.object({ skills: s.array(s.string()) }, { description: "Override the package's agent skills" }),
  };
}

function typeField(inputs: SchemaInputs): Schema {
  const names = inputs.types.map((t) => t.name);
  // Names are checked by the loader (parseTypes), which also knows plugin types and suggests fixes.
  const one = s.union([s.enum(names, undefined, true), s.map(s.any())]);
  return s.union(
    [s.enum(names, undefined, true), s.map(s.any()), s.array(one)],
    "Content type(s) of the package",
  );
}

/** Schema of one dependency entry (all sources' keys; per-source applicability is checked by the loader). */
export function dependencySchema(inputs: SchemaInputs): ObjectSchema {
  const properties: Record<string, Schema> = { ...commonDependencyKeys(inputs) };
  for (const src of inputs.sources) {
    for (const [k, v] of Object.entries(src.keys)) if (!properties[k]) properties[k] = v;
  }
  // Unknown keys are reported by the loader, which knows the dependency's source and can say which keys apply.
  return labelled(
    s.object(properties, { required: ["name"], description: "A dependency", open: true }),
    (n) => labelOf(n, "dependency"),
  );
}

function labelOf(node: LMap, what: string): string | undefined {
  const name = node.entries.find((e) => e.key === "name")?.value;
  return name?.kind === "scalar" && name.value !== null ? `${what} '${name.value}'` : undefined;
}

const envDirective = s.object({
  name: s.string("Variable name"),
  value: s.union([s.scalar(), s.array(s.scalar())], "Set the variable"),
  path: s.union([s.string(), s.array(s.string())], "Set the variable to path(s)"),
  "path-append": s.union([s.string(), s.array(s.string())], "Append path(s)"),
  "path-prepend": s.union([s.string(), s.array(s.string())], "Prepend path(s)"),
}, { required: ["name"] });

/** One `plugins:` entry: a spec, or a mapping with the spec, granted permissions and options. */
export const pluginEntrySchema = s.union([
  s.string("Plugin spec: jsr:@scope/name[@range], https://… module URL, or a local path"),
  s.object({
    spec: s.string("Plugin spec"),
    "allow-read": s.array(s.string()),
    "allow-write": s.array(s.string()),
    "allow-run": s.array(s.string()),
    "allow-net": s.array(s.string()),
    "allow-env": s.array(s.string()),
    timeout: s.integer("Seconds one callback of this plugin may run before it is stopped", 1),
    options: s.map(s.any(), "Options passed to the plugin"),
  }, { required: ["spec"] }),
]);

/** Schema of the `package:` mapping. */
export function packageSchema(inputs: SchemaInputs): ObjectSchema {
  const withProps: Record<string, Schema> = {};
  for (const [name, opts] of Object.entries(inputs.handlers)) withProps[name] = opts;
  return s.object({
    name: s.string("Project name"),
    version: s.scalar("Project version"),
    type: typeField(inputs),
    with: s.object(withProps, { description: "Handler configuration, keyed by handler name" }),
    "deps-dir": s.string("Directory for dependencies, relative to the project (default packages)"),
    "default-dep-set": s.string("Dep-set used when -d is not given"),
    "dep-sets": s.array(
      labelled(
        s.object({
          name: s.string("Dep-set name"),
          deps: s.array(dependencySchema(inputs), "Dependencies"),
          uses: s.string("Inherit the dependencies of another dep-set"),
          "default-dep-set": s.string("Dep-set its dependencies load from their own ivpm.yaml"),
        }, { required: ["name", "deps"] }),
        (n) => labelOf(n, "dep-set"),
      ),
      "Named dependency sets",
    ),
    env: s.array(envDirective, "Environment directives applied by 'ivpm activate'"),
    "env-sets": s.array(
      s.object({ name: s.string(), env: s.array(envDirective) }, { required: ["name"] }),
      "Named groups of env directives",
    ),
    paths: s.map(s.map(s.array(s.string())), "kind → type → paths, read by 'ivpm pkg-info'"),
    vars: s.map(s.scalar(), "Variables referenced as ${{name}}; values are defaults"),
    include: s.array(s.string(), "Files whose package bodies are merged into this one"),
    "setup-deps": s.array(s.string(), "Packages needed before the others are installed"),
    plugins: s.array(pluginEntrySchema, "Handler / source / site-config plugins for this project"),
  }, { required: [], description: "The project" });
}

/** The whole ivpm.yaml as JSON Schema (draft-07). */
export function ivpmJsonSchema(inputs: SchemaInputs): JsonSchema {
  const pkg = toJsonSchema(packageSchema(inputs)) as JsonSchema & { properties: Record<string, JsonSchema> };
  // Per-source key applicability, expressed as if/then so editors flag e.g. `branch:` on an http dep.
  const common = Object.keys(commonDependencyKeys(inputs));
  const depJson = ((pkg.properties["dep-sets"] as JsonSchema).items as JsonSchema & {
    properties: Record<string, JsonSchema & { items: JsonSchema }>;
  }).properties.deps.items;
  depJson.additionalProperties = false;
  depJson.allOf = inputs.sources.map((src) => ({
    if: { properties: { src: { const: src.name } }, required: ["src"] },
    then: { propertyNames: { enum: [...common, ...Object.keys(src.keys)] } },
  }));
  pkg.required = ["name"];
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: SCHEMA_URL,
    title: "ivpm.yaml",
    description: "IVPM project file: the project's identity, dependency sets and handler configuration",
    type: "object",
    properties: { $schema: { type: "string" }, package: pkg },
    required: ["package"],
    additionalProperties: false,
    // As the original: per source its keys, per content type its options (editors and tools read these).
    "x-ivpm-sources": Object.fromEntries(inputs.sources.map((src) => [src.name, {
      description: src.description,
      properties: Object.fromEntries(Object.entries(src.keys).map(([k, v]) => [k, toJsonSchema(v)])),
      required: [...(src.required ?? [])],
    }])),
    "x-ivpm-content-types": Object.fromEntries(
      inputs.types.map((t) => [t.name, { description: t.description, ...toJsonSchema(t.options) }]),
    ),
  };
}
