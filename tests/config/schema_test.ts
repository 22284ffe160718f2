import { SCHEMA_URL } from "../../core/base/version.ts";
import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { initTemplate } from "../../core/cli/commands/init.ts";
import { schemaText } from "../../core/cli/commands/show.ts";
import { commonDependencyKeys, packageSchema } from "../../core/config/ivpm_schema.ts";
import { builtinSchemaInputs, loadConfigFile } from "../../core/config/load.ts";
import type { Schema } from "../../core/config/schema.ts";
import { loadFiles, tempProject } from "../_helpers/config_fixture.ts";

const DOC = fileURLToPath(new URL("../../docs/ivpm.schema.json", import.meta.url));

type Json = Record<string, unknown>;
const schema = (): Json => JSON.parse(schemaText());

/** The JSON Schema of one dependency entry. */
function depSchema(s: Json): Json {
  // deno-lint-ignore no-explicit-any
  const pkg = (s.properties as any).package;
  return pkg.properties["dep-sets"].items.properties.deps.items;
}

Deno.test("docs/ivpm.schema.json is what 'ivpm show --schema' prints", async () => {
  const committed = await Deno.readTextFile(DOC).catch(() => "(missing)");
  equal(
    committed,
    schemaText(),
    "docs/ivpm.schema.json is out of date; regenerate it with: deno task ivpm show --schema > docs/ivpm.schema.json",
  );
});

Deno.test("the schema is draft-07 JSON with the id editors use and a package section", () => {
  const s = schema();
  equal(s.$schema, "http://json-schema.org/draft-07/schema#");
  equal(s.$id, SCHEMA_URL);
  deepEqual(s.required, ["package"]);
  // deno-lint-ignore no-explicit-any
  deepEqual((s.properties as any).package.required, ["name"]);
});

Deno.test("every package key the loader knows is in the schema, and nothing else", () => {
  // deno-lint-ignore no-explicit-any
  const props = Object.keys((schema().properties as any).package.properties);
  deepEqual(props, Object.keys(packageSchema(builtinSchemaInputs()).properties));
});

Deno.test("every source, its keys and the keys that apply to it appear in the schema", () => {
  const inputs = builtinSchemaInputs();
  const dep = depSchema(schema());
  const props = dep.properties as Json;
  const common = Object.keys(commonDependencyKeys(inputs));
  // deno-lint-ignore no-explicit-any
  deepEqual((props.src as any).enum, inputs.sources.map((s) => s.name));
  const rules = dep.allOf as { if: Json; then: { propertyNames: { enum: string[] } } }[];
  equal(rules.length, inputs.sources.length);
  for (const [i, src] of inputs.sources.entries()) {
    for (const key of Object.keys(src.keys)) ok(key in props, `key '${key}' of source '${src.name}' missing`);
    deepEqual(rules[i].if, { properties: { src: { const: src.name } }, required: ["src"] });
    deepEqual(rules[i].then.propertyNames.enum, [...common, ...Object.keys(src.keys)], src.name);
  }
  equal(dep.additionalProperties, false);
});

Deno.test("every handler and content type appears in the schema", () => {
  const inputs = builtinSchemaInputs();
  // deno-lint-ignore no-explicit-any
  const pkg = (schema().properties as any).package;
  deepEqual(Object.keys(pkg.properties.with.properties), Object.keys(inputs.handlers));
  deepEqual(pkg.properties.type.anyOf[0].enum, inputs.types.map((t) => t.name));
  for (const [name, opts] of Object.entries(inputs.handlers)) {
    deepEqual(
      Object.keys(pkg.properties.with.properties[name].properties),
      Object.keys(opts.properties),
      name,
    );
  }
});

