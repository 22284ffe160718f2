/**
 * What an unpacked package held when ivpm wrote it: each file's sha256 and each
 * symlink's target, taken while extracting (no second read of the tree). Kept
 * beside the package, it tells later which files someone changed or added, so
 * an update or a destroy does not delete them silently (see update/local_work.ts).
 *
 * The manifest is read back from disk, so it is untrusted: {@link parseManifest}
 * accepts only relative paths inside the package and well-formed values, and
 * anything malformed makes the whole manifest count as missing.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { FetchOutcome } from "../../plugin_api/source.ts";

/** The files of one unpacked package. */
export interface ExtractedManifest {
  /** Path (parts joined by `/`, relative to the package) → sha256 of the content, lowercase hex. */
  files: Map<string, string>;
  /** Path → symlink target. */
  links: Map<string, string>;
  /** The sha256 of the package when it is a single file (`unpack: false`), not a directory. */
  self?: string;
}

/** Counts of what differs from a manifest. */
export interface ManifestChanges {
  /** Files (or links) whose content (or target) is not what was unpacked. */
  modified: number;
  /** Files and links that were not unpacked. */
  added: number;
}

const VERSION = 1;
const SHA256 = /^[0-9a-f]{64}$/;
/** Largest manifest read back (a package of the default entry cap takes a few MiB). */
const MAX_MANIFEST_BYTES = 64 << 20;

/** A streaming sha256, for hashing content as it is written. */
export function contentHash(): { update(chunk: Uint8Array): void; digest(): string } {
  const h = createHash("sha256");
  return { update: (chunk) => void h.update(chunk), digest: () => h.digest("hex") };
}

/** The manifest as the JSON text stored on disk. */
export function manifestJson(m: ExtractedManifest): string {
  return JSON.stringify({
    version: VERSION,
    files: Object.fromEntries(m.files),
    links: Object.fromEntries(m.links),
    ...(m.self ? { self: m.self } : {}),
  });
}

/** A manifest read back from disk; undefined when anything in it is malformed or unsafe. */
export function parseManifest(text: string): ExtractedManifest | undefined {
  if (text.length > MAX_MANIFEST_BYTES) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(raw) || raw.version !== VERSION || !isRecord(raw.files) || !isRecord(raw.links)) {
    return undefined;
  }
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  for (const [path, sha] of Object.entries(raw.files)) {
    if (!safeRelativePath(path) || typeof sha !== "string" || !SHA256.test(sha)) return undefined;
    files.set(path, sha);
  }
  for (const [path, target] of Object.entries(raw.links)) {
    if (!safeRelativePath(path) || typeof target !== "string" || files.has(path)) return undefined;
    links.set(path, target); // only ever compared with readLink, never followed
  }
  if (raw.self !== undefined && (typeof raw.self !== "string" || !SHA256.test(raw.self))) return undefined;
  return { files, links, ...(raw.self ? { self: raw.self } : {}) };
}

/** A path relative to the package and inside it: no `..`, `.` or empty parts, not absolute, no control characters. */
export function safeRelativePath(path: string): boolean {
  if (path === "" || /^([/\\]|[a-zA-Z]:)/.test(path) || hasControl(path)) return false;
  return path.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

/**
 * What differs between the package at `root` and its manifest. Files the
 * manifest names are hashed; files it does not name are added, except those
 * `ignore` accepts (regenerated caches). Deleted files lose nothing and are not
 * counted; symlinks are compared by target, never followed.
 */
export async function manifestChanges(
  root: string,
  m: ExtractedManifest,
  ignore: (path: string) => boolean = () => false,
  signal?: AbortSignal,
): Promise<ManifestChanges> {
  const changes: ManifestChanges = { modified: 0, added: 0 };
  const st = await Deno.lstat(root);
  if (!st.isDirectory) {
    if (st.isFile && m.self !== undefined && await hashFile(root) === m.self) return changes;
    changes.modified = 1;
    return changes;
  }
  const walk = async (dir: string, rel: string): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      signal?.throwIfAborted();
      const path = rel ? `${rel}/${e.name}` : e.name;
      const abs = join(dir, e.name);
      const known = m.files.has(path) || m.links.has(path);
      if (e.isSymlink) {
        if (m.links.get(path) === await Deno.readLink(abs).catch(() => undefined)) continue;
        if (known) changes.modified++;
        else if (!ignore(path)) changes.added++;
      } else if (e.isDirectory) {
        await walk(abs, path);
      } else if (e.isFile) {
        const sha = m.files.get(path);
        if (sha !== undefined) {
          if (await hashFile(abs).catch(() => "") !== sha) changes.modified++;
        } else if (known) changes.modified++; // a link that became a file
        else if (!ignore(path)) changes.added++;
      }
      // Sockets, FIFOs and devices hold no content to lose (and a FIFO would block a read).
    }
  };
  await walk(root, "");
  return changes;
}

async function hashFile(path: string): Promise<string> {
  const h = contentHash();
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(1 << 16);
    for (let n = await file.read(buf); n !== null; n = await file.read(buf)) h.update(buf.subarray(0, n));
  } finally {
    file.close();
  }
  return h.digest();
}

/** Manifests of fetch outcomes, attached by the sources that unpack and read when placing. */
const attached = new WeakMap<FetchOutcome, ExtractedManifest>();

/** Attaches `m` (undefined: nothing) to `outcome` for placement; returns `outcome`. */
export function withManifest<T extends FetchOutcome>(outcome: T, m: ExtractedManifest | undefined): T {
  if (m) attached.set(outcome, m);
  return outcome;
}

/** The manifest a source attached to `outcome`, if any. */
export function manifestOf(outcome: FetchOutcome): ExtractedManifest | undefined {
  return attached.get(outcome);
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
