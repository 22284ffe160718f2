/**
 * The public plugin API of ivpm (`@ivpm/plugin`): what handler, source,
 * site-config and credential-provider plugins import. Built-in handlers use
 * exactly this API too. It depends on nothing outside itself.
 *
 * @example
 * ```ts
 * import { PackageHandler, type RootInfo } from "@ivpm/plugin";
 *
 * export class Hello extends PackageHandler {
 *   static override name = "hello";
 *   override onRootPostLoad(info: RootInfo) {
 *     console.log(`hello from ${info.packages.length} packages`);
 *   }
 * }
 * ```
 *
 * @module
 */

export { HandlerPhase, type HandlerPhaseName, type HandlerPhaseSpec } from "./phase.ts";
export type { PackageView, TypeData } from "./package_view.ts";
export { ALWAYS, type Condition, hasSourceType, hasType } from "./conditions.ts";
export type { BuildInfo, CallbackInfo, DestroyInfo, LeafInfo, LeafRecord, RootInfo } from "./info.ts";
export { type HandlerEvent, runTask, TaskHandle } from "./events.ts";
export {
  type CliOption,
  type HandlerClass,
  HandlerFatalError,
  type OptionTarget,
  PackageHandler,
  type PackageHandlerPermissions,
} from "./handler.ts";
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
} from "./schema.ts";
export type { DependencySpec, FetchContext, FetchOutcome, Placement, Source, SourceInfo } from "./source.ts";
export { DefaultSiteConfig, type PythonPackageIndex, SiteConfig, type SiteSettings } from "./site_config.ts";
export {
  ENVRC_HEADER,
  envrcSection,
  removeEnvrcSection,
  setEnvrcSection,
  shellQuote,
  updateEnvrcFile,
} from "./envrc.ts";
export { CredentialProvider, type CredentialRequest, type Credentials } from "./credentials.ts";
export { isInside, realPathInside } from "./paths.ts";
