/**
 * Syncing one package: fetch its upstream and fast-forward or merge a writable
 * git checkout on a branch, or say precisely why not, as the original IVPM does.
 *
 * Never leaves a half-merged tree: a merge that stops on conflicts is aborted
 * after the conflicting paths are collected, and the merge itself is not
 * cancelled by Ctrl-C (only fetches are), so an interrupt cannot split it.
 *
 * @module
 */

import { join, relative } from "node:path";
import { git, gitError } from "../../fetch/git/mod.ts";
import { submoduleFileProtocol } from "../../fetch/git/url.ts";
import type { LockEntry } from "../../update/lock/lock_file.ts";
import { readGitState } from "../status/git_state.ts";
import { isVirtualSource } from "../status/workspace.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import type { SyncResult } from "./outcome.ts";

/** Options of {@link syncPackage}. */
export interface SyncPackageOptions {
  /** Only predict (fetches, but never touches the working tree, the branch or the lock). */
  dryRun: boolean;
  /** Project directory: next-step commands name the package relative to it. */
  projectDir: string;
  /** Cancels the fetch (a merge in progress always completes or is aborted cleanly). */
  signal?: AbortSignal;
}

/** Syncs the package `name` (lock entry `entry`) at `path`. Never throws: failures are `error` results. */
export async function syncPackage(
  name: string,
  entry: LockEntry,
  path: string,
  opts: SyncPackageOptions,
): Promise<SyncResult> {
  const started = performance.now();
  const base = { name, src: entry.src, path };
  let result: Omit<SyncResult, "ms">;
  try {
    result = await syncOne(base, entry, opts);
  } catch (e) {
    opts.signal?.throwIfAborted();
    result = { ...base, outcome: "error", reason: e instanceof Error ? e.message : String(e) };
  }
  return { ...result, ms: Math.round(performance.now() - started) };
}

type Draft = Omit<SyncResult, "ms">;

