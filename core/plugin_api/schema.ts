/**
 * A small schema language for plugin options and source keys. ivpm validates
 * `ivpm.yaml` against these schemas (with located, suggestion-bearing
 * diagnostics) and publishes them as JSON Schema, so the two never drift apart.
 *
 * @module
 */

/**
 * Fields every schema has.
 *
 * @example
 * ```ts
 * import type { SchemaBase } from "@ivpm/plugin";
 * const b: SchemaBase = { description: "Shown in `ivpm show handler`" };
 * ```
 */
export interface SchemaBase {
  /** Shown in `ivpm show handler`, `ivpm show --schema` and editors. */
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
export interface StringSchema extends SchemaBase {
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
export interface BooleanSchema extends SchemaBase {
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
export interface IntegerSchema extends SchemaBase {
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
export interface ScalarSchema extends SchemaBase {
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
export interface AnySchema extends SchemaBase {
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
export interface ObjectSchema extends SchemaBase {
  /** Discriminant. */
  kind: "object";
  /** Schema of each known key. */
  properties: Record<string, Schema>;
  /** Keys that must be present. */
  required?: readonly string[];
  /** Keys that are not listed are accepted (validated by someone else). */
  open?: boolean;
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
export interface MapSchema extends SchemaBase {
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
export interface ArraySchema extends SchemaBase {
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
export interface UnionSchema extends SchemaBase {
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
    } = {},
  ): ObjectSchema => ({ kind: "object", properties, ...opts }),
  /** A mapping with free-form keys: `s.map(s.string(), "Variables")`. */
  map: (values: Schema, description?: string): MapSchema => ({ kind: "map", values, description }),
  /** A list: `s.array(s.string(), "Globs")`. */
  array: (items: Schema, description?: string): ArraySchema => ({ kind: "array", items, description }),
  /** One of several shapes, by kind: `s.union([s.boolean(), s.enum(["uv", "pip"])])`. */
  union: (of: Schema[], description?: string): UnionSchema => ({ kind: "union", of, description }),
};
