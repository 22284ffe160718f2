/**
 * Plugin pins: a committed, human-readable lock of exactly which plugin code
 * runs — `ivpm-plugins.lock` next to the project's ivpm.yaml (and `plugins.lock`
 * next to a user/site config). A separate, machine-written JSON file (like
 * deno.lock) rather than entries in ivpm.yaml: `plugin add/update` rewrite it
 * wholesale without touching hand-written YAML and its comments, and reviews
 * see every hash change as a plain diff.
 *
 * A local plugin's files inside the pin file's directory are written relative
 * to it (`tools/my_handler.ts`), so the committed pin holds in every checkout;
 * in memory they are always absolute `file:` URLs.
 *
 * @module
 */

import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { IvpmError } from "../base/errors.ts";
import { writeFileAtomic } from "../util/fs.ts";

/** What is pinned for one plugin spec. */
export interface PluginPin {
  /** e.g. `jsr:@acme/fusesoc@1.2.3`, the final URL, or the local path. */
  resolved: string;
  kind: "jsr" | "url" | "local" | "npm";
  version?: string;
  /**
   * URL of the entry module. JSR files are named independently of the registry
   * (`jsr:/@acme/fusesoc@1.2.3/mod.ts`): the registry is where code is fetched
   * from (`JSR_URL`), not part of its identity.
   */
  entry: string;
  /** Every source file: URL → `sha256-<hex>`. */
  files: Record<string, string>;
  /** Hash over every field that decides the code built (see `pin_check.ts`); verified on every load. */
  integrity: string;
  /** Hash of the bundle built from them (verifies the cached bundle). */
  bundle: string;
  /** Hash of the plugin's metadata (verifies the cached metadata). */
  meta: string;
  /** Source-specific facts (JSR: sha256 of the version manifest). */
  source: Record<string, unknown>;
  /** Names this plugin registers (for review). */
  registers: { handlers: string[]; sources: string[]; siteConfigs: string[] };
}

/** The pin file document. */
export interface PinFile {
  version: 1;
  plugins: Record<string, PluginPin>;
}

/** The pin file belonging to a config file (`ivpm.yaml` → `ivpm-plugins.lock`, `config.yaml` → `plugins.lock`). */
export function pinFileFor(configFile: string): string {
  return join(
    dirname(configFile),
    basename(configFile) === "ivpm.yaml" ? "ivpm-plugins.lock" : "plugins.lock",
  );
}

/** Reads a pin file (missing → empty). */
export function readPins(path: string): PinFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return { version: 1, plugins: {} };
  }
  try {
    const doc = JSON.parse(text) as PinFile;
    if (doc.version !== 1 || typeof doc.plugins !== "object") throw new Error("unknown format");
    const base = pathToFileURL(dirname(path) + sep);
    for (const pin of Object.values(doc.plugins)) {
      if (pin.kind === "local") mapLocations(pin, (loc) => new URL(loc, base).href);
    }
    return doc;
  } catch (e) {
    throw new IvpmError(`${path} is not a valid plugin pin file (${(e as Error).message})`, {
      hint: "restore it from version control, or delete it and run 'ivpm plugin update'",
    });
  }
}

/** Writes a pin file atomically, keys sorted so diffs stay small. */
export async function writePins(path: string, pins: PinFile): Promise<void> {
  const sorted: PinFile = { version: 1, plugins: {} };
  const dir = dirname(path);
  for (const k of Object.keys(pins.plugins).sort()) {
    const pin = structuredClone(pins.plugins[k]);
    if (pin.kind === "local") mapLocations(pin, (loc) => relativeTo(dir, loc));
    sorted.plugins[k] = pin;
  }
  await writeFileAtomic(path, JSON.stringify(sorted, null, 2) + "\n");
}

/** Rewrites every location a local pin holds (entry, resolved, file keys) in place. */
function mapLocations(pin: PluginPin, f: (loc: string) => string): void {
  pin.entry = f(pin.entry);
  pin.resolved = f(pin.resolved);
  pin.files = Object.fromEntries(Object.entries(pin.files).map(([url, hash]) => [f(url), hash]));
}

/** `file:` URL → path relative to `dir` with `/` separators, when inside it; else unchanged. */
export function relativeTo(dir: string, url: string): string {
  if (!url.startsWith("file:")) return url;
  const rel = relative(dir, fileURLToPath(url));
  if (rel === "" || rel.startsWith("..") || /^[a-z]:/i.test(rel) || rel.startsWith(sep)) return url;
  return rel.split(sep).map(encodeURIComponent).join("/");
}
