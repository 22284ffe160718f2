/**
 * Git packages in a snapshot: a bare repository holding the package's history
 * up to (at least) its locked commit, and a checkout made from it.
 *
 * The bare repository is filled by pushing from the package's checkout (a push
 * can send any commit by sha, and works from the shallow clones of the cache
 * when the receiver accepts shallow updates). It holds the package's branches
 * and tags, the locked commit under `refs/ivpm-snapshot/locked`, and — when the
 * lock names a branch, or the checkout is on one — that branch set to the
 * locked commit, with HEAD on it; otherwise HEAD is detached at the locked
 * commit. Either way `git clone` of it (what `ivpm update --lock-file` does)
 * finds the locked commit without any other repository.
 *
 * @module
 */

import { join } from "node:path";
import { IvpmError } from "../../base/errors.ts";
import { git } from "../../fetch/git/mod.ts";
import { lstatOrUndefined } from "../../util/fs.ts";

/** Keeps detached checkouts from printing git's advice. */
const QUIET = ["-c", "advice.detachedHead=false"];

/** Where the locked commit is kept in every bundle, whatever the branches say. */
export const LOCKED_REF = "refs/ivpm-snapshot/locked";

/** What {@link bundleGitPackage} made. */
export interface GitBundle {
  /** Branch HEAD is on in the bundle (undefined: HEAD detached at the locked commit). */
  branch?: string;
}

/**
 * Creates the bare repository `bare` from the checkout `source`, holding
 * `commit` (and `branch` at it, when given).
 *
 * @throws {IvpmError} when the checkout does not contain the locked commit.
 */
export async function bundleGitPackage(
  source: string,
  bare: string,
  commit: string,
  branch: string | undefined,
  label: string,
): Promise<GitBundle> {
  const has = await git(["cat-file", "-e", `${commit}^{commit}`], { cwd: source, allowFail: true });
  if (has.code !== 0) {
    throw new IvpmError(`${label} does not contain its locked commit ${commit.slice(0, 12)}`, {
      hint:
        "run 'ivpm update' to restore the package, or 'ivpm sync' to record its current commit in the lock",
    });
  }
  await git(["init", "--bare", "--quiet", bare]);
  // Needed when the package is a shallow clone (a cache entry): the bundle is then shallow too.
  await git(["config", "receive.shallowUpdate", "true"], { cwd: bare });
  const push = (...refspecs: string[]) =>
    git(["push", "--quiet", "--no-verify", bare, ...refspecs], { cwd: source });
  await push("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", `+${commit}:${LOCKED_REF}`);
  if (branch) {
    await push(`+${commit}:refs/heads/${branch}`);
    await git(["symbolic-ref", "HEAD", `refs/heads/${branch}`], { cwd: bare });
  } else {
    await git(["update-ref", "--no-deref", "HEAD", commit], { cwd: bare });
  }
  return { branch };
}

/**
 * Clones the bundle `bare` into `dest` at `commit` (on `branch` when given, else
 * detached), with `origin` = `originUrl` and, when known, `upstream` = the
 * package's original URL. Submodules are filled from the package's own
 * submodule checkouts in `source`, so no network is needed.
 *
 * @returns warnings (a submodule that could not be filled).
 */
export async function checkoutFromBundle(
  bare: string,
  dest: string,
  opts: { commit: string; branch?: string; originUrl: string; upstreamUrl?: string; source: string },
): Promise<string[]> {
  // A local path (not file://) lets git hard-link the objects instead of copying them.
  await git([...QUIET, "clone", "--quiet", "--no-checkout", bare, dest]);
  if (opts.branch) await git([...QUIET, "checkout", "--quiet", opts.branch], { cwd: dest });
  else await git([...QUIET, "checkout", "--quiet", "--detach", opts.commit], { cwd: dest });
  await git(["remote", "set-url", "origin", opts.originUrl], { cwd: dest });
  if (opts.upstreamUrl && opts.upstreamUrl !== opts.originUrl) {
    await git(["remote", "add", "upstream", opts.upstreamUrl], { cwd: dest });
  }
  const warnings: string[] = [];
  await fillSubmodules(dest, opts.source, warnings);
  return warnings;
}

/**
 * Initialises the submodules of `dest` from the matching submodule checkouts
 * of `source` (recursively), then points their URLs back at `.gitmodules`.
 */
async function fillSubmodules(dest: string, source: string, warnings: string[]): Promise<void> {
  if (!(await lstatOrUndefined(join(dest, ".gitmodules")))) return;
  const cfg = await git(["config", "-f", ".gitmodules", "--get-regexp", "^submodule\\..*\\.path$"], {
    cwd: dest,
    allowFail: true,
  });
  const subs: { name: string; path: string }[] = [];
  for (const line of cfg.stdout.split("\n").filter(Boolean)) {
    const sp = line.indexOf(" ");
    const key = line.slice(0, sp);
    subs.push({ name: key.slice("submodule.".length, -".path".length), path: line.slice(sp + 1) });
  }
  for (const s of subs) {
    const local = join(source, s.path);
    // Pre-set URLs survive `submodule init`: the clone comes from the package's own checkout.
    if (await lstatOrUndefined(join(local, ".git"))) {
      await git(["config", `submodule.${s.name}.url`, local], { cwd: dest });
    }
    const r = await git(
      [
        "-c",
        "protocol.file.allow=always",
        ...QUIET,
        "submodule",
        "update",
        "--init",
        "--quiet",
        "--",
        s.path,
      ],
      { cwd: dest, allowFail: true },
    );
    if (r.code !== 0) {
      warnings.push(`submodule ${s.path} could not be checked out: ${r.stderr.trim().split("\n").pop()}`);
      continue;
    }
    await fillSubmodules(join(dest, s.path), local, warnings);
  }
  // The submodules' remotes and config go back to the URLs in .gitmodules.
  await git(["submodule", "sync", "--quiet"], { cwd: dest, allowFail: true });
}
