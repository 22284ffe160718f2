/**
 * Walks a module graph from its entry: loads each file through a
 * {@link GraphSource}, scans its imports, and follows the ones the source
 * resolves, a wave at a time (the files of one wave load concurrently).
 *
 * Sources decide what an import means (follow, keep external, refuse) and how a
 * file is loaded and verified; the walker hashes every file, checks the hashes a
 * lock expects, and keeps the order stable: entry first, then discovery order.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { sameSha256, sha256Integrity } from "./digest.ts";
import { scanImports } from "./import_scanner.ts";

/** Upper bound on files in one plugin graph (guards against servers that generate URLs). */
const MAX_FILES = 2000;

/** What the walker needs from a kind of plugin source. */
export interface GraphSource {
  /**
   * URL to load for `specifier` imported by `importer`, or undefined to keep the
   * import as it is (the plugin API). Throws an {@link IvpmError} to refuse it.
   */
  resolve(specifier: string, importer: string): string | undefined;
  /** Loads and verifies one file; returns its bytes and the URL it was finally read from. */
  load(
    url: string,
    importer: string | undefined,
    signal: AbortSignal,
  ): Promise<{ bytes: Uint8Array; url: string }>;
}

/** Options of {@link walkGraph}. */
export interface WalkOptions {
  /** Names the plugin in messages. */
  plugin: string;
  /** Hashes a lock expects (URL → `sha256-<hex>`). */
  expectHashes?: Record<string, string>;
  signal?: AbortSignal;
}

/** The files of a walked graph. */
export interface WalkResult {
  /** URL the entry was finally read from. */
  entry: string;
  files: Map<string, string>;
  hashes: Record<string, string>;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Loads the graph rooted at `entry`. */
export async function walkGraph(entry: string, source: GraphSource, opts: WalkOptions): Promise<WalkResult> {
  // One failure stops the loads still in flight.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  /** Requested URL → importer (undefined for the entry). */
  const seen = new Map<string, string | undefined>([[entry, undefined]]);
  const loaded: { url: string; text: string; hash: string }[] = [];
  const finalUrls = new Set<string>();
  let wave = [entry];
  try {
    while (wave.length) {
      const results = await Promise.all(wave.map((url) => source.load(url, seen.get(url), signal)));
      const next: string[] = [];
      for (const [k, { bytes, url }] of results.entries()) {
        if (finalUrls.has(url)) continue; // two URLs redirected to the same file
        finalUrls.add(url);
        if (!seen.has(url)) seen.set(url, seen.get(wave[k])); // so an import of the final URL is not refetched
        const hash = sha256Integrity(bytes);
        checkExpected(url, hash, opts);
        const text = decodeText(bytes, url, opts.plugin, seen.get(wave[k]));
        loaded.push({ url, text, hash });
        for (const ref of scanImports(text)) {
          if (ref.typeOnly) continue;
          const target = source.resolve(ref.specifier, url);
          if (target === undefined || seen.has(target)) continue;
          seen.set(target, url);
          next.push(target);
        }
      }
      if (seen.size > MAX_FILES) {
        throw new IvpmError(`Plugin ${opts.plugin} imports more than ${MAX_FILES} files`, {
          hint: "bundle the plugin into fewer modules before publishing it",
        });
      }
      wave = next;
    }
  } catch (err) {
    stop.abort();
    throw err;
  }
  const files = new Map<string, string>();
  const hashes: Record<string, string> = {};
  for (const f of loaded) {
    files.set(f.url, f.text);
    hashes[f.url] = f.hash;
  }
  if (opts.expectHashes) {
    const missing = Object.keys(opts.expectHashes).filter((u) => !(u in hashes));
    if (missing.length) {
      throw new IvpmError(
        `Plugin ${opts.plugin} no longer includes ${missing[0]}${
          missing.length > 1 ? ` (and ${missing.length - 1} more)` : ""
        }, which its pin lists`,
        {
          hint:
            "the plugin changed since it was pinned; re-pin it with `ivpm plugin update` if that is intended",
        },
      );
    }
  }
  return { entry: loaded[0].url, files, hashes };
}

function checkExpected(url: string, hash: string, opts: WalkOptions): void {
  if (!opts.expectHashes) return;
  const want = opts.expectHashes[url];
  if (want === undefined) {
    throw new IvpmError(`Plugin ${opts.plugin} now includes ${url}, which its pin does not list`, {
      hint: "the plugin changed since it was pinned; re-pin it with `ivpm plugin update` if that is intended",
    });
  }
  if (!sameSha256(want, hash)) {
    throw new IvpmError(
      `Plugin ${opts.plugin}: ${url} does not match its pin (expected ${want}, got ${hash}); refusing to run it`,
      {
        hint: "the file changed since it was pinned; re-pin it with `ivpm plugin update` if that is intended",
      },
    );
  }
}

function decodeText(bytes: Uint8Array, url: string, plugin: string, importer: string | undefined): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new IvpmError(
      `Plugin ${plugin}: ${url} is not UTF-8 text${importer ? ` (imported by ${importer})` : ""}`,
      {
        hint: "plugin modules must be JavaScript or TypeScript source files",
      },
    );
  }
}

/** Message suffix naming who imported a file. */
export function importedBy(importer: string | undefined): string {
  return importer ? ` (imported by ${importer})` : "";
}
