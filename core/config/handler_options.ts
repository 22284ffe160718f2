/**
 * Options each built-in handler accepts under `package.with.<handler>`. The
 * handler engine replaces this table with the options schemas the handlers
 * themselves declare; until then it keeps `with:` validated.
 *
 * @module
 */

import { type ObjectSchema, s } from "./schema.ts";

/** Handler name → schema of its `with:` block. */
export const builtinHandlerOptions: Record<string, ObjectSchema> = {
  agents: s.object({
    skills: s.array(s.string(), "Globs (relative to the package) of directories holding SKILL.md"),
    claude: s.boolean("Also populate .claude/skills"),
  }),
  direnv: s.object({ envrc: s.string("envrc file of this package to source (default export.envrc)") }),
  fusesoc: s.object({
    cores: s.array(s.string(), "Globs of .core files or directories"),
    import: s.union([s.enum(["all"]), s.array(s.string())], "Packages whose cores to import (default all)"),
    "update-conf": s.boolean("Maintain [library.ivpm.*] sections of fusesoc.conf"),
  }),
  modules: s.object({
    variant: s.enum(["auto", "modules-3x", "modules-4x", "lmod"], "Environment Modules flavour"),
    modulecmd: s.string("Path of modulecmd / lmod"),
  }),
  node: s.object({
    manager: s.enum(["npm", "pnpm", "yarn"], "Package manager"),
    version: s.string("Node version written to packages/node/.nvmrc"),
    env: s.boolean("Write packages/node/export.envrc (default true)"),
  }),
  python: s.object({
    venv: s.union([s.boolean(), s.enum(["uv", "pip"])], "Create the venv: true, false, uv or pip"),
    "system-site-packages": s.boolean("Give the venv access to system site-packages"),
    "pre-release": s.boolean("Allow pre-release versions (pip --pre)"),
  }),
};
