/**
 * Messages between the engine and leaf workers. Plain, structured-cloneable data.
 *
 * @module
 */

import type { HandlerEvent } from "../plugin_api/events.ts";
import type { PackageView, TypeData } from "../plugin_api/package_view.ts";

/** A plugin module a worker imports. */
export interface WorkerModule {
  handler: string;
  url: string;
  exportName: string;
}

/** First message: what to load and the shared context. */
export interface InitMessage {
  type: "init";
  /** Plugin modules to import (built-ins are linked into the trusted worker). */
  modules: WorkerModule[];
  /** Built-in handler names this worker serves. */
  builtins: string[];
  projectDir: string;
  depsDir: string;
  configs: Record<string, Record<string, unknown>>;
  args: Record<string, Record<string, unknown>>;
  /** Active site settings, offered to leaf callbacks as `info.site`. */
  site?: import("../plugin_api/site_config.ts").SiteSettings;
  /** The environment each handler may see (`info.env`), by handler: all of it for built-ins, the granted names for plugins. */
  envs?: Record<string, Record<string, string>>;
  /** Each handler's own output directory (`info.outputDir`), the only place under the deps dir a plugin may write by default. */
  outputDirs?: Record<string, string>;
  /** The plugin's `allow-write` paths, for the write policy (Deno's own grant says the same). */
  grantWrite?: string[];
}

/** Run leaf callbacks of `handlers` (in order) on one package. */
export interface LeafMessage {
  type: "leaf";
  id: number;
  phase: "pre" | "post";
  pkg: PackageView;
  handlers: string[];
  /** Real root of the package as the host sees it (a link the project placed), by path. */
  roots?: Record<string, string>;
}

/** A worker's answer for one package. */
export interface LeafResult {
  type: "result";
  id: number;
  pkgType?: string;
  typeData: TypeData[];
  records: { handler: string; records: unknown[] }[];
  warnings: { handler: string; message: string }[];
  fatal?: { handler: string; message: string };
}

/** A root-phase call on one handler (plugins' root callbacks run in a worker too). */
export interface CallMessage {
  type: "call";
  id: number;
  handler: string;
  method: "preLoad" | "rootWhen" | "postLoad" | "lockEntries" | "stateEntries" | "destroy" | "build";
  /** The method's argument (an info object, the package list, or the deps dir). */
  arg?: unknown;
  /** Real roots of the packages the argument names, as the host sees them, by path. */
  roots?: Record<string, string>;
}

/** The answer to a {@link CallMessage}. */
export interface ReplyMessage {
  type: "reply";
  id: number;
  value?: unknown;
  error?: { name: string; message: string };
}

/** Messages a worker sends. */
export type WorkerOut =
  | { type: "ready" }
  | { type: "init-error"; message: string }
  /** Plugin code threw outside any callback (a timer, an unhandled rejection): the worker is done. */
  | { type: "crash"; message: string }
  | LeafResult
  | ReplyMessage
  | { type: "event"; event: HandlerEvent }
  | { type: "diag"; severity: "warning" | "note"; handler: string; message: string };
