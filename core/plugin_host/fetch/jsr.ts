/**
 * JSR plugins: version resolution against `meta.json`, the version manifest
 * (`<version>_meta.json`), and a graph walk that checks every file's size and
 * sha256 against that manifest — the same protocol and checks as Deno's own
 * `jsr:` resolver, so one registry (real or a test fake at `JSR_URL`) serves both.
 *
 * @module
 */

import semverModule from "semver";
import { IvpmError } from "../../base/errors.ts";
import { sameSha256, sha256Hex, sha256Integrity } from "./digest.ts";
import { classifyPluginImport } from "../import_rules.ts";
import { importedBy, walkGraph } from "./graph.ts";
import { checkRemoteUrl, getBytes } from "./remote.ts";
import type { FetchedGraph, FetchOptions } from "./types.ts";

/** The part of `npm:semver` used here (the package ships no types). */
interface SemverApi {
  valid(version: string): string | null;
  maxSatisfying(versions: string[], range: string): string | null;
  satisfies(version: string, range: string): boolean;
}
const semver = semverModule as SemverApi;

/** The registry used when `JSR_URL` is not set. */
export const DEFAULT_JSR_URL = "https://jsr.io/";

/** A JSR package reference (scope and name without `@`). */
export interface JsrRef {
  scope: string;
  name: string;
  range: string;
  subpath?: string;
}

/** What `meta.json` says about one version. */
export interface JsrVersionInfo {
  yanked?: boolean;
}

/** One file of a version manifest. */
interface ManifestEntry {
  size: number;
  checksum: string;
}

/** The registry base URL from `JSR_URL` (default {@link DEFAULT_JSR_URL}), with a trailing slash. */
export function jsrRegistryBase(env: { get(k: string): string | undefined }): string {
  const raw = env.get("JSR_URL")?.trim() || DEFAULT_JSR_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IvpmError(`JSR_URL is not a URL: '${raw}'`, {
      hint: "set JSR_URL to e.g. https://jsr.io/ or unset it",
    });
  }
  checkRemoteUrl(url, "JSR registry");
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

/**
 * The highest version in `versions` satisfying `range`, skipping yanked ones
 * unless only yanked versions match (Deno's rule). Undefined when none matches.
 */
export function selectJsrVersion(
  versions: Record<string, JsrVersionInfo>,
  range: string,
): string | undefined {
  const all = Object.keys(versions).filter((v) => semver.valid(v) === v);
  const live = all.filter((v) => !versions[v]?.yanked);
  return semver.maxSatisfying(live, range) ?? semver.maxSatisfying(all, range) ?? undefined;
}

