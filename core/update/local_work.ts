/**
 * What replacing or deleting `packages/<name>` would lose: uncommitted,
 * untracked and ignored files, stashes, commits on no remote branch, files
 * changed or added in an unpacked archive (see extracted_work.ts), or the
 * whole directory when ivpm did not create it. `update`, `update --prune` and
 * `destroy` keep such a package unless forced, and say what `--force` discards.
 *
 * @module
 */

import { ownFiles } from "../fetch/git/own_files.ts";
import { fetchedTagObjects } from "../fetch/git/fetched_tags.ts";
import { join, relative, resolve } from "node:path";
import { IvpmError } from "../base/errors.ts";
import { git } from "../fetch/git/run.ts";
import type { LockEntry } from "./lock/lock_file.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import { wasPlaced } from "./placed_journal.ts";
import { extractedWork } from "./extracted_work.ts";

/** Where a package directory came from, as far as ivpm knows. */
export interface Provenance {
  /** The package's entry in the current lock (ivpm put it there). */
  previous?: LockEntry;
  /** The deps dir, to look up packages placed by a run that died before writing the lock. */
  depsDir?: string;
  signal?: AbortSignal;
}

/**
 * What would be lost with the package at `path`, one phrase per kind
 * (e.g. `["2 untracked files", "1 stash"]`); empty when nothing (or nothing is there).
 * Git is asked only when `path` is a checkout: one status, one stash list, one
 * rev-list and one remote lookup, in parallel.
 */
export async function findLocalWork(path: string, from: Provenance = {}): Promise<string[]> {
  const st = await lstatOrUndefined(path);
  // A symlink is unlinked, never followed: removing it loses nothing.
  if (!st || st.isSymlink) return [];
  const ours = !!from.previous || (from.depsDir !== undefined && await wasPlaced(from.depsDir, path));
  const checkout = st.isDirectory && !!(await lstatOrUndefined(join(path, ".git")));
  if (!checkout) {
    if (!ours) return [st.isDirectory ? "a directory ivpm did not create" : "a file ivpm did not create"];
    if (from.previous?.src === "git") return ["a directory that is no longer the git checkout ivpm made"];
    return await extractedWork(path, from, regenerated);
  }
  const lost = await gitWork(path, from.signal);
  if (!ours) lost.push("a git checkout ivpm did not create");
  else if (from.previous?.src === "git" && typeof from.previous.url === "string") {
    const origin = (await git(["config", "--get", "remote.origin.url"], {
      cwd: path,
      allowFail: true,
      signal: from.signal,
    })).stdout.trim();
    if (!sameRepository(origin, from.previous.url, path)) {
      lost.push(
        origin ? `a git clone of ${origin}, not of ${from.previous.url}` : "a git checkout without origin",
      );
    }
  }
  return lost;
}

/**
 * Untracked or ignored files nobody loses anything with: Python's byte-code caches
 * and the `*.egg-info` an editable install (the python handler's `pip install -e`) writes.
 */
const REGENERATED = /(^|\/)(__pycache__\/?|[^/]+\.egg-info\/?|[^/]+\.py[co])$/;

/** Whether `path` (relative, `/`-separated) is or lies in something {@link REGENERATED}. */
function regenerated(path: string): boolean {
  return path.split("/").some((part) => REGENERATED.test(part));
}

async function gitWork(dir: string, signal?: AbortSignal): Promise<string[]> {
  const run = (args: string[]) => git(args, { cwd: dir, allowFail: true, signal });
  // Commits on HEAD or a local branch that no remote branch or remote tag holds. Only the tags the
  // clone fetched count: a local, never-pushed tag saves nothing (see fetched_tags.ts).
  const unpushedCount = async () =>
    run([
      "rev-list",
      "--count",
      "--ignore-missing",
      "HEAD",
      "--branches",
      "--not",
      "--remotes",
      ...await fetchedTagObjects(dir),
    ]);
  const [status, stashes, unpushed, own] = await Promise.all([
    run(["status", "--porcelain", "--ignored"]),
    run(["stash", "list"]),
    unpushedCount(),
    ownFiles(dir),
  ]);
  if (status.code !== 0) return [`a git checkout ivpm cannot inspect (${firstLine(status.stderr)})`];
  let modified = 0, untracked = 0, ignored = 0;
  for (const line of status.stdout.split("\n")) {
    if (!line) continue;
    const path = line.slice(3);
    if (line.startsWith("??")) {
      if (!REGENERATED.test(path)) untracked++;
    } else if (line.startsWith("!!")) {
      if (!own.has(path) && !REGENERATED.test(path)) ignored++;
    } else modified++;
  }
  const stashCount = stashes.code === 0 ? stashes.stdout.split("\n").filter(Boolean).length : 0;
  // An unborn HEAD has no commits to lose.
  const commits = unpushed.code === 0 ? Number(unpushed.stdout.trim()) || 0 : 0;
  const lost: string[] = [];
  if (modified) lost.push(`uncommitted changes in ${plural(modified, "file")}`);
  if (untracked) lost.push(plural(untracked, "untracked file"));
  if (ignored) lost.push(plural(ignored, "ignored file"));
  if (stashCount) lost.push(plural(stashCount, "stash", "stashes"));
  if (commits) lost.push(`${plural(commits, "local commit")} not on any remote branch`);
  return lost;
}

/** Whether two git URLs name the same repository (credentials, scheme, `.git` and case of the host aside). */
export function sameRepository(a: string, b: string, cwd = "."): boolean {
  return !!a && repoKey(a, cwd) === repoKey(b, cwd);
}

function repoKey(url: string, cwd: string): string {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.*)$/.exec(url);
  let host = "", path = url;
  if (scp && !/^[a-z]:\\/i.test(url)) [host, path] = [scp[1], scp[2]];
  else {
    try {
      const u = new URL(url);
      if (u.protocol === "file:") path = decodeURIComponent(u.pathname);
      else [host, path] = [u.hostname, u.pathname];
    } catch {
      path = resolve(cwd, url); // a local path
    }
  }
  if (!host) path = resolve(path);
  return `${host.toLowerCase()}/${path.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "")}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0] || "git status failed";
}

/** `packages/libA kept: 2 untracked files, 1 stash; …` — the one-line warning for a kept package. */
export function keptMessage(label: string, lost: string[]): string {
  return `${label} kept: ${lost.join(", ")}; commit and push them or move them elsewhere, ` +
    "or pass --force to discard them";
}

/** The line `--force` prints for what it discards. */
export function discardMessage(label: string, lost: string[]): string {
  return `${label}: discarding ${lost.join(", ")} (--force)`;
}

/** A package was not replaced because it holds work {@link findLocalWork} found. */
export class LocalWorkError extends IvpmError {
  /** The package directory. */
  readonly path: string;
  /** What replacing it would have lost. */
  readonly lost: string[];

  constructor(path: string, label: string, lost: string[]) {
    super(`${label} kept: ${lost.join(", ")}`, {
      hint: "commit and push them or move them elsewhere, or pass --force to discard them",
    });
    this.name = "LocalWorkError";
    this.path = path;
    this.lost = lost;
  }
}

/** `packages/x` for messages: the path relative to the project when inside it. */
export function packageLabel(path: string, projectDir: string): string {
  const rel = relative(projectDir, path);
  return rel && !rel.startsWith("..") ? rel : path;
}
