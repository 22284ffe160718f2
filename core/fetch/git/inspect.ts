/**
 * Questions about remotes and checkouts: which commit a remote ref names, what
 * a working copy is on, whether it is modified, and fast-forwarding it.
 *
 * @module
 */

import { IvpmError } from "../../base/errors.ts";
import { git, gitError } from "./run.ts";

/** Options of {@link resolveRemoteRef}. */
export interface ResolveRefOptions {
  /** Look only among branches or only among tags (default: branch first, then tag). */
  kind?: "branch" | "tag";
  /** Cancels the lookup. */
  signal?: AbortSignal;
}

/**
 * The commit sha a remote ref points at, via `git ls-remote` (no clone).
 *
 * `ref` is a branch or tag name, a full ref name (`refs/heads/x`), or undefined
 * for the remote's HEAD. Annotated tags resolve to the tagged commit. A full
 * 40-character sha is returned as is.
 *
 * @throws {IvpmError} naming the URL and ref when the remote has no such ref.
 */
export async function resolveRemoteRef(
  url: string,
  ref?: string,
  opts: ResolveRefOptions = {},
): Promise<string> {
  if (ref !== undefined && /^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  // ls-remote's pattern `v1` does not match the peeled `refs/tags/v1^{}` line: ask for it explicitly.
  const patterns = ref === undefined ? ["HEAD"] : [ref, `${ref}^{}`];
  const { stdout } = await git(["ls-remote", "--", url, ...patterns], { signal: opts.signal });
  const refs = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const [sha, name] = line.split("\t");
    if (sha && name) refs.set(name, sha);
  }
  const peeled = (name: string) => refs.get(`${name}^{}`) ?? refs.get(name);
  const name = ref ?? "HEAD";
  const candidates = opts.kind === "branch"
    ? [`refs/heads/${name}`]
    : opts.kind === "tag"
    ? [`refs/tags/${name}`]
    : [name, `refs/heads/${name}`, `refs/tags/${name}`];
  for (const c of candidates) {
    const sha = peeled(c);
    if (sha) return sha;
  }
  const what = ref === undefined ? "HEAD" : opts.kind ? `${opts.kind} '${ref}'` : `ref '${ref}'`;
  throw new IvpmError(`${what} not found in ${url}`, {
    hint: ref === undefined
      ? "the repository may be empty; check the URL"
      : `check the branch or tag name (\`git ls-remote ${url}\` lists them)`,
  });
}

/** Full sha of the commit checked out in `dir`. */
export async function headCommit(dir: string, signal?: AbortSignal): Promise<string> {
  return (await git(["rev-parse", "HEAD"], { cwd: dir, signal })).stdout.trim();
}

/** The branch checked out in `dir`, or undefined when HEAD is detached. */
export async function currentBranch(dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const args = ["symbolic-ref", "--quiet", "--short", "HEAD"];
  const r = await git(args, { cwd: dir, signal, allowFail: true });
  if (r.code === 0) return r.stdout.trim();
  if (r.code === 1) return undefined; // --quiet: exit 1 without message means "detached"
  throw gitError(args, r.stderr, dir);
}

/** The tag pointing exactly at HEAD in `dir`, or undefined when there is none. */
export async function exactTag(dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const args = ["describe", "--tags", "--exact-match", "HEAD"];
  const r = await git(args, { cwd: dir, signal, allowFail: true });
  if (r.code === 0) return r.stdout.trim();
  if (/no tag exactly matches|no names found|cannot describe/i.test(r.stderr)) return undefined;
  // Not a repository, no commit yet, …: a real error, not "no tag".
  throw gitError(args, r.stderr, dir);
}

/** Outcome of {@link fastForward}. */
export interface FastForwardResult {
  /** Commit before the update. */
  before: string;
  /** Commit after the update. */
  after: string;
  /** Whether HEAD moved. */
  updated: boolean;
}

/**
 * Fetches `origin` and fast-forwards the checkout in `dir` to `origin/<branch>`.
 *
 * @throws {IvpmError} when the checkout has local commits (diverged) or local
 *   changes the update would overwrite, or when origin has no such branch.
 */
