/**
 * Finding the pin of a configured plugin. Pins are matched by package, not by
 * the spec's exact text: narrowing `jsr:@acme/x` to `jsr:@acme/x@^0.1` keeps a
 * pinned 0.1.0, which satisfies it.
 *
 * @module
 */

import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import type { PinFile, PluginPin } from "./pins.ts";

/** A pin and the key it is stored under. */
export interface FoundPin {
  key: string;
  pin: PluginPin;
}

/**
 * The pin for `spec` (listed in `file`): the entry under that exact key, else one
 * for the same package (same subpath) whose version satisfies the spec's range,
 * or for the same URL / local file.
 */
export async function findPin(pins: PinFile, spec: string, file: string): Promise<FoundPin | undefined> {
  const exact = pins.plugins[spec];
  if (exact) return { key: spec, pin: exact };
  const keys = Object.keys(pins.plugins);
  if (!keys.length) return undefined;
  // Only on a miss: the parser and semver stay out of a plain start-up.
  const { parsePluginSpec } = await import("./fetch/spec.ts");
  const { default: semver } = await import("semver");
  const base = dirname(file);
  let want;
  try {
    want = parsePluginSpec(spec, base);
  } catch {
    return undefined;
  }
  for (const key of keys) {
    const pin = pins.plugins[key];
    let have;
    try {
      have = parsePluginSpec(key, base);
    } catch {
      continue;
    }
    if (have.kind !== want.kind || pin?.kind !== want.kind) continue;
    const same = (want.kind === "jsr" && have.kind === "jsr" && want.scope === have.scope &&
      want.name === have.name && want.subpath === have.subpath) ||
      (want.kind === "npm" && have.kind === "npm" && want.name === have.name &&
        want.subpath === have.subpath);
    if (same) {
      const range = (want as { range: string }).range;
      if (
        pin.version && (semver as { satisfies(v: string, r: string): boolean }).satisfies(pin.version, range)
      ) {
        return { key, pin };
      }
      continue;
    }
    if (want.kind === "url" && have.kind === "url" && want.url === have.url) return { key, pin };
    if (want.kind === "local" && pin.resolved === pathToFileURL(want.path).href) return { key, pin };
  }
  return undefined;
}

/** Drops pins no listed spec uses (a plugin removed from the config loses its pin on the next write). */
export function prunePins(pins: PinFile, listed: Iterable<string>): void {
  const keep = new Set(listed);
  for (const key of Object.keys(pins.plugins)) if (!keep.has(key)) delete pins.plugins[key];
}
