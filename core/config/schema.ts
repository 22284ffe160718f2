/**
 * A small schema language. One definition drives both the loader's validation
 * (with located, suggestion-bearing diagnostics) and the published JSON Schema,
 * so the two can never drift apart.
 *
 * @module
 */

import type { Diagnostic } from "../ui/diagnostics.ts";
import { closestMatch } from "../util/suggest.ts";
import type { LMap, LNode } from "./located.ts";

/**
 * Fields every schema has.
 *
 * @ignore
 */
interface Base {
  description?: string;
}
/**
 * A string, optionally restricted to a set of values. Like every schema, it may
 * carry a `description` (shown in `ivpm show handler` and the JSON Schema).
 * Build it with `s.string()` or `s.enum()`.
 *
 * @example
 * ```ts
 * import { s, type StringSchema } from "@ivpm/plugin";
 * const mode: StringSchema = s.enum(["fast", "safe"], "How to run");
 * ```
 */
export interface StringSchema extends Base {
  /** Discriminant. */
  kind: "string";
  /** Allowed values; others are reported with the closest match. */
  enum?: readonly string[];
  /**
   * The enum lists known values for editors (JSON Schema) only; the loader checks
   * membership itself with better context, so validation must not report it twice.
   */
  looseEnum?: boolean;
  /** JSON Schema format hint for editors; not checked by the loader. */
  format?: "uri-reference";
}
/**
 * `true` / `false`. Build it with `s.boolean()`.
 *
 * @example
 * ```ts
 * import { type BooleanSchema, s } from "@ivpm/plugin";
 * const editable: BooleanSchema = s.boolean("Install editable");
 * ```
 */
export interface BooleanSchema extends Base {
  /** Discriminant. */
  kind: "boolean";
}
/**
 * A whole number. Build it with `s.integer()`.
 *
 * @example
 * ```ts
 * import { type IntegerSchema, s } from "@ivpm/plugin";
 * const jobs: IntegerSchema = s.integer("Parallel jobs", 1);
 * ```
 */
export interface IntegerSchema extends Base {
  /** Discriminant. */
  kind: "integer";
  /** Smallest value accepted. */
  minimum?: number;
}
/**
 * Any scalar (string, number or boolean). Build it with `s.scalar()`.
 *
 * @example
 * ```ts
 * import { s, type ScalarSchema } from "@ivpm/plugin";
 * const version: ScalarSchema = s.scalar("Tool version");
 * ```
 */
export interface ScalarSchema extends Base {
  /** Discriminant. */
  kind: "scalar";
}
/**
 * Anything at all (validated elsewhere, e.g. by the handler). Build it with `s.any()`.
 *
 * @example
 * ```ts
 * import { type AnySchema, s } from "@ivpm/plugin";
 * const extra: AnySchema = s.any("Passed to the tool unchanged");
 * ```
 */
export interface AnySchema extends Base {
  /** Discriminant. */
  kind: "any";
}
/**
 * A mapping with a fixed set of keys; an unknown key is an error with a
 * "did you mean" suggestion unless `open`. A handler's `options` is one of these.
 * Build it with `s.object()`.
 *
 * @example
 * ```ts
 * import { type ObjectSchema, s } from "@ivpm/plugin";
 * const options: ObjectSchema = s.object({
 *   cores: s.array(s.string(), "Globs of .core files"),
 *   "update-conf": s.boolean("Maintain fusesoc.conf"),
 * });
 * ```
 */
export interface ObjectSchema extends Base {
  /** Discriminant. */
  kind: "object";
  /** Schema of each known key. */
  properties: Record<string, Schema>;
  /** Keys that must be present. */
  required?: readonly string[];
  /** Keys that are not listed are accepted (validated by someone else). */
  open?: boolean;
  /**
   * Names a node for messages, e.g. `dependency 'foo'` (default: the parent's wording).
   * Internal to ivpm's own schema: it receives the loader's located YAML nodes.
   *
   * @ignore
   */
  label?: (node: LMap) => string | undefined;
}
/**
 * A mapping from free-form keys to values of one schema. Build it with `s.map()`.
 *
 * @example
 * ```ts
 * import { type MapSchema, s } from "@ivpm/plugin";
 * const env: MapSchema = s.map(s.string(), "Environment variables to set, by name");
 * ```
 */
export interface MapSchema extends Base {
  /** Discriminant. */
  kind: "map";
  /** Schema of every value. */
  values: Schema;
}
/**
 * A list. Build it with `s.array()`.
 *
 * @example
 * ```ts
 * import { type ArraySchema, s } from "@ivpm/plugin";
 * const skills: ArraySchema = s.array(s.string(), "Globs of skill directories");
 * ```
 */
