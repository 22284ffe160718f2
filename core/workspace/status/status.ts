/**
 * Per-package status of a workspace: for git packages branch/tag/commit,
 * changes and upstream distance; for every package, whether it matches the
 * lock. Git runs once per package, packages in parallel.
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { git, withBaseEnv } from "../../fetch/git/mod.ts";
import { lstatOrUndefined } from "../../util/fs.ts";
import { mapPool } from "../../util/pool.ts";
import { type ChangedPath, readGitState } from "./git_state.ts";
import { isVirtualSource, openWorkspace } from "./workspace.ts";
import { lockMismatchMessage } from "../../update/lock/lock_file.ts";

/** One package's status (the `--json` row; see docs/status-sync.md). */
export interface PackageStatusInfo {
  name: string;
  /** `src` recorded in the lock. */
  src: string;
  /** `git` for git packages (whether or not the directory is there), else `none`. */
  vcs: "git" | "none";
  /** `packages/<name>` exists (always false for packages without a directory, e.g. pypi). */
  present: boolean;
  /** The package has no directory of its own (pypi, npm, …: installed by a handler). */
  virtual: boolean;
  /** Absolute path of `packages/<name>`. */
  path: string;
  /** Where `packages/<name>` points when it is a symlink (a cache entry, a `dir` source, a deps-source). */
  link?: string;
  branch?: string;
  tag?: string;
  /** Full sha of HEAD. */
  commit?: string;
  /** Upstream of the branch (`origin/main`). */
  upstream?: string;
  /** Tracked paths with changes. */
  modified?: number;
  /** Untracked paths. */
  untracked?: number;
  /** Tracked paths with changes exist (untracked files alone do not make a package dirty). */
  dirty?: boolean;
  /** Commits not on the upstream / on the upstream only (as last fetched); absent without an upstream. */
  ahead?: number;
  behind?: number;
  /** Every changed path (`git status --short` letters). */
  changes?: ChangedPath[];
  /** Version the lock recorded (non-git sources). */
  version?: string;
  /** Commit the lock recorded (git). */
  lockedCommit?: string;
  /** HEAD is the locked commit (git); the package is present (others; always true for virtual ones). */
  matchesLock: boolean;
  /** The package was taken from this deps-source directory. */
  fromDepsSource?: string;
  /** That deps-source is the main worktree's deps dir (picked automatically for a git worktree). */
  depsSourceAuto?: boolean;
  /** Why the state could not be read. */
  error?: string;
}

/** Options of {@link workspaceStatus}. */
export interface StatusOptions {
  /** Git processes at once (default: 4 per core). */
  jobs?: number;
  signal?: AbortSignal;
  /** Receives warnings about the workspace (a hand-edited lock). */
  warn?: (message: string) => void;
  /** The environment git runs in (default: the process's). */
  env?: Readonly<Record<string, string>>;
}

/** Status of every package in the lock of the project at `projectDir`, sorted by name. */
export async function workspaceStatus(
  projectDir: string,
  opts: StatusOptions | number = {},
): Promise<PackageStatusInfo[]> {
  const o: StatusOptions = typeof opts === "number" ? { jobs: opts } : opts;
  const ws = await openWorkspace(projectDir);
  if (ws.checksumMismatch) o.warn?.(lockMismatchMessage(ws.depsDir));
  const entries = Object.entries(ws.lock.packages).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const mainDeps = entries.some(([, e]) => typeof e.from_deps_source === "string")
    ? await mainWorktreeDepsDir(ws.projectDir, ws.config.depsDir)
    : undefined;
  // Git status is mostly process start-up and disk reads: more than one per core keeps both busy.
  const jobs = o.jobs ?? Math.max(4, (navigator.hardwareConcurrency ?? 2) * 4);
  const each = () =>
    mapPool(entries, jobs, async ([name, entry]) => {
      const path = join(ws.depsDir, name);
      const virtual = isVirtualSource(entry.src);
      const st = virtual ? undefined : await lstatOrUndefined(path);
      const info: PackageStatusInfo = {
        name,
        src: entry.src,
        vcs: entry.src === "git" ? "git" : "none",
        present: !!st,
        virtual,
        path,
        matchesLock: virtual || !!st,
      };
      if (st?.isSymlink) info.link = await Deno.readLink(path);
      const version = entry.version_resolved ?? entry.version_requested;
      if (typeof version === "string") info.version = version;
      if (typeof entry.from_deps_source === "string") {
        info.fromDepsSource = entry.from_deps_source;
        if (mainDeps) {
          const rel = relative(mainDeps, resolve(ws.projectDir, entry.from_deps_source));
          info.depsSourceAuto = rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
        }
      }
      if (entry.src !== "git") {
        if (!virtual && !st) info.error = "not fetched";
        return info;
      }
      if (typeof entry.commit_resolved === "string") info.lockedCommit = entry.commit_resolved;
      if (!st || !(await lstatOrUndefined(join(path, ".git")))) {
        info.matchesLock = false;
        info.error = st ? "not a git repository" : "not fetched";
        return info;
      }
      try {
        const w = await readGitState(path, o.signal);
        Object.assign(info, {
          branch: w.branch,
          tag: w.tag,
          commit: w.commit,
          upstream: w.upstream,
          modified: w.modified,
          untracked: w.untracked,
          dirty: w.modified > 0,
          ahead: w.ahead,
          behind: w.behind,
          changes: w.changes,
        });
        info.matchesLock = w.commit !== "" && w.commit === entry.commit_resolved;
      } catch (e) {
        info.error = e instanceof Error ? e.message : String(e);
        info.matchesLock = false;
      }
      return info;
    });
  // Given once for every git call, instead of each call reading the process environment again.
  return await (o.env ? withBaseEnv(o.env, each) : each());
}

/**
 * The deps dir of the same project in the main worktree when `projectDir` is in
 * a linked git worktree; undefined otherwise.
 */
async function mainWorktreeDepsDir(projectDir: string, depsDir: string): Promise<string | undefined> {
  const r = await git(
    ["rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir", "--git-common-dir"],
    { cwd: projectDir, allowFail: true },
  );
  const [top, gitDir, common] = r.stdout.trim().split("\n");
  if (r.code !== 0 || !common || gitDir === common) return undefined;
  const real = await Deno.realPath(projectDir).catch(() => projectDir);
  return join(dirname(common), relative(top, real), depsDir);
}
