/**
 * Cloning a repository at a branch, tag or commit, with its submodules.
 *
 * A plain clone spawns git once: the checked-out commit is read from `.git`
 * (`HEAD` and the ref it names) instead of asking `git rev-parse`, since ivpm's
 * update is compared against a bare `git clone` and every extra process shows
 * (a spawn costs 1.5 ms idle, 3–5 ms while other clones load the CPU). Anything
 * unusual in `.git` falls back to `rev-parse`.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { git, gitError } from "./run.ts";
import { submoduleFileProtocol } from "./url.ts";
import { recordFetchedTags } from "./fetched_tags.ts";

/** What to clone and which revision to check out. */
export interface CloneSpec {
  /** Repository URL or path, used as given (apply `effectiveGitUrl` first). */
  url: string;
  /** Branch to check out (and to record when `commit` is also given). */
  branch?: string;
  /** Tag to check out (detached HEAD at the tagged commit). */
  tag?: string;
  /** Commit to check out (detached); wins over `tag` and `branch`. */
  commit?: string;
  /** History depth (shallow clone); full history when absent. */
  depth?: number;
  /** Initialise submodules; `"auto"` (default) and `true` do so when `.gitmodules` exists. */
  submodules?: boolean | "auto";
}

/** Options of {@link cloneRepo}. */
export interface CloneOptions {
  /** Cancels the clone. */
  signal?: AbortSignal;
  /** A local repository whose objects are borrowed (copied in, so it may be deleted later). */
  reference?: string;
}

/** The checkout a clone produced. */
export interface CloneResult {
  /** Full sha of the checked-out commit. */
  commit: string;
  /** Branch the checkout belongs to: the requested one, or the default branch; undefined for a tag. */
  branch?: string;
}

/** Keeps detached checkouts from printing git's multi-line advice to stderr. */
const QUIET_DETACH = ["-c", "advice.detachedHead=false"];

/**
 * Clones `spec.url` into `dest` and checks out the requested revision.
 *
 * `dest` must not exist or be empty (pass a staging path). On failure whatever
 * the clone created in `dest` is removed.
 *
 * @throws {IvpmError} when `dest` is not empty or a git step fails (message names URL and revision).
 */
export async function cloneRepo(
  spec: CloneSpec,
  dest: string,
  opts: CloneOptions = {},
): Promise<CloneResult> {
  const existed = await checkDest(dest);
  try {
    return await cloneInto(spec, dest, opts);
  } catch (e) {
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    if (existed) await Deno.mkdir(dest, { recursive: true }).catch(() => {});
    throw e;
  }
}

async function cloneInto(spec: CloneSpec, dest: string, opts: CloneOptions): Promise<CloneResult> {
  const { signal } = opts;
  const args = [...QUIET_DETACH, "clone"];
  if (spec.depth !== undefined) args.push("--depth", String(spec.depth));
  if (opts.reference) args.push("--reference-if-able", opts.reference, "--dissociate");
  if (spec.commit) {
    // The files are written once, at the commit, instead of at the branch tip first.
    args.push("--no-checkout");
    if (spec.branch) args.push("--branch", spec.branch);
  } else if (spec.tag) {
    args.push("--branch", spec.tag);
  } else if (spec.branch) {
    args.push("--branch", spec.branch);
  }
  args.push("--", spec.url, dest);
  try {
    await git(args, { signal });
  } catch (e) {
    // git says "Remote branch v9.9 not found" for a missing tag too: name what the user asked for.
    const asked = spec.commit
      ? undefined
      : spec.tag
      ? `tag ${spec.tag}`
      : spec.branch
      ? `branch ${spec.branch}`
      : undefined;
    if (asked && e instanceof Error && /Remote branch .* not found/i.test(e.message)) {
      throw new IvpmError(`${asked} not found in ${spec.url}`, {
        hint: `check the ${spec.tag ? "tag" : "branch"} name (git ls-remote --${
          spec.tag ? "tags" : "heads"
        } ${spec.url})`,
        cause: e,
      });
    }
    throw e;
  }

  if (spec.commit) await checkoutCommit(spec, dest, signal);

  // Independent file checks: one wait instead of three. Every tag there now is the remote's.
  const [head, hasSubmodules] = await Promise.all([
    headOf(dest, signal),
    spec.submodules !== false ? exists(`${dest}/.gitmodules`) : false,
    recordFetchedTags(dest, signal),
  ]);
  const commit = head.commit;
  // The default branch the clone landed on, when none was asked for (none for a tag or a commit).
  const branch = spec.commit || spec.tag || spec.branch ? spec.branch : head.branch;

  if (hasSubmodules) {
    // git ≥ 2.38 refuses file:// submodules by default: allowed again only below a local parent.
    const allow = `protocol.file.allow=${submoduleFileProtocol(spec.url)}`;
    await git(["-c", allow, "submodule", "update", "--init", "--recursive"], {
      cwd: dest,
      signal,
    });
  }
  return { commit, branch };
}

