/**
 * Content types (`type:`) a package may declare, with their parameters.
 *
 * @module
 */

import { type ObjectSchema, s } from "./schema.ts";

/** A content type and the options it accepts. */
export interface ContentTypeInfo {
  name: string;
  description: string;
  options: ObjectSchema;
}

/** Built-in content types, sorted by name. */
export const builtinContentTypes: ContentTypeInfo[] = [
  {
    name: "module",
    description: "An Environment Module to load in the project environment",
    options: s.object({ load: s.boolean("Emit 'module load' for it (default true)") }),
  },
  {
    name: "node",
    description: "A Node package linked into packages/node",
    options: s.object({
      dev: s.boolean("Development-only dependency"),
      link: s.boolean("npm-link the source package (default true)"),
    }),
  },
  {
    name: "python",
    description: "A Python package installed into the project venv",
    options: s.object({
      editable: s.boolean("Install in editable mode (default true for source packages)"),
      extras: s.union([s.string(), s.array(s.string())], "Extras to install"),
    }),
  },
  {
    name: "raw",
    description: "Plain files; no processing (suppresses auto-detection)",
    options: s.object({}),
  },
];
