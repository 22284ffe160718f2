/**
 * What a source type (`src:`) is: its name, the dependency keys it accepts and,
 * once implemented, how it fetches. Sources are registered by name so a plugin
 * can add one.
 *
 * @module
 */

import type { FetchContext as PluginFetchContext, FetchOutcome } from "../../plugin_api/source.ts";
import type { SourceInfo } from "../../config/source_info.ts";

export type { FetchOutcome, Placement } from "../../plugin_api/source.ts";
export type { SourceInfo } from "../../config/source_info.ts";

/**
 * Everything a source needs to fetch one package: what a plugin source gets
 * (the plugin API's {@link PluginFetchContext}) plus host objects that cannot
 * cross into a plugin's worker.
 */
export interface FetchContext extends PluginFetchContext {
  /** The shared cache, when enabled. */
  cache: import("../cache/store.ts").PackageCache | null;
  /** Credential providers (first result wins) for https git remotes. */
  credentials?: import("../git/auth.ts").CredentialLookup;
  /** The update's environment (`GITHUB_TOKEN`, `IVPM_FUSESOC_*`, `$VAR`s in local URLs); default the process's. */
  env?: Readonly<Record<string, string>>;
  /** Reports download progress (bytes so far, total when known) for the status line. */
  progress?(p: { bytes: number; total?: number }): void;
}

/** A source type with its behaviour (a plugin's source, wrapped by `core/plugin_host/remote_source.ts`, is one too). */
export interface Source extends SourceInfo {
  /** Lock fields describing what was *asked for*; compared with the previous lock to decide "up to date". */
  spec(dep: import("../../config/model.ts").DependencySpec): Record<string, unknown>;
  /** Fetches the package. */
  fetch(dep: import("../../config/model.ts").DependencySpec, ctx: FetchContext): Promise<FetchOutcome>;
  /** Rebuilds the dependency options from a lock entry (for `--lock-file`); undefined = not reproducible. */
  fromLock?(entry: Record<string, unknown>): { url?: string; options: Record<string, unknown> } | undefined;
  /** Whether a fetch can be reproduced exactly from the lock (false for local dirs, modules). */
  reproducible: boolean;
  // Capabilities: what the update asks of a source instead of matching its name.
  /** A dep-set factory: lands no package, supplies the dependencies of another ivpm.yaml's dep-set. */
  factory?: true;
  /** Its packages may be reused from a deps-source (a parent deps dir) whose lock asked the same. */
  reusable?: true;
  /** Honours `cache: true` (fetched once into the shared cache and linked). */
  cacheable?: true;
  /** Its content is the user's live files (a local dir, an existing packages/ entry, a manifest): never remembered. */
  live?: true;
  /** Fetches nothing: the package is expected to be present under packages/ already. */
  inPlace?: true;
}
