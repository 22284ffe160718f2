/**
 * What a source type (`src:`) is: its name, the dependency keys it accepts and,
 * once implemented, how it fetches. Sources are registered by name so a plugin
 * can add one.
 *
 * @module
 */

import type { Schema } from "../config/schema.ts";

/** Static description of a source type, enough to validate `ivpm.yaml` and print help. */
export interface SourceInfo {
  /** The `src:` value. */
  name: string;
  description: string;
  /** Dependency keys this source accepts besides the common ones. */
  keys: Record<string, Schema>;
  /** Keys that must be present. */
  required?: readonly string[];
  /** Creates no `packages/<name>` directory (pypi, npm, ivpm.yaml factories…). */
  virtual?: boolean;
  /** Where it comes from: `built-in` or a plugin spec. */
  origin: string;
}

/** Everything a source needs to fetch one package. */
export interface FetchContext {
  projectDir: string;
  /** Absolute deps dir (`<project>/packages`). */
  depsDir: string;
  /** Final location, `<depsDir>/<name>` — sources never write there directly. */
  finalPath: string;
  /** A fresh, empty, private directory under the deps dir for this fetch's work files. */
  workDir: string;
  /** Use URLs as written (no SSH rewrite) unless the dependency says otherwise. */
  anonymousGit: boolean;
  /** The shared cache, when enabled. */
  cache: import("../cache/store.ts").PackageCache | null;
  /** This package's entry in the previous lock, if any. */
  previous?: Record<string, unknown>;
  /** `--refresh-all` / `--force`. */
  refresh: boolean;
  force: boolean;
  signal: AbortSignal;
  /** Reports a note (shown with -v). */
  note(message: string): void;
  /** Site config git auth order (`gh`, `ssh`, `https`); default gh → ssh → https. */
  gitAuthOrder?: string[];
  /** Credential providers (first result wins) for https git remotes. */
  credentials?: import("../git/auth.ts").CredentialLookup;
  /** Reports download progress (bytes so far, total when known) for the status line. */
  progress?(p: { bytes: number; total?: number }): void;
}

/** What a fetch produced. */
export interface FetchOutcome {
  /**
   * `path`: content is at `staged` (a dir or file inside workDir) and is renamed to finalPath;
   * `link`: finalPath becomes a symlink to `target`;
   * `none`: nothing on disk (virtual packages);
   * `kept`: the existing finalPath is still right (refresh found nothing new).
   */
  placement:
    | { kind: "path"; staged: string }
    | { kind: "link"; target: string }
    | { kind: "none" }
    | { kind: "kept" };
  /** Resolution fields for the lock (commit_resolved, version_resolved, etag, …). */
  lock: Record<string, unknown>;
  /** Shown next to the package: a short commit, a release tag, a version. */
  version?: string;
  cacheHit?: boolean;
}

/** A source type with its behaviour. */
export interface Source extends SourceInfo {
  /** Lock fields describing what was *asked for*; compared with the previous lock to decide "up to date". */
  spec(dep: import("../config/model.ts").DependencySpec): Record<string, unknown>;
  /** Fetches the package. */
  fetch(dep: import("../config/model.ts").DependencySpec, ctx: FetchContext): Promise<FetchOutcome>;
  /** Rebuilds the dependency options from a lock entry (for `--lock-file`); undefined = not reproducible. */
  fromLock?(entry: Record<string, unknown>): { url?: string; options: Record<string, unknown> } | undefined;
  /** Whether a fetch can be reproduced exactly from the lock (false for local dirs, modules). */
  reproducible: boolean;
}
