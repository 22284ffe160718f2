/**
 * `src: http` and `src: file` — an archive (or plain file) downloaded or read,
 * checked against an optional `sha256`, and unpacked safely.
 *
 * @module
 */

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { archiveKindFromName } from "../archive/kind.ts";
import { downloadToFile, probeUrl } from "../net/mod.ts";
import { cacheNamespace, httpCacheKey, makeTreeReadOnly } from "../cache/store.ts";
import { IvpmError } from "../../base/errors.ts";
import type { DependencySpec } from "../../config/model.ts";
import { localPath } from "./dir.ts";
import { checkDownloadName, urlFileName } from "./download_name.ts";
import { infoOf } from "../../config/source_info.ts";
import type { FetchContext, FetchOutcome, Source } from "./types.ts";
import { type ExtractedManifest, withManifest } from "../archive/manifest.ts";

/** Options of {@link materialise}. */
export interface MaterialiseOptions {
  /** File name to save as (default: the last segment of the dependency's URL); checked either way. */
  name?: string;
  /** Where `name` came from, for the message when it is refused. */
  nameFrom?: string;
  headers?: Record<string, string>;
  /** sha256 the previous lock recorded: different content is refused (see {@link lockedHashFor}). */
  lockedSha256?: string;
}

/**
 * Downloads `url` and lays it out in `dest` (unpacked, or the file itself); returns download facts
 * and the manifest of what it wrote (for the local-work check when the package is replaced later).
 */
export async function materialise(
  dep: DependencySpec,
  url: string,
  ctx: FetchContext,
  dest: string,
  opts: MaterialiseOptions = {},
): Promise<
  { sha256: string; etag?: string; lastModified?: string; file: boolean; manifest: ExtractedManifest }
> {
  // Never a path from a URL or an API field unchecked: `..%2F..%2Fx` would land outside the package.
  const name = opts.name === undefined
    ? urlFileName(dep.url!)
    : checkDownloadName(opts.name, opts.nameFrom ?? `the URL ${url}`);
  const kind = archiveKindFromName(name);
  const unpack = typeof dep.options.unpack === "boolean" ? dep.options.unpack : kind !== "jar";
  const dl = await downloadToFile(url, join(ctx.workDir, "dl", name), {
    sha256: typeof dep.options.sha256 === "string" ? dep.options.sha256 : undefined,
    signal: ctx.signal,
    headers: opts.headers,
    onProgress: (bytes, total) => ctx.progress?.({ bytes, total }),
  });
  if (opts.lockedSha256 !== undefined && dl.sha256 !== opts.lockedSha256) {
    await Deno.remove(dl.path).catch(() => {});
    throw new IvpmError(
      `the file at ${url} changed since it was locked ` +
        `(locked sha256:${opts.lockedSha256}, got sha256:${dl.sha256})`,
      {
        hint: "if the change is expected, run `ivpm update --refresh-all` to accept the new file and lock " +
          "its hash; if not, it was replaced upstream: do not use it",
      },
    );
  }
  if (unpack && kind !== "file") {
    // Archive readers (zip, xz, bzip2) load only when an archive is unpacked: start-up stays fast.
    const { extractArchive } = await import("../archive/extract.ts");
    const { manifest } = await extractArchive(dl.path, dest, kind, { signal: ctx.signal });
    return { ...dl, file: false, manifest };
  }
  // The download's own hash is the file's: nothing more to hash.
  if (kind === "file") {
    // A plain file goes into packages/<name>/<file>, so the package is always a directory.
    await Deno.mkdir(dest, { recursive: true });
    await Deno.rename(dl.path, join(dest, name));
    return { ...dl, file: false, manifest: { files: new Map([[name, dl.sha256]]), links: new Map() } };
  }
  // unpack: false keeps the archive itself as packages/<name> (the original's .jar behaviour).
  await Deno.rename(dl.path, dest);
  return { ...dl, file: true, manifest: { files: new Map(), links: new Map(), self: dl.sha256 } };
}

/**
 * The sha256 the previous lock recorded for this same download (`same`: the caller compared URL,
 * tag, asset…), which a re-fetch must reproduce. None when ivpm.yaml pins its own `sha256` (that
 * one is checked instead), and none on `--refresh-all`/`--force`: those accept new content.
 */