async function syncOne(
  base: { name: string; src: string; path: string },
  entry: LockEntry,
  opts: SyncPackageOptions,
): Promise<Draft> {
  const { path } = base;
  const skip = (reason: string, nextSteps?: string[]): Draft => ({
    ...base,
    outcome: "skipped",
    reason,
    ...(nextSteps ? { nextSteps } : {}),
  });
  const fail = (reason: string, nextSteps?: string[]): Draft => ({
    ...base,
    outcome: "error",
    reason,
    ...(nextSteps ? { nextSteps } : {}),
  });
  if (typeof entry.from_deps_source === "string") {
    return skip(`materialized from deps-source ${entry.from_deps_source}`, [
      "re-run 'ivpm update' without --deps-source, or point at a refreshed parent",
    ]);
  }
  if (entry.src !== "git") {
    if (entry.src === "module") return skip("environment module (externally managed)");
    if (isVirtualSource(entry.src)) return skip(`${entry.src} package (installed by its handler)`);
    return skip(`non-git package (src: ${entry.src})`);
  }
  if (typeof entry.tag === "string" && entry.tag) return skip(`pinned to tag ${entry.tag}`);
  if (typeof entry.commit_requested === "string" && entry.commit_requested) {
    return skip(`pinned to commit ${entry.commit_requested.slice(0, 7)}`);
  }
  const st = await lstatOrUndefined(path);
  if (!st) return fail("not fetched", ["ivpm update"]);
  if (st.isSymlink) {
    const target = await Deno.realPath(path).catch(() => undefined);
    const writable = target ? await isWritable(target) : false;
    return skip(
      writable ? `linked to ${target}; sync that checkout instead` : "read-only (cached)",
      writable
        ? undefined
        : ["set 'cache: false' on the dependency and run 'ivpm update' for an editable clone"],
    );
  }
  if (!(await isWritable(path))) return skip("read-only (cached)");
  if (!(await lstatOrUndefined(join(path, ".git")))) {
    return fail("not a git repository", [`remove ${rel(opts.projectDir, path)} and run 'ivpm update'`]);
  }
  const state = await readGitState(path, opts.signal);
  if (!state.branch) return skip("detached HEAD");
  const branch = state.branch;
  const before = state.commit;

  const up = await upstreamOf(path, branch, opts.signal);
  const fetched = await git(["fetch", "--quiet", up.remote], {
    cwd: path,
    signal: opts.signal,
    allowFail: true,
  });
  if (fetched.code !== 0) {
    return fail(`git fetch failed: ${gitError(["fetch", up.remote], fetched.stderr, path).message}`);
  }
  const known = await git(["rev-parse", "--verify", "--quiet", `${up.ref}^{commit}`], {
    cwd: path,
    allowFail: true,
  });
  if (known.code !== 0) {
    return skip(`branch '${branch}' has no upstream (${up.name} does not exist)`, [
      `cd ${rel(opts.projectDir, path)} && git push -u ${up.remote} ${branch}`,
    ]);
  }
  const counts = (await git(["rev-list", "--left-right", "--count", `${up.ref}...HEAD`], { cwd: path }))
    .stdout
    .trim().split(/\s+/).map(Number);
  const [behind, ahead] = counts;
  const common = { ...base, branch, upstream: up.name, before, behind, ahead };
  const cd = `cd ${rel(opts.projectDir, path)}`;
  if (behind === 0) {
    if (ahead === 0) return { ...common, outcome: "up-to-date" };
    return {
      ...common,
      outcome: "ahead",
      reason: `${ahead} local commit(s) not on ${up.name}`,
      nextSteps: [`${cd} && git push`],
    };
  }
  const dirtyFiles = state.changes.filter((c) => c.xy !== "??").map((c) => c.path);
  if (opts.dryRun) {
    if (dirtyFiles.length) {
      return {
        ...common,
        outcome: "dry:dirty",
        reason: `${behind} commit(s) behind ${up.name}, but has local changes`,
        files: dirtyFiles,
      };
    }
    if (ahead === 0) {
      return { ...common, outcome: "dry:sync", reason: `would fast-forward ${behind} commit(s)` };
    }
    const conflicts = await predictConflicts(path, up.ref);
    if (conflicts === undefined) {
      return {
        ...common,
        outcome: "dry:sync",
        reason: `would merge ${behind} commit(s) (diverged, no conflicts)`,
      };
    }
    return {
      ...common,
      outcome: "dry:conflict",
      reason: `diverged from ${up.name}; merging would conflict`,
      ...(conflicts.length ? { files: conflicts } : {}),
    };
  }
  if (dirtyFiles.length) {
    return {
      ...common,
      outcome: "dirty",
      reason: `${behind} commit(s) behind ${up.name}, but has local changes`,
      files: dirtyFiles,
      nextSteps: [`${cd} && git stash`, "ivpm sync", `${cd} && git stash pop`],
    };
  }
  const originUrl = typeof entry.url === "string" ? entry.url : "";
  return await merge(common, path, up.name, ahead > 0, cd, originUrl);
}

/** Runs the merge (fast-forward when possible); on any failure the tree is left as it was. */
async function merge(
  common: Omit<Draft, "outcome">,
  path: string,
  upstream: string,
  diverged: boolean,
  cd: string,
  originUrl: string,
): Promise<Draft> {
  // No signal: a merge is short and must not be killed halfway.
  const args = diverged
    ? ["merge", "--no-edit", "--quiet", upstream]
    : ["merge", "--ff-only", "--quiet", upstream];
  const r = await git(args, { cwd: path, allowFail: true, env: { GIT_MERGE_AUTOEDIT: "no" } });
  if (r.code !== 0) {
    const conflicted =
      (await git(["diff", "--no-ext-diff", "--no-textconv", "--name-only", "--diff-filter=U", "-z"], {
        cwd: path,
        allowFail: true,
      }))
        .stdout.split("\0").filter(Boolean);
    const inMerge = await mergeInProgress(path);
    if (inMerge) await abortMerge(path);
    if (conflicted.length) {
      return {
        ...common,
        outcome: "conflict",
        reason: `merging ${upstream} conflicts in ${conflicted.length} file(s); the merge was aborted`,
        files: conflicted,
        nextSteps: [
          `${cd} && git merge ${upstream}`,
          `${cd} && git status   # edit the conflicting files, then 'git add' them`,
          `${cd} && git commit   # or 'git merge --abort' to give up`,
        ],
      };
    }
    const overwritten = overwrittenFiles(r.stderr);
    if (overwritten.length) {
      return {
        ...common,
        outcome: "dirty",
        reason: `files in the way of the merge with ${upstream}`,
        files: overwritten,
        nextSteps: [`${cd} && git status`, "move or remove those files, then run 'ivpm sync' again"],
      };
    }
    return { ...common, outcome: "error", reason: gitError(args, r.stderr, path).message };
  }
  const after = (await git(["rev-parse", "HEAD"], { cwd: path })).stdout.trim();
  const done: Draft = { ...common, outcome: "synced", after, merged: diverged };
  if (await lstatOrUndefined(join(path, ".gitmodules"))) {
    // git ≥ 2.38 refuses file:// submodules by default: allowed again only below a local origin.
    const allow = `protocol.file.allow=${submoduleFileProtocol(originUrl)}`;
    const sub = await git(
      ["-c", allow, "submodule", "update", "--init", "--recursive"],
      { cwd: path, allowFail: true },
    );
    if (sub.code !== 0) {
      const detail = gitError(["submodule", "update"], sub.stderr, path).message;
      return {
        ...done,
        outcome: "error",
        reason: `merged ${upstream}, but updating the submodules failed: ${detail}`,
        nextSteps: [`${cd} && git submodule update --init --recursive`],
      };
    }
  }
  return done;
}