/** Detaches HEAD at `spec.commit`, fetching it first when the (shallow) clone lacks it. */
async function checkoutCommit(spec: CloneSpec, dest: string, signal?: AbortSignal): Promise<void> {
  const sha = spec.commit as string;
  if (sha.startsWith("-")) throw new IvpmError(`invalid commit '${sha}' for ${spec.url}`);
  const checkout = ["checkout", "--detach", sha];
  const first = await git([...QUIET_DETACH, ...checkout], { cwd: dest, signal, allowFail: true });
  if (first.code === 0) return;

  // Not in what was cloned: ask for it by sha (allowed by protocol v2 servers and GitHub), else deepen.
  const depth = spec.depth !== undefined ? ["--depth", String(spec.depth)] : [];
  let fetched = false;
  if (/^[0-9a-f]{40}$/i.test(sha)) {
    fetched =
      (await git(["fetch", ...depth, "origin", sha], { cwd: dest, signal, allowFail: true })).code === 0;
  }
  if (!fetched) {
    const shallow = await exists(`${dest}/.git/shallow`);
    const deepen = shallow ? ["--unshallow"] : [];
    // All branches and tags: the commit may live on a branch a single-branch clone skipped.
    await git(["fetch", ...deepen, "--tags", "origin", "+refs/heads/*:refs/remotes/origin/*"], {
      cwd: dest,
      signal,
    });
  }
  const second = await git([...QUIET_DETACH, ...checkout], { cwd: dest, signal, allowFail: true });
  if (second.code !== 0) {
    if (!/unknown revision|reference is not a tree|did not match|not a commit/i.test(second.stderr)) {
      throw gitError(checkout, second.stderr, dest);
    }
    throw new IvpmError(`commit '${sha}' not found in ${spec.url}`, {
      hint: "check the commit sha (a full 40-character sha works best) and that it is pushed",
    });
  }
}

/** A full object name (sha-1 or sha-256). */
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The commit checked out in `dest` and the branch HEAD is on (undefined when detached). */
async function headOf(dest: string, signal?: AbortSignal): Promise<{ commit: string; branch?: string }> {
  const read = await readHead(`${dest}/.git`);
  if (read) return read;
  const out = (await git(["rev-parse", "HEAD", "--abbrev-ref", "HEAD"], { cwd: dest, signal })).stdout
    .trim().split("\n");
  return { commit: out[0], branch: out[1] && out[1] !== "HEAD" ? out[1] : undefined };
}

/**
 * Reads HEAD of a freshly cloned repository from its files: a detached sha, or
 * `ref: refs/heads/<b>` resolved through the loose ref or `packed-refs`.
 * Returns undefined for anything else (reftable, symbolic chains, a missing
 * ref), and the caller asks git.
 */
async function readHead(gitDir: string): Promise<{ commit: string; branch?: string } | undefined> {
  const head = (await readText(`${gitDir}/HEAD`))?.trim();
  if (head === undefined) return undefined;
  if (SHA.test(head)) return { commit: head };
  const ref = /^ref: (refs\/heads\/[^\s]+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  let sha = (await readText(`${gitDir}/${ref}`))?.trim();
  if (sha === undefined) {
    const packed = (await readText(`${gitDir}/packed-refs`)) ?? "";
    sha = packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.split(" ")[0];
  }
  return sha && SHA.test(sha) ? { commit: sha, branch: ref.slice("refs/heads/".length) } : undefined;
}

/** A file's text, or undefined when it cannot be read (the caller falls back to git). */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

/** Refuses a non-empty destination; returns whether it exists (empty). */
async function checkDest(dest: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dest)) {
      throw new IvpmError(`clone destination '${dest}' already exists and is not empty`, {
        hint: "remove it or choose another directory",
      });
    }
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new IvpmError(`clone destination '${dest}' exists and is not a directory`, {
        hint: "remove it or choose another directory",
      });
    }
    throw e;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
