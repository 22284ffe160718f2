/**
 * Validation of located YAML nodes against schemas, and their JSON Schema form.
 * The schema types and the `s` builder are part of the plugin API
 * (`core/plugin_api/schema.ts`), re-exported here for ivpm's own code. One
 * definition drives both the loader's validation (with located,
 * suggestion-bearing diagnostics) and the published JSON Schema, so the two
 * can never drift apart.
 *
 * @module
 */

import type { Diagnostic } from "../base/diagnostics.ts";
import { closestMatch } from "../util/suggest.ts";
import type { LMap, LNode } from "./located.ts";
import type { ObjectSchema, Schema } from "../plugin_api/schema.ts";

export {
  type AnySchema,
  type ArraySchema,
  type BooleanSchema,
  type IntegerSchema,
  type MapSchema,
  type ObjectSchema,
  s,
  type ScalarSchema,
  type Schema,
  type SchemaBase,
  type StringSchema,
  type UnionSchema,
} from "../plugin_api/schema.ts";

/** How ivpm's own object schemas name a node in messages; internal, so kept off the public schema type. */
const labels = new WeakMap<ObjectSchema, (node: LMap) => string | undefined>();

/**
 * Returns `schema`, whose nodes are named in messages by `label` (e.g. `dependency 'foo'`)
 * instead of the parent's wording. `label` receives the located mapping being validated.
 */
export function labelled(schema: ObjectSchema, label: (node: LMap) => string | undefined): ObjectSchema {
  labels.set(schema, label);
  return schema;
}

/** Human name for a node kind, used in type errors. */
export function kindName(node: LNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  const v = node.value;
  if (v === null) return "null";
  if (typeof v === "boolean") return "a boolean";
  if (typeof v === "number") return "a number";
  return "a string";
}

/** Describes what a schema expects, for messages ("a string", "a list or a string"). */
export function expectation(schema: Schema): string {
  switch (schema.kind) {
    case "string":
      return "a string";
    case "boolean":
      return "a boolean (true or false)";
    case "integer":
      return "an integer";
    case "scalar":
      return "a string, number or boolean";
    case "any":
      return "a value";
    case "object":
    case "map":
      return "a mapping";
    case "array":
      return "a list";
    case "union":
      return [...new Set(schema.of.map(expectation))].join(" or ");
  }
}

function matchesKind(node: LNode, schema: Schema): boolean {
  const v = node.kind === "scalar" ? node.value : undefined;
  switch (schema.kind) {
    case "string":
      // A plain number where text is expected (`tag: 1.10`) is read as written.
      return typeof v === "string" || (node.kind === "scalar" && node.source !== undefined);
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "scalar":
      return node.kind === "scalar" && v !== null;
    case "any":
      return true;
    case "object":
    case "map":
      return node.kind === "map";
    case "array":
      return node.kind === "seq";
    case "union":
      return schema.of.some((o) => matchesKind(node, o));
  }
}

/**
 * Validates a located node against a schema, appending one diagnostic per problem.
 * `where` names the enclosing thing for messages, e.g. `package` or `dependency 'foo'`.
 */
export function validateNode(node: LNode, schema: Schema, where: string, out: Diagnostic[]): void {
  if (!matchesKind(node, schema)) {
    out.push({
      severity: "error",
      message: `${subject(where)} must be ${expectation(schema)}, not ${kindName(node)}`,
      loc: node.loc,
    });
    return;
  }
  switch (schema.kind) {
    case "string":
      if (
        schema.enum && !schema.looseEnum && node.kind === "scalar" && !schema.enum.includes(scalarText(node))
      ) {
        const m = closestMatch(scalarText(node), schema.enum);
        out.push({
          severity: "error",
          message: `${subject(where)} must be one of ${schema.enum.join(", ")}, not '${scalarText(node)}'${
            m ? `; did you mean '${m}'?` : ""
          }`,
          loc: node.loc,
        });
      }
      return;
    case "integer":
      if (schema.minimum !== undefined && node.kind === "scalar" && (node.value as number) < schema.minimum) {
        out.push({
          severity: "error",
          message: `${subject(where)} must be at least ${schema.minimum}`,
          loc: node.loc,
        });
      }
      return;
    case "object": {
      if (node.kind !== "map") return;
      where = labels.get(schema)?.(node) ?? where;
      const keys = Object.keys(schema.properties);
      for (const e of node.entries) {
        const sub = own(schema.properties, e.key);
        if (!sub) {
          if (schema.open) continue;
          const m = closestMatch(e.key, keys);
          out.push({
            severity: "error",
            message: `Unknown key '${e.key}' in ${where}${m ? `; did you mean '${m}'?` : ""}`,
            loc: e.keyLoc,
            notes: [`valid keys: ${[...keys].sort().join(", ")}`],
          });
          continue;
        }
        validateNode(e.value, sub, child(where, e.key), out);
      }
      for (const r of schema.required ?? []) {
        if (!node.entries.some((e) => e.key === r)) {
          out.push({ severity: "error", message: `Missing '${r}' in ${where}`, loc: node.loc });
        }
      }
      return;
    }
    case "map":
      if (node.kind !== "map") return;
      for (const e of node.entries) validateNode(e.value, schema.values, child(where, e.key), out);
      return;
    case "array":
      if (node.kind !== "seq") return;
      node.items.forEach((item, i) =>
        validateNode(
          item,
          schema.items,
          /\s/.test(where) ? `item ${i + 1} of ${where}` : `${where}[${i}]`,
          out,
        )
      );
      return;
    case "union": {
      const pick = schema.of.find((o) => matchesKind(node, o));
      if (!pick) return;
      const sub: Diagnostic[] = [];
      validateNode(node, pick, where, sub);
      if (sub.length && node.kind === "scalar" && schema.of.length > 1) {
        // A scalar that fits no variant: name every accepted form, not just the one tried.
        const values = schema.of.flatMap((o) =>
          o.kind === "boolean" ? ["true", "false"] : o.kind === "string" && o.enum ? [...o.enum] : []
        );
        const m = closestMatch(scalarText(node), values);
        out.push({
          severity: "error",
          message: `${subject(where)} must be ${
            values.length ? `one of ${values.join(", ")}` : expectation(schema)
          }, not '${scalarText(node)}'${m ? `; did you mean '${m}'?` : ""}`,
          loc: node.loc,
        });
      } else out.push(...sub);
      return;
    }
  }
}