/** The remote to fetch and the ref to merge: the branch's upstream, else `origin/<branch>`. */
async function upstreamOf(
  path: string,
  branch: string,
  signal?: AbortSignal,
): Promise<{ remote: string; ref: string; name: string }> {
  const cfg = await git(["config", "--get-regexp", `^branch\\.${escapeRe(branch)}\\.(remote|merge)$`], {
    cwd: path,
    allowFail: true,
    signal,
  });
  let remote = "origin", merge = `refs/heads/${branch}`;
  for (const line of cfg.stdout.split("\n")) {
    const [key, value] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
    if (key.endsWith(".remote") && value && value !== ".") remote = value;
    if (key.endsWith(".merge") && value) merge = value;
  }
  const short = merge.replace(/^refs\/heads\//, "");
  return { remote, ref: `refs/remotes/${remote}/${short}`, name: `${remote}/${short}` };
}

/**
 * Conflicting paths a merge of `upstream` into HEAD would produce (`git merge-tree`,
 * which touches neither the index nor the tree); undefined when it would be clean.
 */
async function predictConflicts(path: string, upstream: string): Promise<string[] | undefined> {
  const r = await git(["merge-tree", "--write-tree", "--name-only", "--no-messages", "HEAD", upstream], {
    cwd: path,
    allowFail: true,
  });
  if (r.code === 0) return undefined;
  if (r.code === 1) return [...new Set(r.stdout.split("\n").slice(1).filter(Boolean))];
  // An older git without --write-tree: a diverged branch may conflict.
  return [];
}

async function mergeInProgress(path: string): Promise<boolean> {
  return (await git(["rev-parse", "-q", "--verify", "MERGE_HEAD"], { cwd: path, allowFail: true })).code ===
    0;
}

/** Aborts the merge in progress; falls back to `reset --merge` if `merge --abort` refuses. */
async function abortMerge(path: string): Promise<void> {
  const r = await git(["merge", "--abort"], { cwd: path, allowFail: true });
  if (r.code !== 0 || await mergeInProgress(path)) await git(["reset", "--merge"], { cwd: path });
}

/** Paths git lists (tab-indented) after "would be overwritten by merge". */
function overwrittenFiles(stderr: string): string[] {
  if (!/would be overwritten/i.test(stderr)) return [];
  return stderr.split("\n").filter((l) => l.startsWith("\t")).map((l) => l.trim()).filter(Boolean);
}

async function isWritable(path: string): Promise<boolean> {
  const st = await Deno.stat(path).catch(() => undefined);
  if (!st) return false;
  // Owner write bit is what the cache removes; the original checks the same.
  return st.mode === null ? true : (st.mode & 0o200) !== 0;
}

function rel(projectDir: string, path: string): string {
  const r = relative(projectDir, path);
  return r === "" ? "." : r;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