/** Fetches and verifies a JSR plugin's graph. */
export async function fetchJsrGraph(ref: JsrRef, spec: string, opts: FetchOptions): Promise<FetchedGraph> {
  const base = jsrRegistryBase(opts.env ?? Deno.env);
  const pkg = `@${ref.scope}/${ref.name}`;
  const pkgUrl = `${base}${pkg}/`;
  const chosen = opts.expect?.version === undefined
    ? await resolveVersion(pkgUrl, pkg, ref.range, opts.signal)
    : { version: opts.expect.version, yanked: false };
  const version = chosen.version;
  if (opts.expect?.version !== undefined && !semver.satisfies(version, ref.range)) {
    throw new IvpmError(`Pinned version ${version} of ${pkg} does not satisfy '${ref.range}'`, {
      hint: "the range changed since the plugin was pinned; run `ivpm plugin update` to re-pin it",
    });
  }
  const plugin = `${pkg}@${version}`;

  const metaUrl = `${pkgUrl}${version}_meta.json`;
  const metaRes = await getBytes(metaUrl, `metadata of ${plugin}`, opts.signal);
  if (!metaRes.ok) {
    throw new IvpmError(
      metaRes.status === 404
        ? `Version ${version} of ${pkg} is not in the registry at ${base}`
        : `Could not fetch ${metaUrl}: HTTP ${metaRes.status}`,
      { hint: `check the version and the registry (JSR_URL=${base})` },
    );
  }
  const metaSha256 = sha256Hex(metaRes.bytes);
  if (opts.expect?.metaSha256 !== undefined && !sameSha256(opts.expect.metaSha256, metaSha256)) {
    throw new IvpmError(
      `Plugin ${plugin}: the registry at ${base} serves different content for this version than was pinned ` +
        `(version manifest sha256 ${metaSha256}, pinned ${opts.expect.metaSha256}); refusing to run it`,
      {
        hint: "a published version never changes: the version was re-published or the registry (JSR_URL) " +
          "is not a faithful mirror; check it, or review the new code and re-pin with `ivpm plugin update`",
      },
    );
  }
  const { manifest, exports } = parseVersionMeta(metaRes.bytes, metaUrl);

  const exportKey = ref.subpath ?? ".";
  const entryTarget = exports[exportKey];
  if (entryTarget === undefined) {
    const available = Object.keys(exports).sort().join(", ") || "none";
    throw new IvpmError(`${plugin} has no export '${exportKey}'`, {
      hint: `available exports: ${available}`,
    });
  }
  const versionUrl = `${pkgUrl}${version}/`;
  const toUrl = (path: string) => new URL(path.replace(/^\.?\//, ""), versionUrl).href;
  /** The manifest path (`/mod.ts`) of a URL inside this version, or undefined when outside it. */
  const toPath = (url: string): string | undefined =>
    url.startsWith(versionUrl) ? `/${decodeURIComponent(url.slice(versionUrl.length))}` : undefined;

  const walked = await walkGraph(toUrl(entryTarget), {
    resolve(specifier, importer) {
      const target = classifyPluginImport(plugin, specifier, importer);
      if (target.kind !== "module") return undefined; // the API or a pure node: built-in, kept external
      const url = new URL(target.url);
      url.search = "";
      if (toPath(url.href) === undefined) {
        throw new IvpmError(
          `Plugin ${plugin} imports '${specifier}' from outside the package in ${importer}`,
          {
            hint: "a JSR plugin may import only its own files and '@ivpm/plugin'",
          },
        );
      }
      return url.href;
    },
    async load(url, importer, signal) {
      const path = toPath(url)!;
      const entry = manifest[path];
      if (!entry) {
        throw new IvpmError(
          `Plugin ${plugin}: ${path} is not part of the published package${importedBy(importer)}`,
          {
            hint: "the package is incomplete; its author must publish the missing file",
          },
        );
      }
      const res = await getBytes(url, `${path} of ${plugin}`, signal);
      if (!res.ok) {
        throw new IvpmError(`Could not fetch ${path} of ${plugin} from ${url}: HTTP ${res.status}`, {
          hint: `check the registry (JSR_URL=${base})`,
        });
      }
      const actual = sha256Integrity(res.bytes);
      if (!sameSha256(entry.checksum, actual) || res.bytes.length !== entry.size) {
        throw new IvpmError(
          `Plugin ${plugin}: ${path} does not match the registry manifest ` +
            `(expected ${entry.checksum}, ${entry.size} bytes; got ${actual}, ${res.bytes.length} bytes); ` +
            `refusing to run it`,
          {
            hint:
              "the file was altered in transit or on the registry; do not use this version until it is resolved",
          },
        );
      }
      return { bytes: res.bytes, url };
    },
  }, { plugin, expectHashes: opts.expect?.hashes, signal: opts.signal });

  return {
    spec,
    resolved: {
      kind: "jsr",
      name: plugin,
      version,
      entry: walked.entry,
      ...(chosen.yanked ? { yanked: true } : {}),
    },
    files: walked.files,
    hashes: walked.hashes,
    pin: { registry: base, metaSha256 },
  };
}

/** The published versions of `pkg` (`@scope/name`) at the registry `JSR_URL` names. */
export function jsrVersions(
  pkg: string,
  env: { get(k: string): string | undefined },
  signal?: AbortSignal,
): Promise<Record<string, JsrVersionInfo>> {
  return fetchVersions(`${jsrRegistryBase(env)}${pkg}/`, pkg, signal);
}

async function resolveVersion(
  pkgUrl: string,
  pkg: string,
  range: string,
  signal?: AbortSignal,
): Promise<{ version: string; yanked: boolean }> {
  const infos = await fetchVersions(pkgUrl, pkg, signal);
  const chosen = selectJsrVersion(infos, range);
  if (chosen === undefined) {
    const known = Object.keys(infos).filter((v) => semver.valid(v)).slice(-10).join(", ") || "none";
    throw new IvpmError(`No version of ${pkg} satisfies '${range}'`, {
      hint: `published versions: ${known}`,
    });
  }
  return { version: chosen, yanked: infos[chosen]?.yanked === true };
}

async function fetchVersions(
  pkgUrl: string,
  pkg: string,
  signal?: AbortSignal,
): Promise<Record<string, JsrVersionInfo>> {
  const url = `${pkgUrl}meta.json`;
  const res = await getBytes(url, `versions of ${pkg}`, signal);
  if (!res.ok) {
    throw new IvpmError(
      res.status === 404
        ? `JSR package ${pkg} not found at ${url}`
        : `Could not fetch ${url}: HTTP ${res.status}`,
      { hint: "check the package name (and JSR_URL, if set)" },
    );
  }
  const meta = parseJson(res.bytes, url);
  const versions = isRecord(meta) && isRecord(meta.versions) ? meta.versions : undefined;
  if (!versions) throw invalidMeta(url, "no 'versions' object");
  const infos: Record<string, JsrVersionInfo> = {};
  for (const [v, info] of Object.entries(versions)) {
    infos[v] = { yanked: isRecord(info) && info.yanked === true };
  }
  return infos;
}

function parseVersionMeta(
  bytes: Uint8Array,
  url: string,
): { manifest: Record<string, ManifestEntry>; exports: Record<string, string> } {
  const meta = parseJson(bytes, url);
  if (!isRecord(meta) || !isRecord(meta.manifest)) throw invalidMeta(url, "no 'manifest' object");
  const manifest: Record<string, ManifestEntry> = {};
  for (const [path, e] of Object.entries(meta.manifest)) {
    if (!isRecord(e) || typeof e.size !== "number" || typeof e.checksum !== "string") {
      throw invalidMeta(url, `bad manifest entry for '${path}'`);
    }
    manifest[path] = { size: e.size, checksum: e.checksum };
  }
  const exports: Record<string, string> = {};
  if (isRecord(meta.exports)) {
    for (const [k, v] of Object.entries(meta.exports)) if (typeof v === "string") exports[k] = v;
  }
  return { manifest, exports };
}

function parseJson(bytes: Uint8Array, url: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalidMeta(url, "not JSON");
  }
}

function invalidMeta(url: string, why: string): IvpmError {
  return new IvpmError(`Invalid JSR metadata at ${url}: ${why}`, {
    hint: "JSR_URL must point at a JSR registry (default https://jsr.io/)",
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
