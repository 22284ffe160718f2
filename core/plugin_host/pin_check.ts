/**
 * What a pin commits to, checked on every load (cheap: no network, no bundler).
 *
 * A pin's `integrity` is one digest over everything in it that decides which
 * code is built — kind, resolved name, version, entry, source facts and every
 * file's hash — so an edit to any of those fields breaks it. The bundle is
 * checked against `bundle`, the cached metadata against `meta`, and `registers`
 * against that metadata. Together nothing that affects behaviour can change
 * without the pin noticing.
 *
 * @module
 */

import { IvpmError } from "../base/errors.ts";
import { sha256Integrity } from "./fetch/digest.ts";
import type { PluginMeta } from "./meta.ts";
import type { PluginPin } from "./pins.ts";
import { relativeTo } from "./pins.ts";

/** Prefix of a JSR file's registry-independent URL: `jsr:/@scope/name@1.2.3/`. */
export function jsrFilePrefix(pkg: string, version: string): string {
  return `jsr:/${pkg}@${version}/`;
}

/** Sorted-key JSON (so equal data gives equal text). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return `{${
      Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) =>
        `${JSON.stringify(k)}:${canonicalJson(o[k])}`
      ).join(",")
    }}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The integrity a pin must carry: sha256 over its kind, resolved name, version,
 * entry, source facts and sorted file hashes. Local locations are taken relative
 * to `pinDir` (as the committed pin writes them), so every checkout agrees.
 */
export function pinIntegrity(
  pin: Omit<PluginPin, "integrity" | "bundle" | "meta" | "registers">,
  pinDir: string,
): string {
  const loc = (u: string) => pin.kind === "local" ? relativeTo(pinDir, u) : u;
  const files = Object.entries(pin.files ?? {}).map(([url, hash]) => `file ${loc(url)} ${hash}\n`).sort();
  const head = [
    "ivpm-plugin-pin 2",
    `kind ${pin.kind}`,
    `resolved ${loc(pin.resolved)}`,
    `version ${pin.version ?? ""}`,
    `entry ${loc(pin.entry)}`,
    `source ${canonicalJson(pin.source ?? {})}`,
  ].map((l) => l + "\n");
  return sha256Integrity(head.join("") + files.join(""));
}

/**
 * `sha256-<hex>` of a plugin's metadata (what the pin's `meta` records). A
 * handler's `origin` is left out: it echoes the spec text the plugin was first
 * inspected under, and registration replaces it with the entry's own.
 */
export function metaHash(meta: PluginMeta): string {
  const handlers = meta.handlers?.map((h) => ({ ...h, meta: { ...h.meta, origin: "" } }));
  return sha256Integrity(canonicalJson({ ...meta, handlers }));
}

/** Key of the cached metadata of a pin: its bundle and integrity together. */
export function metaKey(pin: Pick<PluginPin, "bundle" | "integrity">): string {
  return sha256Integrity(`${pin.bundle} ${pin.integrity}`);
}

/** The names a plugin registers, as its pin lists them. */
export function registersOf(meta: PluginMeta): PluginPin["registers"] {
  return {
    handlers: meta.handlers.map((h) => h.meta.name),
    sources: meta.sources.map((s) => s.name),
    siteConfigs: meta.siteConfigs.map((s) => s.name),
  };
}

function edited(spec: string, pinPath: string, what: string): IvpmError {
  return new IvpmError(`refusing to run plugin ${spec}: its entry in ${pinPath} ${what}`, {
    hint:
      `the lock was edited by hand or by an older ivpm; restore ${pinPath} from version control, or review and run 'ivpm plugin update' to re-pin it`,
  });
}

/** Throws unless the pin is complete and its fields agree with its integrity. */
export function checkPin(pin: PluginPin, spec: string, pinPath: string, pinDir: string): void {
  const complete = pin && typeof pin.integrity === "string" && typeof pin.bundle === "string" &&
    typeof pin.meta === "string" && typeof pin.entry === "string" && typeof pin.resolved === "string" &&
    pin.files && typeof pin.files === "object" && pin.registers && typeof pin.registers === "object";
  if (!complete) throw edited(spec, pinPath, "is incomplete");
  if (!(pin.entry in pin.files)) {
    throw edited(spec, pinPath, `names an entry (${pin.entry}) that is not among its files`);
  }
  const want = pinIntegrity(pin, pinDir);
  if (want !== pin.integrity) {
    throw edited(
      spec,
      pinPath,
      `does not match its integrity (${pin.integrity}; its fields hash to ${want})`,
    );
  }
}

/** Throws unless `meta` is what the pin records (hash and registered names). */
export function checkMeta(
  pin: PluginPin,
  meta: PluginMeta,
  spec: string,
  pinPath: string,
  where: string,
): void {
  const hash = metaHash(meta);
  if (hash !== pin.meta) {
    throw new IvpmError(
      `refusing to run plugin ${spec}: metadata ${where} has hash ${hash}, but ${pin.meta} is pinned in ${pinPath}`,
      {
        hint:
          "the plugin cache or the lock was modified; delete the cached file and run the command again (it is rebuilt and verified), or restore the lock",
      },
    );
  }
  const regs = registersOf(meta);
  if (canonicalJson(regs) !== canonicalJson(pin.registers)) {
    throw edited(
      spec,
      pinPath,
      `lists registers ${canonicalJson(pin.registers)}, but the plugin registers ${canonicalJson(regs)}`,
    );
  }
}
