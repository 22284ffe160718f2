/**
 * `src: git` — a repository cloned at a branch, tag or commit; with `cache: true`
 * stored once per commit in the shared cache and linked read-only.
 *
 * @module
 */

import { join } from "node:path";
import { cacheNamespace, gitCacheKey } from "../cache/store.ts";
import {
  cloneRepo,
  fastForward,
  git,
  headCommit,
  remoteUrl,
  resolveRemoteRef,
  withGitEnv,
} from "../git/mod.ts";
import { gitAuth } from "../git/auth.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import type { DependencySpec } from "../../config/model.ts";
import { infoOf } from "../../config/source_info.ts";
import type { FetchContext, FetchOutcome, Source } from "./types.ts";

function opt(dep: DependencySpec, key: string): string | undefined {
  const v = dep.options[key];
  return v === undefined || v === null ? undefined : String(v);
}

/** True when `dir` is a real (non-symlink) git checkout. */
async function isCheckout(dir: string): Promise<boolean> {
  const st = await lstatOrUndefined(dir);
  if (!st || st.isSymlink || !st.isDirectory) return false;
  return !!(await lstatOrUndefined(join(dir, ".git")));
}

async function fetchGit(dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome> {
  const auth = await gitAuth(dep.url!, {
    anonymous: typeof dep.options.anonymous === "boolean" ? dep.options.anonymous : ctx.anonymousGit,
    order: ctx.gitAuthOrder,
    credentials: ctx.credentials,
  });
  // Credentials (if any) reach every git command of this fetch through the environment only.
  return await withGitEnv(auth.env, () => fetchWith(auth.url, dep, ctx));
}

async function fetchWith(url: string, dep: DependencySpec, ctx: FetchContext): Promise<FetchOutcome> {
  const branch = opt(dep, "branch"), tag = opt(dep, "tag"), commit = opt(dep, "commit");
  const depth = typeof dep.options.depth === "number" ? dep.options.depth : undefined;
  const submodules = typeof dep.options.submodules === "boolean" ? dep.options.submodules : "auto";
  const lock = (sha: string) => ({ commit_resolved: sha });
  const short = (sha: string) => sha.slice(0, 7);

  const existing = await isCheckout(ctx.finalPath);
  if (existing && ctx.previous) {
    // Same spec as the lock (the pipeline only calls us for refresh or a spec change).
    const sameSpec = ctx.previous.url === dep.url && (ctx.previous.branch ?? null) === (branch ?? null) &&
      (ctx.previous.tag ?? null) === (tag ?? null) &&
      (ctx.previous.commit_requested ?? null) === (commit ?? null);
    if (sameSpec && ctx.refresh && !ctx.force) {
      if (tag || commit) {
        const sha = await headCommit(ctx.finalPath, ctx.signal);
        return { placement: { kind: "kept" }, lock: lock(sha), version: short(sha) };
      }
      const head = (await git(["symbolic-ref", "--short", "-q", "HEAD"], {
        cwd: ctx.finalPath,
        allowFail: true,
        signal: ctx.signal,
      })).stdout.trim();
      const r = await fastForward(ctx.finalPath, { branch: branch ?? head, signal: ctx.signal });
      if (r.updated) ctx.note(`Fast-forwarded ${dep.name} ${short(r.before)}..${short(r.after)}`);
      return { placement: { kind: "kept" }, lock: lock(r.after), version: short(r.after) };
    }
  }
  if (existing && !ctx.previous && !ctx.refresh) {
    // A checkout without a lock entry: an interrupted earlier run, or a hand-made clone. Adopt it if it is
    // the same repository at the requested revision, instead of cloning again.
    const origin = await remoteUrl(ctx.finalPath, ctx.signal);
    if (origin === url || origin === dep.url) {
      const sha = await headCommit(ctx.finalPath, ctx.signal);
      if (!commit || sha.startsWith(commit.toLowerCase())) {
        if (!tag || (await resolveRemoteRef(url, tag, { kind: "tag", signal: ctx.signal })) === sha) {
          ctx.note(`Adopted existing checkout of ${dep.name} at ${short(sha)}`);
          return { placement: { kind: "kept" }, lock: lock(sha), version: short(sha) };
        }
      }
    }
  }
  // Work in an existing checkout (untracked, ignored, stashed, unpushed) is guarded where the
  // clone would replace it: see place() and local_work.ts.

  if (dep.options.cache === true && ctx.cache) {
    const sha = commit && /^[0-9a-f]{40}$/i.test(commit)
      ? commit.toLowerCase()
      : await resolveRemoteRef(url, tag ?? branch, { signal: ctx.signal, kind: tag ? "tag" : undefined });
    const ns = cacheNamespace(dep.name, dep.url!);
    const r = await ctx.cache.ensure(ns, gitCacheKey(sha), async (staging) => {
      await cloneRepo(
        { url, branch: tag ? undefined : branch, tag, commit: sha, depth: 1, submodules },
        staging,
        {
          signal: ctx.signal,
        },
      );
    });
    ctx.note(
      r.hit
        ? `Cache hit for ${dep.name} at ${sha.slice(0, 12)}`
        : `Cached ${dep.name} at ${sha.slice(0, 12)}`,
    );
    return {
      placement: { kind: "link", target: r.path },
      lock: lock(sha),
      version: short(sha),
      cacheHit: r.hit,
    };
  }
  if (dep.options.cache === true) {
    ctx.note(`${dep.name}: cache: true but caching is disabled; cloning normally`);
  }
  const staged = join(ctx.workDir, "repo");
  const r = await cloneRepo({ url, branch, tag, commit, depth, submodules }, staged, { signal: ctx.signal });
  return { placement: { kind: "path", staged }, lock: lock(r.commit), version: short(r.commit) };
}

/** The git source. */
export const gitSource: Source = {
  ...infoOf("git"),
  reusable: true,
  cacheable: true,
  reproducible: true,
  spec: (dep) => ({
    url: dep.url,
    branch: opt(dep, "branch") ?? null,
    tag: opt(dep, "tag") ?? null,
    commit_requested: opt(dep, "commit") ?? null,
    cache: typeof dep.options.cache === "boolean" ? dep.options.cache : null,
  }),
  fetch: fetchGit,
  fromLock: (e) => ({
    url: String(e.url),
    options: {
      ...(e.branch ? { branch: e.branch } : {}),
      ...(e.commit_resolved || e.commit_requested ? { commit: e.commit_resolved ?? e.commit_requested } : {}),
      ...(e.cache === true ? { cache: true } : {}),
    },
  }),
};
