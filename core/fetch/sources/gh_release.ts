/**
 * `src: gh-rls` — the asset of a GitHub release that fits this platform
 * (chosen as the original IVPM chooses it), downloaded and unpacked; cached per tag and platform.
 *
 * @module
 */

import { join } from "node:path";
import { cacheNamespace, makeTreeReadOnly } from "../cache/store.ts";
import type { DependencySpec } from "../../config/model.ts";
import { lockedHashFor, materialise, type MaterialiseOptions } from "./archive.ts";
import { withManifest } from "../archive/manifest.ts";
import { infoOf } from "../../config/source_info.ts";
import type { FetchContext, FetchOutcome, Source } from "./types.ts";

function version(dep: DependencySpec): string {
  return dep.options.version === undefined ? "latest" : String(dep.options.version);
}

async function fetchRelease(dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome> {
  const { GitHubApi, resolveGhRelease } = await import("../github/mod.ts");
  const env = ctx.env;
  const api = env ? new GitHubApi({ env: (name) => env[name] }) : undefined;
  const r = await resolveGhRelease({
    url: dep.url!,
    version: version(dep),
    prerelease: dep.options.prerelease === true,
    source: dep.options.source === true,
    file: typeof dep.options.file === "string" ? dep.options.file : undefined,
  }, { api });
  const lock = { version_resolved: r.tag, asset: r.asset.name };
  if (
    ctx.refresh && ctx.previous?.version_resolved === r.tag && ctx.previous?.asset === r.asset.name &&
    !ctx.force
  ) {
    if (await Deno.lstat(ctx.finalPath).catch(() => undefined)) {
      return {
        placement: { kind: "kept" },
        lock: { ...lock, sha256: ctx.previous.sha256 ?? null },
        version: r.tag,
      };
    }
  }
  // The token only ever goes to the API origin (see assetRequest), whatever URLs the release names.
  const { url, headers } = r.download;
  const prev = ctx.previous;
  const opts: MaterialiseOptions = {
    name: r.asset.name,
    nameFrom: `an asset of release ${r.tag} of ${r.owner}/${r.repo}`,
    headers,
    // The same asset of the same tag must still be the file the lock recorded.
    lockedSha256: lockedHashFor(
      dep,
      ctx,
      prev?.url === dep.url && prev?.version_resolved === r.tag && prev?.asset === r.asset.name,
    ),
  };
  if (dep.options.cache === true && ctx.cache) {
    let sha: string | null = null;
    const c = await ctx.cache.ensure(cacheNamespace(dep.name, dep.url!), r.cacheKey, async (staging) => {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      sha = (await materialise(dep, url, ctx, staging, opts)).sha256;
    });
    return {
      placement: { kind: "link", target: c.path },
      lock: { ...lock, sha256: sha },
      version: r.tag,
      cacheHit: c.hit,
    };
  }
  const staged = join(ctx.workDir, "content");
  const dl = await materialise(dep, url, ctx, staged, opts);
  // As the original: `cache: false` marks fetched content as "not for editing" by making it read-only.
  if (dep.options.cache === false) await makeTreeReadOnly(staged);
  const outcome: FetchOutcome = {
    placement: { kind: "path", staged },
    lock: { ...lock, sha256: dl.sha256 },
    version: r.tag,
  };
  return withManifest(outcome, dl.manifest);
}

/** The gh-rls source. */
export const ghReleaseSource: Source = {
  ...infoOf("gh-rls"),
  reusable: true,
  cacheable: true,
  reproducible: true,
  spec: (dep) => ({
    url: dep.url,
    version_requested: version(dep),
    file: dep.options.file ?? null,
    cache: typeof dep.options.cache === "boolean" ? dep.options.cache : null,
  }),
  fetch: fetchRelease,
  fromLock: (e) => ({
    url: String(e.url),
    options: {
      version: e.version_resolved ?? e.version_requested ?? "latest",
      ...(e.asset ? { file: e.asset } : {}),
      ...(e.sha256 ? { sha256: e.sha256 } : {}),
    },
  }),
};
