/**
 * URL and local-path plugins: the graph is whatever the entry imports, relative
 * imports resolved against the importing file (after redirects, as Deno does),
 * absolute `https:` imports followed too. There is no registry manifest, so the
 * hashes recorded here are what a lock pins.
 *
 * @module
 */

import { fileURLToPath, pathToFileURL } from "node:url";
import { IvpmError } from "../../base/errors.ts";
import { classifyPluginImport } from "../import_rules.ts";
import { importedBy, walkGraph } from "./graph.ts";
import { checkRemoteUrl, getBytes } from "./remote.ts";
import type { FetchedGraph, FetchOptions } from "./types.ts";

/** Fetches a plugin served at `url` (`https:`, or `http:` on loopback). */
export async function fetchUrlGraph(url: string, spec: string, opts: FetchOptions): Promise<FetchedGraph> {
  checkRemoteUrl(new URL(url), "plugin");
  const walked = await walkGraph(url, urlSource(spec), {
    plugin: spec,
    expectHashes: opts.expect?.hashes,
    signal: opts.signal,
  });
  return {
    spec,
    resolved: { kind: "url", name: walked.entry, entry: walked.entry },
    files: walked.files,
    hashes: walked.hashes,
    pin: { url: walked.entry },
  };
}

/** Reads a plugin from the file at `path` (absolute) and the files it imports. */
export async function fetchLocalGraph(path: string, spec: string, opts: FetchOptions): Promise<FetchedGraph> {
  const walked = await walkGraph(pathToFileURL(path).href, urlSource(spec), {
    plugin: spec,
    expectHashes: opts.expect?.hashes,
    signal: opts.signal,
  });
  return {
    spec,
    resolved: { kind: "local", name: path, entry: walked.entry },
    files: walked.files,
    hashes: walked.hashes,
    pin: {},
  };
}

function urlSource(plugin: string) {
  return {
    resolve(specifier: string, importer: string): string | undefined {
      const target = classifyPluginImport(plugin, specifier, importer);
      if (target.kind !== "module") return undefined; // the API or a pure node: built-in, kept external
      const url = new URL(target.url);
      if (url.protocol === "file:") {
        if (!importer.startsWith("file:")) {
          throw new IvpmError(
            `Plugin ${plugin}: remote module ${importer} imports the local file ${url.href}`,
            {
              hint: "a module fetched over the network may not read local files",
            },
          );
        }
        url.search = "";
      } else {
        checkRemoteUrl(url, `a module of plugin ${plugin} (imported by ${importer})`);
      }
      return url.href;
    },
    async load(url: string, importer: string | undefined, signal: AbortSignal) {
      if (url.startsWith("file:")) {
        const path = fileURLToPath(url);
        try {
          return { bytes: await Deno.readFile(path), url };
        } catch (err) {
          if (err instanceof Deno.errors.NotFound) {
            throw new IvpmError(`Plugin file ${path} not found${importedBy(importer)}`, {
              hint: importer
                ? "imports must name the file exactly, extension included (./util.ts)"
                : "check the plugin path",
            });
          }
          throw new IvpmError(
            `Cannot read plugin file ${path}${importedBy(importer)}: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
      }
      const res = await getBytes(url, `plugin ${plugin}`, signal);
      if (!res.ok) {
        throw new IvpmError(`Could not fetch ${url}: HTTP ${res.status}${importedBy(importer)}`, {
          hint: res.status === 404 ? "check the plugin URL and its imports" : "try again later",
        });
      }
      return { bytes: res.bytes, url: res.url };
    },
  };
}
