/**
 * Where the shared package cache lives, and whether there is one at all.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { homedir } from "node:os";

/** The part of `Deno.env` this module reads (so tests can pass a plain object). */
export interface EnvReader {
  /** Value of `key`, or undefined when unset. */
  get(key: string): string | undefined;
}

/** Options for {@linkcode resolveCacheDir}. */
export interface ResolveCacheDirOptions {
  /** `--cache-dir` (or an API argument); wins over everything. */
  flag?: string;
  /** Environment to read `IVPM_CACHE` from (default `Deno.env`). */
  env?: EnvReader;
  /** Site default (normally {@linkcode defaultSiteCacheDir}); `""` or null means the site disables caching. */
  siteDefault: string | null;
}

/**
 * The cache root, or null when caching is disabled.
 *
 * Precedence: `flag` > `$IVPM_CACHE` > `siteDefault`. The first one that is *set*
 * decides, and an empty string disables caching wherever it comes from (the
 * original treated `IVPM_CACHE=""` as a cache in the current directory).
 * A leading `~/` is expanded and relative paths are made absolute, so links
 * into the cache do not depend on the working directory.
 */
export function resolveCacheDir(options: ResolveCacheDirOptions): string | null {
  const env = options.env ?? Deno.env;
  const chosen = options.flag ?? env.get("IVPM_CACHE") ?? options.siteDefault;
  if (chosen === null || chosen.trim() === "") return null;
  return absolutePath(chosen, env);
}

/**
 * The default cache root: `$XDG_CACHE_HOME/ivpm`, else `~/.cache/ivpm`;
 * on Windows `%LOCALAPPDATA%\ivpm\cache`.
 */
export function defaultSiteCacheDir(env: EnvReader = Deno.env, os: string = Deno.build.os): string {
  if (os === "windows") {
    const local = env.get("LOCALAPPDATA");
    if (local) return join(local, "ivpm", "cache");
    return join(home(env), "AppData", "Local", "ivpm", "cache");
  }
  const xdg = env.get("XDG_CACHE_HOME");
  // The XDG spec says a relative value is invalid and must be ignored.
  if (xdg && xdg.startsWith("/")) return join(xdg, "ivpm");
  return join(home(env), ".cache", "ivpm");
}

function home(env: EnvReader): string {
  return env.get("HOME") || env.get("USERPROFILE") || homedir();
}

function absolutePath(p: string, env: EnvReader): string {
  if (p === "~") return home(env);
  if (p.startsWith("~/") || p.startsWith("~\\")) return join(home(env), p.slice(2));
  return resolve(p);
}
