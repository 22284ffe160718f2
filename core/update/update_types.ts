/**
 * The types of `ivpm update`: its options, progress reporter, per-package result and overall result.
 *
 * @module
 */

import type { ProjectConfig } from "../config/model.ts";
import type { LockEntry, LockFile } from "./lock/lock_file.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import type { HandlerEvent } from "../plugin_api/events.ts";
import type { HttpWait } from "../fetch/net/http_settings.ts";
import type { Diagnostic } from "../base/diagnostics.ts";
import type { UpdateTimings } from "./timings.ts";
import type { ResolvedGraph, ResolvedPackage } from "./resolver.ts";

/** How a package ended up. */
export type PackageStatus = "fetched" | "updated" | "up-to-date" | "virtual";

/** Per-package result kept on the resolved graph. */
export interface Landed {
  entry: LockEntry;
  status: PackageStatus;
  version?: string;
  cacheHit?: boolean;
  /** Reused from a deps-source (a parent deps dir or the main worktree): nothing was fetched. */
  reused?: boolean;
  ms: number;
}

/** Receives progress; the CLI prints it, tests may record it. */
export interface UpdateReporter {
  start?(pkg: ResolvedPackage): void;
  done?(pkg: ResolvedPackage, landed: Landed): void;
  failed?(pkg: ResolvedPackage, error: unknown): void;
  diagnostic?(d: Diagnostic): void;
  /** Handler task progress (start/progress/end/error, nested). */
  handlerEvent?(e: HandlerEvent): void;
  /** Bytes of a download so far (sources report it as they fetch). */
  transfer?(pkg: ResolvedPackage, p: { bytes: number; total?: number }): void;
  /** An HTTP transfer of the package has had no data for a while (undefined: data flows again). */
  httpWait?(pkg: ResolvedPackage, wait: HttpWait | undefined): void;
}

/** Options of {@link runUpdate}. */
export interface UpdateOptions {
  projectDir: string;
  depSet?: string;
  definitions?: Record<string, string>;
  jobs?: number;
  anonymousGit?: boolean;
  refresh?: boolean;
  force?: boolean;
  prune?: boolean;
  /** Reproduce this lock file instead of resolving ivpm.yaml's dep-sets. */
  lockFile?: string;
  /** Cache root (null = caching disabled). */
  cacheDir: string | null;
  signal?: AbortSignal;
  reporter?: UpdateReporter;
  sources?: SourceRegistry;
  /** Handlers to run (default: the built-ins). */
  handlers?: HandlerRegistry;
  /** Parsed values of handler-added CLI options, by handler name. */
  handlerArgs?: Record<string, Record<string, unknown>>;
  /** Per-package limit for leaf callbacks (default 10 min). */
  leafTimeoutMs?: number;
  /** Limit of one root callback of a plugin (default 30 min). */
  rootTimeoutMs?: number;
  /** Parent deps dirs to reuse packages from (`--deps-source`; else `IVPM_DEPS_SOURCE`; else the main worktree's). */
  depsSource?: string[];
  trustDepsSource?: boolean;
  depsSourceMode?: "link" | "copy";
  noWorktreeDepsSource?: boolean;
  /** Settings of the active site config (offered to handlers). */
  site?: import("../plugin_api/site_config.ts").SiteSettings;
  env?: Record<string, string>;
  /** Receives the phases of the run (`--timings`). */
  timings?: UpdateTimings;
}

/** What an update did. */
export interface UpdateResult {
  config: ProjectConfig;
  depsDir: string;
  depSet: string | null;
  graph: ResolvedGraph;
  lock: LockFile;
  /** Packages in the previous lock that are no longer declared. */
  removed: string[];
  pruned: string[];
  nonReproducible: string[];
  /** Handlers whose root callbacks ran, in DAG order. */
  handlersRun: string[];
}