/** `package.with.python` for dotted paths, `'depth' of dependency 'a'` under a label. */
function child(where: string, key: string): string {
  return /\s/.test(where) ? `'${key}' of ${where}` : `${where}.${key}`;
}

/** A property schema by name, ignoring Object.prototype (a key `constructor` is just an unknown key). */
function own(props: Record<string, Schema>, key: string): Schema | undefined {
  return Object.hasOwn(props, key) ? props[key] : undefined;
}

/** `where` at the start of a sentence: `Dependency 'a'`, or a quoted dotted path `'package.type'`. */
function subject(where: string): string {
  return /\s/.test(where) ? where.charAt(0).toUpperCase() + where.slice(1) : `'${where}'`;
}

function scalarText(node: LNode): string {
  return node.kind === "scalar" ? node.source ?? String(node.value) : "";
}

/**
 * Returns the node with plain numbers replaced by their text as written wherever
 * the schema expects a string or a version-like scalar, so `version: 1.10` stays
 * `"1.10"` instead of becoming the number 1.1. Call after {@link validateNode}.
 */
export function applySchemaTypes(node: LNode, schema: Schema): LNode {
  switch (schema.kind) {
    case "string":
    case "scalar":
      return node.kind === "scalar" && typeof node.value === "number" && node.source !== undefined
        ? { kind: "scalar", value: node.source, loc: node.loc }
        : node;
    case "object":
      if (node.kind !== "map") return node;
      return {
        ...node,
        entries: node.entries.map((e) => {
          const sub = own(schema.properties, e.key);
          return sub ? { ...e, value: applySchemaTypes(e.value, sub) } : e;
        }),
      };
    case "map":
      if (node.kind !== "map") return node;
      return {
        ...node,
        entries: node.entries.map((e) => ({ ...e, value: applySchemaTypes(e.value, schema.values) })),
      };
    case "array":
      return node.kind === "seq"
        ? { ...node, items: node.items.map((i) => applySchemaTypes(i, schema.items)) }
        : node;
    case "union": {
      const pick = schema.of.find((o) => matchesKind(node, o));
      return pick ? applySchemaTypes(node, pick) : node;
    }
    default:
      return node;
  }
}

/** A JSON Schema (draft-07) value. */
export type JsonSchema = Record<string, unknown>;

/** Converts a schema to JSON Schema (draft-07). */
export function toJsonSchema(schema: Schema): JsonSchema {
  const d = schema.description ? { description: schema.description } : {};
  switch (schema.kind) {
    case "string":
      return { type: "string", ...(schema.enum ? { enum: [...schema.enum] } : {}), ...d };
    case "boolean":
      return { type: "boolean", ...d };
    case "integer":
      return { type: "integer", ...(schema.minimum !== undefined ? { minimum: schema.minimum } : {}), ...d };
    case "scalar":
      return { type: ["string", "number", "boolean"], ...d };
    case "any":
      return { ...d };
    case "object": {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, v] of Object.entries(schema.properties)) properties[k] = toJsonSchema(v);
      return {
        type: "object",
        ...d,
        properties,
        ...(schema.required?.length ? { required: [...schema.required] } : {}),
        additionalProperties: schema.open ? true : false,
      };
    }
    case "map":
      return { type: "object", ...d, additionalProperties: toJsonSchema(schema.values) };
    case "array":
      return { type: "array", ...d, items: toJsonSchema(schema.items) };
    case "union":
      return { ...d, anyOf: schema.of.map(toJsonSchema) };
  }
}