export function lockedHashFor(dep: DependencySpec, ctx: FetchContext, same: boolean): string | undefined {
  if (!same || ctx.refresh || typeof dep.options.sha256 === "string") return undefined;
  if (ctx.previous?.src !== undefined && ctx.previous.src !== dep.src) return undefined;
  const h = ctx.previous?.sha256;
  return typeof h === "string" && /^[0-9a-f]{64}$/.test(h) ? h : undefined;
}

function lockOf(dl: { sha256: string; etag?: string; lastModified?: string }) {
  return { sha256: dl.sha256, etag: dl.etag ?? null, last_modified: dl.lastModified ?? null };
}

async function fetchHttp(dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome> {
  const url = dep.url!;
  if (ctx.refresh && ctx.previous && !ctx.force) {
    // Re-download only when the server says the file changed.
    const p = await probeUrl(url, { signal: ctx.signal }).catch(() => undefined);
    const prev = ctx.previous;
    const same = p && p.status < 400 &&
      ((p.etag && p.etag === prev.etag) || (p.lastModified && p.lastModified === prev.last_modified));
    if (same && (await Deno.lstat(ctx.finalPath).catch(() => undefined))) {
      return {
        placement: { kind: "kept" },
        lock: {
          sha256: prev.sha256 ?? null,
          etag: prev.etag ?? null,
          last_modified: prev.last_modified ?? null,
        },
      };
    }
  }
  // A re-fetch of the URL the lock recorded must bring back the locked content.
  const locked = lockedHashFor(dep, ctx, ctx.previous?.url === url);
  if (dep.options.cache === true && ctx.cache) {
    const pinned = typeof dep.options.sha256 === "string" ? dep.options.sha256.toLowerCase() : locked;
    const probe = pinned ? undefined : await probeUrl(url, { signal: ctx.signal });
    const key = pinned ?? httpCacheKey({ lastModified: probe?.lastModified, etag: probe?.etag, url });
    let facts: Awaited<ReturnType<typeof materialise>> | undefined;
    const r = await ctx.cache.ensure(cacheNamespace(dep.name, url), key, async (staging) => {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      facts = await materialise(dep, url, ctx, staging, { lockedSha256: locked });
    });
    return {
      placement: { kind: "link", target: r.path },
      lock: facts
        ? lockOf(facts)
        : { sha256: pinned ?? null, etag: probe?.etag ?? null, last_modified: probe?.lastModified ?? null },
      cacheHit: r.hit,
    };
  }
  const staged = join(ctx.workDir, "content");
  const dl = await materialise(dep, url, ctx, staged, { lockedSha256: locked });
  // As the original: `cache: false` marks fetched content as "not for editing" by making it read-only.
  if (dep.options.cache === false) await makeTreeReadOnly(staged);
  return withManifest({ placement: { kind: "path", staged }, lock: lockOf(dl) }, dl.manifest);
}

/** `src: http` (also `.tar.gz` … URLs detected automatically). */
export const httpSource: Source = {
  ...infoOf("http"),
  reusable: true,
  cacheable: true,
  reproducible: true,
  spec: (dep) => ({
    url: dep.url,
    sha256_requested: dep.options.sha256 ?? null,
    unpack: dep.options.unpack ?? null,
    cache: typeof dep.options.cache === "boolean" ? dep.options.cache : null,
  }),
  fetch: fetchHttp,
  fromLock: (e) => ({
    url: String(e.url),
    options: { ...(e.sha256 ? { sha256: e.sha256 } : {}), ...(e.unpack === false ? { unpack: false } : {}) },
  }),
};

/** `src: file` — a local archive or file (path or file:// URL). */
export const fileSource: Source = {
  ...infoOf("file"),
  cacheable: true,
  reproducible: false,
  spec: (dep) => ({ path: dep.url?.replace(/^file:\/\//, ""), sha256_requested: dep.options.sha256 ?? null }),
  async fetch(dep, ctx) {
    const path = localPath(dep.url!, ctx.projectDir, ctx.env);
    if (!(await Deno.stat(path).catch(() => undefined))) {
      throw new IvpmError(`file ${path} of package '${dep.name}' does not exist`, {
        hint: "check the url (relative paths are resolved against the project directory)",
      });
    }
    const staged = join(ctx.workDir, "content");
    const dl = await materialise({ ...dep, url: path }, pathToFileURL(path).href, ctx, staged);
    return withManifest({ placement: { kind: "path", staged }, lock: { sha256: dl.sha256 } }, dl.manifest);
  },
};
