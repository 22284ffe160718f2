/**
 * Plugin resolution and loading. `resolvePlugin` fetches a spec's module graph
 * (verifying every file), bundles it, inspects it in a sandbox and produces a
 * pin; `loadPlugins` turns configured entries into registered handlers, sources
 * and site configs — from the cache when pinned (offline, verified), resolving
 * unpinned ones unless frozen.
 *
 * @module
 */

import { dirname } from "node:path";
import { fromFileUrl } from "../util/path.ts";
import { IvpmError } from "../base/errors.ts";
import type { HandlerRegistry } from "../engine/registry.ts";
import type { SourceRegistry } from "../fetch/sources/registry.ts";
import { sha256Integrity } from "./fetch/digest.ts";
import { dataUrl } from "./data_url.ts";
import { inspectPlugin } from "./inspect.ts";
import type { PluginMeta } from "./meta.ts";
import { type PinFile, pinFileFor, type PluginPin, readPins, relativeTo, writePins } from "./pins.ts";
import {
  checkMeta,
  checkPin,
  jsrFilePrefix,
  metaHash,
  metaKey,
  pinIntegrity,
  registersOf,
} from "./pin_check.ts";
import { findPin, prunePins } from "./pin_match.ts";
import { warn } from "../ui/log.ts";
import { pluginCacheDir, readBundle, readMeta, writeBundle, writeMeta } from "./store.ts";
import type { PluginEntry } from "./entries.ts";
import type { SiteConfigRegistry } from "./site_configs.ts";
import { remoteSource } from "./remote_source.ts";
import { apiRangesOf, checkPluginApi } from "./api_version.ts";
import type { RegisteredCredentialProvider } from "./credentials.ts";

/** A plugin ready to register. */
export interface LoadedPlugin {
  entry: PluginEntry;
  pin: PluginPin;
  meta: PluginMeta;
  /** `data:` URL of the verified bundle (what workers import). */
  moduleUrl: string;
}

/** Options of {@link resolvePlugin}. */
export interface ResolveOptions {
  /** Verify against this pin (same version and file hashes) instead of resolving the range. */
  pinned?: PluginPin;
  env?: { get(k: string): string | undefined };
  signal?: AbortSignal;
}

/** What {@link resolvePlugin} produces. */
export interface Resolved {
  pin: PluginPin;
  code: string;
  meta: PluginMeta;
  /** The version chosen is yanked (only picked because nothing else satisfies the range). */
  yanked?: boolean;
}