Deno.test("the schema is structurally sound: valid type names, required keys are declared", () => {
  const types = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!node || typeof node !== "object") return;
    const o = node as Json;
    if (o.type !== undefined && path.split("/").at(-1) !== "properties") {
      for (const t of [o.type].flat()) ok(types.has(t as string), `${path}: bad type ${t}`);
    }
    if (Array.isArray(o.required) && o.properties) {
      for (const r of o.required) ok(r in (o.properties as Json), `${path}: required '${r}' not declared`);
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}/${k}`);
  };
  walk(schema(), "#");
});

/** A value that satisfies a schema, to build a file using every key. */
function sample(s: Schema): unknown {
  switch (s.kind) {
    case "string":
      return s.enum ? s.enum[0] : "v1.0";
    case "boolean":
      return true;
    case "integer":
      return s.minimum ?? 1;
    case "scalar":
      return "1.0";
    case "any":
      return "x";
    case "object":
      return {};
    case "map":
      return {};
    case "array":
      return [sample(s.items)];
    case "union":
      return sample(s.of[0]);
  }
}

Deno.test("the loader accepts every key the schema lists for each source", async () => {
  const inputs = builtinSchemaInputs();
  const deps = inputs.sources.map((src) => {
    const d: Record<string, unknown> = { name: `dep-${src.name.replace(/\W/g, "-")}`, src: src.name };
    for (const [k, v] of Object.entries(src.keys)) d[k] = sample(v);
    if (src.name === "git") delete d.commit; // tag and commit together is its own error
    d.type = "raw";
    d["dep-set"] = "default";
    d.agents = { skills: ["skills/*"] };
    return d;
  });
  const cfg = await loadFiles({
    "ivpm.yaml": stringify({ package: { name: "all", "dep-sets": [{ name: "default", deps }] } }),
  });
  deepEqual(cfg.depSets[0].deps.map((d) => d.src), inputs.sources.map((s) => s.name));
});

Deno.test("the loader accepts every handler option the schema lists", async () => {
  const inputs = builtinSchemaInputs();
  const withCfg: Record<string, Record<string, unknown>> = {};
  for (const [name, opts] of Object.entries(inputs.handlers)) {
    withCfg[name] = {};
    for (const [k, v] of Object.entries(opts.properties)) withCfg[name][k] = sample(v);
  }
  const cfg = await loadFiles({ "ivpm.yaml": stringify({ package: { name: "all", with: withCfg } }) });
  deepEqual(Object.keys(cfg.with), Object.keys(inputs.handlers));
});

Deno.test("'ivpm init's template loads cleanly, with the dev dep-set inheriting default", async () => {
  await using p = await tempProject({ "ivpm.yaml": initTemplate("my-proj", "0.0.1") });
  const cfg = loadConfigFile(p.file);
  equal(cfg.name, "my-proj");
  equal(cfg.version, "0.0.1");
  equal(cfg.defaultDepSet, "default-dev");
  deepEqual(cfg.depSets.map((d) => [d.name, d.uses ?? null, d.deps.length]), [
    ["default", null, 0],
    ["default-dev", "default", 0],
  ]);
  deepEqual(cfg.warnings, []);
});

Deno.test("'ivpm init' quotes names and versions YAML would otherwise turn into other types", async () => {
  for (
    const [name, version] of [["true", "1.10"], ["1e3", "2"], ["null", "0x1F"], ["my proj", "v1"], [
      "a:b",
      "1.0",
    ]]
  ) {
    await using p = await tempProject({ "ivpm.yaml": initTemplate(name, version) });
    const cfg = loadConfigFile(p.file);
    equal(cfg.name, name);
    equal(cfg.version, version);
  }
});

Deno.test("the schema carries x-ivpm-sources and x-ivpm-content-types, as the original's did", () => {
  const s = JSON.parse(schemaText());
  deepEqual(Object.keys(s["x-ivpm-sources"]).includes("git"), true);
  equal(typeof s["x-ivpm-sources"].git.properties.branch, "object");
  deepEqual(s["x-ivpm-sources"]["gh-rls"].required, s["x-ivpm-sources"]["gh-rls"].required ?? []);
  deepEqual(Object.keys(s["x-ivpm-content-types"]).sort(), ["module", "node", "python", "raw"]);
  equal(typeof s["x-ivpm-content-types"].python.description, "string");
});