export async function fastForward(
  dir: string,
  opts: { branch: string; signal?: AbortSignal },
): Promise<FastForwardResult> {
  const { branch, signal } = opts;
  await git(["fetch", "origin"], { cwd: dir, signal });
  const upstream = `origin/${branch}`;
  const revs = await git(["rev-parse", "HEAD", `refs/remotes/${upstream}`], {
    cwd: dir,
    signal,
    allowFail: true,
  });
  const [before, remote] = revs.stdout.trim().split("\n");
  if (revs.code !== 0 || !remote) {
    throw new IvpmError(`branch '${branch}' not found on origin of ${dir}`, {
      hint: "check the branch name in ivpm.yaml (the remote may have renamed or deleted it)",
    });
  }
  if (before === remote) return { before, after: before, updated: false };
  const merge = await git(["merge", "--ff-only", upstream], { cwd: dir, signal, allowFail: true });
  if (merge.code !== 0) {
    if (/would be overwritten/i.test(merge.stderr)) {
      throw new IvpmError(`local changes in ${dir} would be overwritten by updating to ${upstream}`, {
        hint: "commit and push them or move them elsewhere, or re-run with --force to discard them",
      });
    }
    if (/not possible to fast-forward|diverg/i.test(merge.stderr)) {
      throw new IvpmError(
        `${dir} has diverged from ${upstream} (it has local commits); cannot fast-forward`,
        {
          hint: "run `ivpm sync` to merge, or use --force to discard the local commits and re-fetch",
        },
      );
    }
    throw gitError(["merge", "--ff-only", upstream], merge.stderr, dir);
  }
  // ff-only succeeds without moving when HEAD is already ahead of the remote.
  const after = await headCommit(dir, signal);
  return { before, after, updated: after !== before };
}

/** Whether tracked files in `dir` are modified or staged (untracked files do not count). */
export async function isDirty(dir: string, signal?: AbortSignal): Promise<boolean> {
  const { stdout } = await git(["status", "--porcelain", "--untracked-files=no"], { cwd: dir, signal });
  return stdout.trim() !== "";
}

/** State of a working copy, as `ivpm status` shows it. */
export interface WorkingStatus {
  /** Checked-out branch; undefined when detached. */
  branch?: string;
  /** Tag pointing exactly at HEAD. */
  tag?: string;
  /** Full sha of HEAD ("" in a repository without commits). */
  commit: string;
  /** Modified, staged, renamed or conflicted paths. */
  modified: number;
  /** Untracked paths (an untracked directory counts once). */
  untracked: number;
  /** Commits on HEAD not on the upstream; undefined without an upstream. */
  ahead?: number;
  /** Commits on the upstream not on HEAD; undefined without an upstream. */
  behind?: number;
}

/**
 * Branch, tag, commit, file states and upstream distance of `dir`, from two git
 * calls run in parallel (`status --porcelain=v2 --branch` and `describe`).
 * Ahead/behind compare with the last fetched upstream; nothing is fetched.
 */
export async function workingStatus(dir: string, signal?: AbortSignal): Promise<WorkingStatus> {
  const [status, tag] = await Promise.all([
    git(["status", "--porcelain=v2", "--branch"], { cwd: dir, signal }),
    exactTag(dir, signal).catch(() => undefined),
  ]);
  const result: WorkingStatus = { commit: "", modified: 0, untracked: 0 };
  if (tag !== undefined) result.tag = tag;
  for (const line of status.stdout.split("\n")) {
    if (line.startsWith("# branch.oid ")) {
      const oid = line.slice("# branch.oid ".length);
      result.commit = oid === "(initial)" ? "" : oid;
    } else if (line.startsWith("# branch.head ")) {
      const head = line.slice("# branch.head ".length);
      if (head !== "(detached)") result.branch = head;
    } else if (line.startsWith("# branch.ab ")) {
      const m = /^# branch\.ab \+(\d+) -(\d+)/.exec(line);
      if (m) {
        result.ahead = Number(m[1]);
        result.behind = Number(m[2]);
      }
    } else if (line.startsWith("1 ") || line.startsWith("2 ") || line.startsWith("u ")) {
      result.modified++;
    } else if (line.startsWith("? ")) {
      result.untracked++;
    }
  }
  return result;
}

/** URL of the `origin` remote of `dir`, or undefined when it has none. */
export async function remoteUrl(dir: string, signal?: AbortSignal): Promise<string | undefined> {
  const args = ["remote", "get-url", "origin"];
  const r = await git(args, { cwd: dir, signal, allowFail: true });
  if (r.code === 0) return r.stdout.trim();
  if (/no such remote/i.test(r.stderr)) return undefined;
  throw gitError(args, r.stderr, dir);
}