/** Fetches, verifies, bundles and inspects a plugin; returns its pin, code and metadata. */
export async function resolvePlugin(entry: PluginEntry, opts: ResolveOptions = {}): Promise<Resolved> {
  // The fetcher and esbuild load only when a plugin is actually resolved (not on every start-up).
  const { fetchPluginGraph, jsrRegistryBase, parsePluginSpec } = await import("./fetch/mod.ts");
  const { bundlePlugin } = await import("./bundle.ts");
  const spec = parsePluginSpec(entry.spec, dirname(entry.file));
  const pinDir = dirname(pinFileFor(entry.file));
  const env = opts.env ?? Deno.env;
  const pinned = opts.pinned;
  // JSR files are pinned under registry-independent names; the registry in use serves them.
  const jsrPkg = spec.kind === "jsr" ? `@${spec.scope}/${spec.name}` : undefined;
  const atRegistry = (version: string) => `${jsrRegistryBase(env)}${jsrPkg}/${version}/`;
  let expectHashes = pinned?.files;
  if (jsrPkg && pinned?.version && expectHashes) {
    expectHashes = rebase(expectHashes, jsrFilePrefix(jsrPkg, pinned.version), atRegistry(pinned.version));
  }
  const graph = await fetchPluginGraph(spec, {
    expect: pinned
      ? {
        version: pinned.version,
        hashes: expectHashes,
        metaSha256: pinned.source.metaSha256 as string | undefined,
      }
      : undefined,
    env: opts.env,
    signal: opts.signal,
  });
  let files = graph.files, hashes = graph.hashes, entryUrl = graph.resolved.entry;
  const { registry: _where, ...source } = graph.pin;
  if (jsrPkg && graph.resolved.version) {
    const from = atRegistry(graph.resolved.version), to = jsrFilePrefix(jsrPkg, graph.resolved.version);
    files = new Map([...files].map(([url, text]) => [rebaseUrl(url, from, to), text]));
    hashes = rebase(hashes, from, to);
    entryUrl = rebaseUrl(entryUrl, from, to);
  }
  const fields = {
    resolved: graph.resolved.kind === "jsr" || graph.resolved.kind === "npm"
      ? `${graph.resolved.kind}:${withVersion(graph.resolved.name, graph.resolved.version)}`
      : graph.resolved.entry,
    kind: graph.resolved.kind,
    version: graph.resolved.version,
    entry: entryUrl,
    files: hashes,
    source,
  };
  const integrity = pinIntegrity(fields, pinDir);
  if (pinned && pinned.integrity !== integrity) {
    throw new IvpmError(
      `refusing to run plugin ${entry.spec}: fetched code has integrity ${integrity}, but ${pinned.integrity} is pinned`,
      {
        hint:
          "the plugin's files changed upstream; review and run 'ivpm plugin update' to accept the new code",
      },
    );
  }
  const built = await bundlePlugin({ entry: entryUrl, files, plugin: entry.spec });
  // Before any of its code runs (the inspection below evaluates it).
  checkPluginApi(entry.spec, built.apiRanges);
  const code = spec.kind === "local" ? portableBundle(built.code, pinDir) : built.code;
  const bundle = { code, sha256: await writeBundle(code) };
  // Always inspected here (in the sandbox): a fresh resolve trusts no cached metadata.
  const meta = await inspectPlugin(dataUrl(bundle.code), entry.spec);
  if (
    !meta.handlers.length && !meta.sources.length && !meta.siteConfigs.length &&
    !meta.credentialProviders?.length
  ) {
    throw new IvpmError(`plugin ${entry.spec} registers nothing`, {
      hint: "export classes extending PackageHandler or SiteConfig, or source objects, from its entry module",
    });
  }
  const pin: PluginPin = {
    ...fields,
    integrity,
    bundle: bundle.sha256,
    meta: metaHash(meta),
    registers: registersOf(meta),
  };
  if (pinned && JSON.stringify(pin.registers) !== JSON.stringify(pinned.registers)) {
    throw new IvpmError(
      `refusing to run plugin ${entry.spec}: it registers ${JSON.stringify(pin.registers)}, ` +
        `but its pin lists ${JSON.stringify(pinned.registers)}`,
      {
        hint: "the lock was edited; restore it from version control, or review and run 'ivpm plugin update'",
      },
    );
  }
  await writeMeta(metaKey(pin), meta);
  return { pin, code: bundle.code, meta, yanked: graph.resolved.yanked };
}

/** `url` with the prefix `from` replaced by `to` (unchanged when it does not start with `from`). */
function rebaseUrl(url: string, from: string, to: string): string {
  return url.startsWith(from) ? to + url.slice(from.length) : url;
}

function rebase(hashes: Record<string, string>, from: string, to: string): Record<string, string> {
  return Object.fromEntries(Object.entries(hashes).map(([url, h]) => [rebaseUrl(url, from, to), h]));
}

/** `@acme/x` + `1.2.3` → `@acme/x@1.2.3`; a name that already carries its version is kept. */
function withVersion(name: string, version: string | undefined): string {
  if (!version || name.endsWith(`@${version}`)) return name;
  return `${name}@${version}`;
}

/**
 * esbuild heads each module with a `// <namespace>:<url>` comment; a local
 * plugin's absolute `file:` URLs there would make its bundle hash (which the
 * committed pin records) differ between checkouts. They are rewritten relative
 * to the pin file; the code itself is untouched.
 */
function portableBundle(code: string, pinDir: string): string {
  return code.replace(/^(\/\/ [\w-]+:)(file:\/\/\/\S*)$/gm, (_, head, url) => head + relativeTo(pinDir, url));
}

