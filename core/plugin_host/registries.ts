/**
 * The registries a command works with: handlers, source types and site
 * configs — the built-ins plus whatever the configured plugins register. Set
 * once at start-up (or by a test driver); built-ins only until then.
 *
 * @module
 */

import { builtinContentTypes } from "../config/content_types.ts";
import type { SchemaInputs } from "../config/ivpm_schema.ts";
import { builtinHandlerRegistry } from "./builtin_registry.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import type { LoadedPlugin } from "./loader.ts";
import type { RegisteredCredentialProvider } from "./credentials.ts";
import { SiteConfigRegistry } from "./site_configs.ts";
import { builtinSourceRegistry, type SourceRegistry } from "../fetch/sources/registry.ts";

/** Everything registered for this run. */
export interface Registries {
  handlers: HandlerRegistry;
  sources: SourceRegistry;
  siteConfigs: SiteConfigRegistry;
  plugins: LoadedPlugin[];
  /** Git credential providers from plugins, in registration order (first result wins). */
  credentialProviders: RegisteredCredentialProvider[];
  /** `site-config:` names from the user and site config files, and which files were read. */
  siteConfigChoice: { user?: string; site?: string; files: string[] };
}

let current: Registries | undefined;

/** The built-ins only. */
export function builtinRegistries(): Registries {
  return {
    handlers: builtinHandlerRegistry(),
    sources: builtinSourceRegistry(),
    siteConfigs: new SiteConfigRegistry(),
    plugins: [],
    credentialProviders: [],
    siteConfigChoice: { files: [] },
  };
}

/** The registries in use. */
export function registries(): Registries {
  current ??= builtinRegistries();
  return current;
}

/** Replaces the registries in use (pass {@link schemaInputs} to config loading to validate against them). */
export function setRegistries(r: Registries): void {
  current = r;
}

/** Schema inputs (for validating ivpm.yaml) from the given registries. */
export function schemaInputs(r: Pick<Registries, "handlers" | "sources"> = registries()): SchemaInputs {
  return {
    sources: r.sources.list(),
    types: builtinContentTypes,
    handlers: r.handlers.optionSchemas(),
  };
}
