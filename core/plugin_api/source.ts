/**
 * Source plugins: a new `src:` type (a company artifact store, another
 * registry). A plugin exports a plain object with the source's name, the
 * dependency keys it accepts and a `fetch` that ivpm runs in the plugin's
 * sandboxed worker. Everything crossing that boundary is plain data.
 *
 * @module
 */

import type { Schema } from "./schema.ts";

/**
 * A dependency as a source sees it: its name, source type, URL and the
 * source-specific keys as written in `ivpm.yaml` (after variable substitution).
 *
 * @example
 * ```ts
 * import type { DependencySpec } from "@ivpm/plugin";
 * const dep: DependencySpec = { name: "fw", src: "artifact", options: { artifact: "fw-1.2" } };
 * ```
 */
export interface DependencySpec {
  /** The package name (`packages/<name>`). */
  name: string;
  /** Source type (`git`, `http`, or a plugin's own), explicit or detected from the URL. */
  src: string;
  /** The dependency's `url:`, if it has one. */
  url?: string;
  /** Every source-specific key as written (after variable substitution), e.g. `branch`, `version`. */
  options: Record<string, unknown>;
}

/**
 * What a source declares about itself: enough to validate `ivpm.yaml` and to
 * print `ivpm show source`.
 *
 * @example
 * ```ts
 * import { s, type SourceInfo } from "@ivpm/plugin";
 * const info: SourceInfo = {
 *   name: "artifact",
 *   description: "Acme artifact store",
 *   keys: { artifact: s.string("Artifact id") },
 *   required: ["artifact"],
 * };
 * ```
 */
export interface SourceInfo {
  /** The `src:` value that selects this source. */
  name: string;
  /** One line for `ivpm show source`. */
  description?: string;
  /** Dependency keys this source accepts besides the common ones, each a schema built with `s`. */
  keys?: Record<string, Schema>;
  /** Keys that must be present. */
  required?: readonly string[];
}

/**
 * Everything a source's `fetch` is given for one package. Sources never write
 * to `finalPath` themselves: they stage content in `workDir` and ivpm moves it.
 *
 * @example
 * ```ts
 * import type { FetchContext } from "@ivpm/plugin";
 * const stagedIn = (ctx: FetchContext) => `${ctx.workDir}/content`;
 * ```
 */
export interface FetchContext {
  /** Absolute project directory. */
  projectDir: string;
  /** Absolute deps directory (`<project>/packages`). */
  depsDir: string;
  /** Final location, `<depsDir>/<name>`; sources never write there directly. */
  finalPath: string;
  /** A fresh, empty, private directory for this fetch's work files (the only place a plugin may write). */
  workDir: string;
  /** Use URLs as written (no SSH rewrite) unless the dependency says otherwise. */
  anonymousGit: boolean;
  /** This package's entry in the previous lock, if any (what `lock` returned last time, among others). */
  previous?: Record<string, unknown>;
  /** `--refresh-all`: look for newer content even if the previous lock entry still matches. */
  refresh: boolean;
  /** `--force`: fetch again even if nothing changed. */
  force: boolean;
  /** Aborted when the update is cancelled. */
  signal: AbortSignal;
  /** Reports a note (shown with `-v`). */
  note(message: string): void;
  /** Site config git auth order (`gh`, `ssh`, `https`); default gh → ssh → https. */
  gitAuthOrder?: string[];
}

/**
 * Where a fetched package's content is: staged in the work directory, a link
 * to an existing directory, nothing on disk, or the existing content kept.
 *
 * @example
 * ```ts
 * import type { Placement } from "@ivpm/plugin";
 * const p: Placement = { kind: "path", staged: "/tmp/work/content" };
 * ```
 */
export type Placement =
  | {
    /** The content is at `staged` (a dir or file inside `workDir`) and is renamed to `finalPath`. */
    kind: "path";
    /** Absolute path of the staged content. */
    staged: string;
  }
  | {
    /** `finalPath` becomes a symlink to `target`. */
    kind: "link";
    /** Absolute path the symlink points at. */
    target: string;
  }
  | {
    /** Nothing on disk (virtual packages). */
    kind: "none";
  }
  | {
    /** The existing `finalPath` is still right (a refresh found nothing new). */
    kind: "kept";
  };

/**
 * What a fetch produced.
 *
 * @example
 * ```ts
 * import type { FetchOutcome } from "@ivpm/plugin";
 * const done: FetchOutcome = {
 *   placement: { kind: "path", staged: "/tmp/work/content" },
 *   lock: { artifact_resolved: "fw-1.2+release" },
 *   version: "fw-1.2",
 * };
 * ```
 */
export interface FetchOutcome {
  /** Where the content is (see {@link Placement}). */
  placement: Placement;
  /** Resolution fields for the lock (`commit_resolved`, `version_resolved`, `etag`, …). */
  lock: Record<string, unknown>;
  /** Shown next to the package: a short commit, a release tag, a version. */
  version?: string;
  /** The content came from the shared cache. */
  cacheHit?: boolean;
}

/**
 * A source type a plugin provides: export an object of this shape from the
 * plugin's entry module. Its `fetch` runs in the plugin's sandboxed worker,
 * with the user's grant plus read/write access to `ctx.workDir`.
 *
 * @example
 * ```ts
 * import { s, type Source } from "@ivpm/plugin";
 *
 * export const artifact: Source = {
 *   name: "artifact",
 *   description: "Acme artifact store",
 *   keys: { artifact: s.string("Artifact id") },
 *   required: ["artifact"],
 *   async fetch(dep, ctx) {
 *     const staged = `${ctx.workDir}/content`;
 *     await Deno.mkdir(staged);
 *     await Deno.writeTextFile(`${staged}/ID`, `${dep.options.artifact}\n`);
 *     ctx.note(`fetched ${dep.options.artifact}`);
 *     return { placement: { kind: "path", staged }, lock: { artifact_resolved: dep.options.artifact } };
 *   },
 * };
 * ```
 */
export interface Source extends SourceInfo {
  /** Fetches one package into `ctx.workDir` and says where its content is. */
  fetch(dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome>;
}