/** Whether unpinned plugins must be refused (`--frozen`, or `CI=true`). */
export function isFrozen(flag: boolean | undefined, env = Deno.env): boolean {
  return !!flag || /^(1|true|yes)$/i.test(env.get("CI") ?? "");
}

/**
 * Loads every entry: pinned ones from the cache (re-fetching if evicted), unpinned
 * ones resolved. Every load checks the pin against itself, the cached bundle and
 * metadata against the pin, and a local plugin's files against the pin.
 */
export async function loadPlugins(
  entries: PluginEntry[],
  opts: {
    frozen: boolean;
    /** Leave unpinned entries out instead of resolving them (the `plugin` commands pin explicitly). */
    skipUnpinned?: boolean;
    note?: (m: string) => void;
    env?: { get(k: string): string | undefined };
  },
): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  const pinFiles = new Map<string, PinFile>();
  const listed = new Map<string, string[]>();
  for (const e of entries) {
    const p = pinFileFor(e.file);
    listed.set(p, [...(listed.get(p) ?? []), e.spec]);
  }
  const dirty = new Set<string>();
  for (const entry of entries) {
    const pinPath = pinFileFor(entry.file);
    const pinDir = dirname(pinPath);
    let pins = pinFiles.get(pinPath);
    if (!pins) {
      pins = readPins(pinPath);
      pinFiles.set(pinPath, pins);
    }
    const found = await findPin(pins, entry.spec, entry.file);
    let pin = found?.pin;
    if (found && found.key !== entry.spec) {
      // The spec was rewritten (e.g. narrowed) and the pinned version still satisfies it: keep the pin.
      delete pins.plugins[found.key];
      pins.plugins[entry.spec] = found.pin;
      if (!opts.frozen) dirty.add(pinPath);
    }
    if (pin?.kind === "local" && (await localChanged(pin))) {
      if (opts.frozen) {
        throw new IvpmError(
          `plugin ${entry.spec} (listed in ${entry.file}) changed on disk since it was pinned; frozen mode does not re-pin it`,
          { hint: `run ivpm without --frozen / CI=true to re-pin it, and commit ${pinPath}` },
        );
      }
      // An in-repo plugin being developed: its edits take effect on the next command.
      opts.note?.(`plugin ${entry.spec} changed on disk; re-pinning`);
      pin = undefined;
    }
    if (pin) {
      checkPin(pin, entry.spec, pinPath, pinDir);
      let code = readBundle(pin.bundle, entry.spec);
      const cached = code ? readMeta(metaKey(pin)) : undefined;
      let meta = cached?.meta;
      if (cached) checkMeta(pin, cached.meta, entry.spec, pinPath, `in ${cached.path}`);
      if (!code || !meta) {
        // Evicted from the cache, or this bundle is not known to be built from these pinned sources
        // (the metadata is stored only after building from verified sources): re-fetch and verify.
        const r = await refetchPinned(entry, pin, opts.env);
        code = r.code;
        meta = r.meta;
        if (r.pin.bundle !== pin.bundle || r.pin.meta !== pin.meta) {
          opts.note?.(`plugin ${entry.spec}: re-bundled with a different bundler output (sources verified)`);
          pins.plugins[entry.spec] = { ...pin, bundle: r.pin.bundle, meta: r.pin.meta };
          // Frozen mode leaves committed files alone; the sources were verified either way.
          if (!opts.frozen) dirty.add(pinPath);
        }
      }
      // A cached bundle too: ivpm may have been upgraded past the plugin's API range since it was pinned.
      checkPluginApi(entry.spec, apiRangesOf(code));
      out.push({ entry, pin: pins.plugins[entry.spec], meta, moduleUrl: dataUrl(code) });
      continue;
    }
    if (opts.skipUnpinned) continue;
    if (opts.frozen) {
      throw new IvpmError(
        `plugin ${entry.spec} (listed in ${entry.file}) is not pinned; frozen mode refuses to resolve it`,
        {
          hint: `run 'ivpm plugin update' locally and commit ${pinPath}`,
        },
      );
    }
    opts.note?.(`resolving plugin ${entry.spec}`);
    const r = await resolvePlugin(entry, { env: opts.env });
    if (r.yanked) warn(yankedPicked(entry.spec, r.pin));
    pins.plugins[entry.spec] = r.pin;
    dirty.add(pinPath);
    out.push({ entry, pin: r.pin, meta: r.meta, moduleUrl: dataUrl(r.code) });
  }
  for (const p of dirty) {
    const pins = pinFiles.get(p)!;
    prunePins(pins, listed.get(p) ?? []);
    await writePins(p, pins);
  }
  return out;
}

