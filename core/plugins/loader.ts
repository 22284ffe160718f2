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
import { IvpmError } from "../errors.ts";
import type { HandlerRegistry } from "../handlers/registry.ts";
import type { SourceRegistry } from "../sources/registry.ts";
import { sha256Integrity } from "./fetch/digest.ts";
import { dataUrl } from "./data_url.ts";
import { inspectPlugin } from "./inspect.ts";
import type { PluginMeta } from "./meta.ts";
import { type PinFile, pinFileFor, type PluginPin, readPins, relativeTo, writePins } from "./pins.ts";
import { pluginCacheDir, readBundle, readMeta, writeBundle, writeMeta } from "./store.ts";
import type { PluginEntry } from "./entries.ts";
import type { SiteConfigRegistry } from "./site_configs.ts";
import { remoteSource } from "./remote_source.ts";
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

/** Fetches, verifies, bundles and inspects a plugin; returns its pin, code and metadata. */
export async function resolvePlugin(
  entry: PluginEntry,
  opts: ResolveOptions = {},
): Promise<{ pin: PluginPin; code: string; meta: PluginMeta }> {
  // The fetcher and esbuild load only when a plugin is actually resolved (not on every start-up).
  const { fetchPluginGraph, graphIntegrity, parsePluginSpec } = await import("./fetch/mod.ts");
  const { bundlePlugin } = await import("./bundle.ts");
  const spec = parsePluginSpec(entry.spec, dirname(entry.file));
  const graph = await fetchPluginGraph(spec, {
    expect: opts.pinned
      ? {
        version: opts.pinned.version,
        hashes: opts.pinned.files,
        metaSha256: opts.pinned.source.metaSha256 as string | undefined,
      }
      : undefined,
    env: opts.env,
    signal: opts.signal,
  });
  const integrity = spec.kind === "local"
    ? localIntegrity(graph.hashes, dirname(pinFileFor(entry.file)))
    : graphIntegrity(graph);
  if (opts.pinned && opts.pinned.integrity !== integrity) {
    throw new IvpmError(
      `refusing to run plugin ${entry.spec}: fetched code has integrity ${integrity}, but ${opts.pinned.integrity} is pinned`,
      {
        hint:
          "the plugin's files changed upstream; review and run 'ivpm plugin update' to accept the new code",
      },
    );
  }
  const built = await bundlePlugin({ entry: graph.resolved.entry, files: graph.files });
  const code = spec.kind === "local"
    ? portableBundle(built.code, dirname(pinFileFor(entry.file)))
    : built.code;
  const bundle = { code, sha256: await writeBundle(code) };
  let meta = readMeta(bundle.sha256);
  if (!meta) {
    meta = await inspectPlugin(dataUrl(bundle.code), entry.spec);
    await writeMeta(bundle.sha256, meta);
  }
  if (
    !meta.handlers.length && !meta.sources.length && !meta.siteConfigs.length &&
    !meta.credentialProviders?.length
  ) {
    throw new IvpmError(`plugin ${entry.spec} registers nothing`, {
      hint: "export classes extending PackageHandler or SiteConfig, or source objects, from its entry module",
    });
  }
  const pin: PluginPin = {
    resolved: graph.resolved.kind === "jsr" || graph.resolved.kind === "npm"
      ? `${graph.resolved.kind}:${withVersion(graph.resolved.name, graph.resolved.version)}`
      : graph.resolved.entry,
    kind: graph.resolved.kind,
    version: graph.resolved.version,
    entry: graph.resolved.entry,
    files: graph.hashes,
    integrity,
    bundle: bundle.sha256,
    source: graph.pin,
    registers: {
      handlers: meta.handlers.map((h) => h.meta.name),
      sources: meta.sources.map((s) => s.name),
      siteConfigs: meta.siteConfigs.map((s) => s.name),
    },
  };
  return { pin, code: bundle.code, meta };
}

/** `@acme/x` + `1.2.3` → `@acme/x@1.2.3`; a name that already carries its version is kept. */
function withVersion(name: string, version: string | undefined): string {
  if (!version || name.endsWith(`@${version}`)) return name;
  return `${name}@${version}`;
}

/**
 * A local plugin's integrity, over its files' paths relative to the pin file (as
 * the pin records them), so the same sources give the same value in any checkout.
 */
function localIntegrity(hashes: Record<string, string>, pinDir: string): string {
  const lines = Object.entries(hashes).map(([url, hash]) => `${relativeTo(pinDir, url)} ${hash}\n`).sort();
  return sha256Integrity(lines.join(""));
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

/** Loads every entry: pinned ones from the verified cache (re-fetching if evicted), unpinned ones resolved. */
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
  const dirty = new Set<string>();
  for (const entry of entries) {
    const pinPath = pinFileFor(entry.file);
    let pins = pinFiles.get(pinPath);
    if (!pins) {
      pins = readPins(pinPath);
      pinFiles.set(pinPath, pins);
    }
    let pin: PluginPin | undefined = pins.plugins[entry.spec];
    if (pin?.kind === "local" && !opts.frozen && (await localChanged(pin))) {
      // An in-repo plugin being developed: its edits take effect on the next command.
      opts.note?.(`plugin ${entry.spec} changed on disk; re-pinning`);
      pin = undefined;
    }
    if (pin) {
      let code = readBundle(pin.bundle, entry.spec);
      let meta = code ? readMeta(pin.bundle) : undefined;
      if (!code) {
        // Evicted from the cache: re-fetch, verifying every file against the pin.
        const r = await refetchPinned(entry, pin, opts.env);
        code = r.code;
        meta = r.meta;
        if (r.pin.bundle !== pin.bundle) {
          opts.note?.(`plugin ${entry.spec}: re-bundled with a different bundler output (sources verified)`);
          pins.plugins[entry.spec] = { ...pin, bundle: r.pin.bundle };
          // Frozen mode leaves committed files alone; the sources were verified either way.
          if (!opts.frozen) dirty.add(pinPath);
        }
      }
      if (!meta) {
        meta = await inspectPlugin(dataUrl(code), entry.spec);
        await writeMeta(pin.bundle, meta);
      }
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
    pins.plugins[entry.spec] = r.pin;
    dirty.add(pinPath);
    out.push({ entry, pin: r.pin, meta: r.meta, moduleUrl: dataUrl(r.code) });
  }
  for (const p of dirty) await writePins(p, pinFiles.get(p)!);
  return out;
}

/** Re-fetches a pinned plugin missing from the cache; a failure names the plugin, where it came from and why. */
async function refetchPinned(
  entry: PluginEntry,
  pin: PluginPin,
  env: { get(k: string): string | undefined } | undefined,
): Promise<{ pin: PluginPin; code: string; meta: PluginMeta }> {
  try {
    return await resolvePlugin(entry, { pinned: pin, env });
  } catch (e) {
    if (!(e instanceof IvpmError)) throw e;
    const from = typeof pin.source.registry === "string"
      ? `registry ${pin.source.registry}`
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

function fromFileUrlOrSelf(url: string): string {
  try {
    return fromFileUrl(url);
  } catch {
    return url;
  }
}

/** Whether any file of a local plugin differs from its pin (cheap: the files are on disk). */
async function localChanged(pin: PluginPin): Promise<boolean> {
  for (const [url, hash] of Object.entries(pin.files)) {
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