export interface ArraySchema extends Base {
  /** Discriminant. */
  kind: "array";
  /** Schema of every item. */
  items: Schema;
}
/**
 * One of several shapes, chosen by the node's kind (a scalar, a list or a
 * mapping), so give at most one variant of each kind. Build it with `s.union()`.
 *
 * @example
 * ```ts
 * import { s, type UnionSchema } from "@ivpm/plugin";
 * const venv: UnionSchema = s.union([s.boolean(), s.enum(["uv", "pip"])], "true, false, uv or pip");
 * ```
 */
export interface UnionSchema extends Base {
  /** Discriminant. */
  kind: "union";
  /** The accepted shapes. */
  of: readonly Schema[];
}
/**
 * Any schema.
 *
 * @example
 * ```ts
 * import { s, type Schema } from "@ivpm/plugin";
 * const fields: Record<string, Schema> = { name: s.string(), count: s.integer() };
 * ```
 */
export type Schema =
  | StringSchema
  | BooleanSchema
  | IntegerSchema
  | ScalarSchema
  | AnySchema
  | ObjectSchema
  | MapSchema
  | ArraySchema
  | UnionSchema;

/**
 * Shorthand constructors for schemas: what a handler's `static options` is built
 * with. Validated values reach callbacks as `info.config`; every `description`
 * shows in `ivpm show handler`, `ivpm show --schema` and editors.
 *
 * @example
 * ```ts
 * import { PackageHandler, type RootInfo, s } from "@ivpm/plugin";
 *
 * class Gen extends PackageHandler {
 *   static override name = "gen";
 *   // ivpm.yaml:  package: { with: { gen: { out: build/gen, langs: [c, py] } } }
 *   static override options = s.object({
 *     out: s.string("Output directory, relative to the project"),
 *     langs: s.array(s.enum(["c", "py", "sv"]), "Languages to generate"),
 *     jobs: s.integer("Parallel jobs", 1),
 *     strict: s.boolean("Fail on warnings"),
 *   });
 *   override onRootPostLoad(info: RootInfo) {
 *     const out = (info.config.out as string | undefined) ?? "generated";
 *     console.log(`generating into ${out}`);
 *   }
 * }
 * ```
 */
export const s = {
  /** A string: `s.string("Output directory")`. */
  string: (description?: string, extra: Partial<StringSchema> = {}): StringSchema => ({
    kind: "string",
    description,
    ...extra,
  }),
  /** A string from a fixed set: `s.enum(["npm", "pnpm"], "Package manager")`. */
  enum: (values: readonly string[], description?: string, looseEnum?: boolean): StringSchema => ({
    kind: "string",
    enum: values,
    description,
    ...(looseEnum ? { looseEnum } : {}),
  }),
  /** `true` / `false`: `s.boolean("Install editable")`. */
  boolean: (description?: string): BooleanSchema => ({ kind: "boolean", description }),
  /** A whole number, optionally with a minimum: `s.integer("Jobs", 1)`. */
  integer: (description?: string, minimum?: number): IntegerSchema => ({
    kind: "integer",
    description,
    minimum,
  }),
  /** A string, number or boolean; a number keeps its text as written (`1.10`). */
  scalar: (description?: string): ScalarSchema => ({ kind: "scalar", description }),
  /** Anything (the handler validates it). */
  any: (description?: string): AnySchema => ({ kind: "any", description }),
  /** A mapping with known keys: `s.object({ out: s.string() }, { required: ["out"] })`. */
  object: (
    properties: Record<string, Schema>,
    opts: {
      required?: readonly string[];
      description?: string;
      open?: boolean;
      label?: (node: LMap) => string | undefined;
    } = {},
  ): ObjectSchema => ({ kind: "object", properties, ...opts }),
  /** A mapping with free-form keys: `s.map(s.string(), "Variables")`. */
  map: (values: Schema, description?: string): MapSchema => ({ kind: "map", values, description }),
  /** A list: `s.array(s.string(), "Globs")`. */
  array: (items: Schema, description?: string): ArraySchema => ({ kind: "array", items, description }),
  /** One of several shapes, by kind: `s.union([s.boolean(), s.enum(["uv", "pip"])])`. */
  union: (of: Schema[], description?: string): UnionSchema => ({ kind: "union", of, description }),
};

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
      where = schema.label?.(node) ?? where;
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
