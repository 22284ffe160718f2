/**
 * Where pip and uv look for packages: `with.python` `index-url`,
 * `extra-index-url` and `find-links` (e.g. a site mirror on an air-gapped
 * site), checked and turned into installer arguments — never written into a
 * requirements file, where a line break would smuggle in other options.
 *
 * @module
 */

import { HandlerFatalError, type PythonPackageIndex } from "@ivpm/plugin";

/** The package sources of one run; empty lists = the installer's own configuration. */
export interface IndexSettings {
  indexUrl?: string;
  extraIndexUrls: string[];
  findLinks: string[];
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Checks one location: a URL or a path, one line, not an option. */
function location(key: string, v: unknown): string {
  if (typeof v !== "string" || v.trim() === "" || CONTROL.test(v) || v.startsWith("-") || v.length > 4096) {
    throw new HandlerFatalError(
      `package.with.python.${key} ${JSON.stringify(v)} is not a URL or path ` +
        "(it must be one line, not empty, and not start with '-')",
    );
  }
  return v;
}

function list(key: string, v: unknown): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => location(key, x));
}

/**
 * The checked `index-url`, `extra-index-url` and `find-links` of `with.python`; each one the project does
 * not set comes from the site config's package index (a site-wide mirror), if any.
 */
export function indexSettings(config: Record<string, unknown>, site: PythonPackageIndex = {}): IndexSettings {
  const raw = config["index-url"] ?? site.indexUrl;
  return {
    indexUrl: raw === undefined ? undefined : location("index-url", raw),
    extraIndexUrls: list("extra-index-url", config["extra-index-url"] ?? site.extraIndexUrls),
    findLinks: list("find-links", config["find-links"] ?? site.findLinks),
  };
}

/** The settings as pip / uv arguments (both spell them the same). */
export function indexArgs(s: IndexSettings): string[] {
  return [
    ...(s.indexUrl ? ["--index-url", s.indexUrl] : []),
    ...s.extraIndexUrls.flatMap((u) => ["--extra-index-url", u]),
    ...s.findLinks.flatMap((u) => ["--find-links", u]),
  ];
}

/**
 * pip settings for every pip process, including the build-isolation
 * subprocesses (which get no command-line options): no retries, a short
 * timeout — an unreachable index fails at once instead of after half a minute.
 */
export const PIP_FAIL_FAST_ENV: Record<string, string> = {
  PIP_RETRIES: "0",
  PIP_TIMEOUT: "10",
  PIP_DEFAULT_TIMEOUT: "10",
};

/** Whether pip's output says the index could not be reached at all. */
export function indexUnreachable(output: string): boolean {
  return /NewConnectionError|Connection refused|Failed to establish a new connection|Name or service not known|Temporary failure in name resolution|Network is unreachable|timed out/i
    .test(output);
}

/** The hint for an unreachable index. */
export const OFFLINE_HINT = "no Python package index is reachable: point package.with.python.index-url or " +
  "find-links at a mirror, or re-run with --skip-py-install";