/** The warning when resolution had to pick a yanked version. */
export function yankedPicked(spec: string, pin: PluginPin): string {
  return `plugin ${spec}: pinned ${pin.resolved}, which is yanked (no other version satisfies the range); ` +
    "move to a supported version when one is published";
}

/** Re-fetches a pinned plugin missing from the cache; a failure names the plugin, where it came from and why. */
async function refetchPinned(
  entry: PluginEntry,
  pin: PluginPin,
  env: { get(k: string): string | undefined } | undefined,
): Promise<Resolved> {
  try {
    return await resolvePlugin(entry, { pinned: pin, env });
  } catch (e) {
    if (!(e instanceof IvpmError)) throw e;
    const from = pin.kind === "jsr"
      ? `registry ${registryOf(env)}`
      : pin.kind === "local"
      ? fromFileUrlOrSelf(pin.entry)
      : pin.entry;
    throw new IvpmError(
      `plugin ${entry.spec} (pinned ${pin.resolved}) is not in the plugin cache (${pluginCacheDir()}) ` +
        `and could not be fetched again from ${from}: ${e.message}`,
      {
        hint: e.hint ??
          "the plugin's source must be reachable once to fill the cache; after that ivpm works offline",
        cause: e,
      },
    );
  }
}

/** The JSR registry in use, for messages (`JSR_URL` as given, else the default). */
function registryOf(env: { get(k: string): string | undefined } | undefined): string {
  const raw = (env ?? Deno.env).get("JSR_URL")?.trim() || "https://jsr.io/";
  return raw.endsWith("/") ? raw : `${raw}/`;
}

function fromFileUrlOrSelf(url: string): string {
  try {
    return fromFileUrl(url);
  } catch {
    return url;
  }
}

/** Whether any file of a local plugin differs from its pin (cheap: the files are on disk). */
async function localChanged(pin: PluginPin): Promise<boolean> {
  for (const [url, hash] of Object.entries(pin.files ?? {})) {
    try {
      const bytes = await Deno.readFile(new URL(url));
      if (sha256Integrity(bytes) !== hash) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Registers what loaded plugins provide. Name clashes are errors naming both origins (site configs excepted). */
export function registerPlugins(
  loaded: LoadedPlugin[],
  registries: {
    handlers: HandlerRegistry;
    sources: SourceRegistry;
    siteConfigs: SiteConfigRegistry;
    credentialProviders: RegisteredCredentialProvider[];
  },
): void {
  for (const p of loaded) {
    const origin = `${p.entry.spec} (${p.entry.scope})`;
    for (const h of p.meta.handlers) {
      registries.handlers.registerMeta(h.meta, {
        origin,
        moduleUrl: p.moduleUrl,
        exportName: h.exportName,
        grant: p.entry.grant,
        optionsSchema: h.options,
      });
    }
    for (const s of p.meta.sources) {
      registries.sources.register(remoteSource(s, { origin, moduleUrl: p.moduleUrl, grant: p.entry.grant }));
    }
    for (const c of p.meta.credentialProviders ?? []) {
      registries.credentialProviders.push({
        name: c.name,
        origin,
        moduleUrl: p.moduleUrl,
        exportName: c.exportName,
        grant: p.entry.grant,
      });
    }
    for (const c of p.meta.siteConfigs) {
      registries.siteConfigs.register({
        name: c.name,
        description: c.description,
        origin,
        moduleUrl: p.moduleUrl,
        exportName: c.exportName,
        factory: c.factory,
        grant: p.entry.grant,
      });
    }
  }
}
