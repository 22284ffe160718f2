/**
 * The state of one git working copy for `ivpm status` and `ivpm sync`, read
 * with a single git process: `git status --porcelain=v2 --branch -z` gives
 * branch, commit, upstream distance and every changed path; the tag at HEAD is
 * read from the ref files (`packed-refs` records peeled tags), and `git
 * describe` only runs when those files cannot answer. One process per package
 * is what keeps `ivpm status` on hundreds of packages well under two seconds.
 *
 * @module
 */

import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { exactTag, git } from "../../fetch/git/mod.ts";
import { lstatSyncOrUndefined, readRegularFileSync } from "../../util/fs.ts";

/** One changed path, as `git status --short` shows it. */
export interface ChangedPath {
  /** Two-letter status (`" M"`, `"A "`, `"UU"`, `"??"`). */
  xy: string;
  /** Path relative to the repository root (`old -> new` for renames). */
  path: string;
}

/** What a working copy is on and how it differs from its index, its upstream and its HEAD. */
export interface GitState {
  /** Checked-out branch; undefined when HEAD is detached. */
  branch?: string;
  /** Tag pointing exactly at HEAD. */
  tag?: string;
  /** Full sha of HEAD ("" in a repository without commits). */
  commit: string;
  /** Upstream of the branch (`origin/main`); undefined without one. */
  upstream?: string;
  /** Commits on HEAD not on the upstream; undefined without an upstream (or when it is gone). */
  ahead?: number;
  /** Commits on the upstream not on HEAD; undefined without an upstream. */
  behind?: number;
  /** Tracked paths modified, staged, renamed or conflicted. */
  modified: number;
  /** Untracked paths (an untracked directory counts once). */
  untracked: number;
  /** Every changed path, tracked ones first, in git's order. */
  changes: ChangedPath[];
}

/** Reads the state of the working copy at `dir` (nothing is fetched: the upstream is as last fetched). */
export async function readGitState(dir: string, signal?: AbortSignal): Promise<GitState> {
  const status = await git(["--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z"], {
    cwd: dir,
    signal,
  });
  const state = parsePorcelainV2(status.stdout);
  if (state.commit) {
    const tag = tagFromRefs(join(dir, ".git"), state.commit);
    if (tag === UNKNOWN) {
      const t = await exactTag(dir, signal).catch(() => undefined);
      if (t !== undefined) state.tag = t;
    } else if (tag !== undefined) state.tag = tag;
  }
  return state;
}

/** Parses `git status --porcelain=v2 --branch -z` output. */
export function parsePorcelainV2(text: string): GitState {
  const state: GitState = { commit: "", modified: 0, untracked: 0, changes: [] };
  const untracked: ChangedPath[] = [];
  const fields = text.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.startsWith("# branch.oid ")) {
      const oid = f.slice("# branch.oid ".length);
      state.commit = oid === "(initial)" ? "" : oid;
    } else if (f.startsWith("# branch.head ")) {
      const head = f.slice("# branch.head ".length);
      if (head !== "(detached)") state.branch = head;
    } else if (f.startsWith("# branch.upstream ")) {
      state.upstream = f.slice("# branch.upstream ".length);
    } else if (f.startsWith("# branch.ab ")) {
      const m = /^# branch\.ab \+(\d+) -(\d+)/.exec(f);
      if (m) {
        state.ahead = Number(m[1]);
        state.behind = Number(m[2]);
      }
    } else if (f.startsWith("1 ")) {
      state.modified++;
      state.changes.push({ xy: shortXy(f.slice(2, 4)), path: nthRest(f, 8) });
    } else if (f.startsWith("2 ")) {
      // A rename or copy: the original path follows as its own NUL-terminated field.
      state.modified++;
      const orig = fields[++i] ?? "";
      state.changes.push({ xy: shortXy(f.slice(2, 4)), path: `${orig} -> ${nthRest(f, 9)}` });
    } else if (f.startsWith("u ")) {
      state.modified++;
      state.changes.push({ xy: f.slice(2, 4), path: nthRest(f, 10) });
    } else if (f.startsWith("? ")) {
      state.untracked++;
      untracked.push({ xy: "??", path: f.slice(2) });
    }
  }
  state.changes.push(...untracked);
  return state;
}

/** v2 writes `.` for "unchanged"; the short format (and users) expect a space. */
function shortXy(xy: string): string {
  return xy.replaceAll(".", " ");
}

/** The rest of `line` after its first `n` space-separated fields (a path may contain spaces). */
function nthRest(line: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) {
    at = line.indexOf(" ", at) + 1;
    if (at === 0) return "";
  }
  return line.slice(at);
}

/** The ref files could not tell (a loose annotated tag, an odd repository layout): ask git. */
const UNKNOWN = Symbol("unknown");

/**
 * The tag pointing at `commit`, from `.git/packed-refs` and `.git/refs/tags/`;
 * undefined when there is none, {@link UNKNOWN} when only git can tell (several
 * candidates, whose order git decides, count as unknown too). Synchronous: a few tiny
 * reads per package, where async calls cost more than the reads; only regular files
 * are read (a FIFO would block).
 */
function tagFromRefs(gitDir: string, commit: string): string | undefined | typeof UNKNOWN {
  const st = lstatSyncOrUndefined(gitDir);
  // A `.git` file (worktree, submodule) or reftable: let git resolve it.
  if (!st?.isDirectory) return UNKNOWN;
  if (lstatSyncOrUndefined(join(gitDir, "reftable"))) return UNKNOWN;
  /** Tag name → peeled commit, or null when the target may be an annotated tag object. */
  const tags = new Map<string, string | null>();
  const packed = readRegular(join(gitDir, "packed-refs"));
  if (packed?.length) {
    const lines = new TextDecoder().decode(packed).split("\n");
    // Without "fully-peeled", an unpeeled entry may still be an annotated tag.
    const fullyPeeled = /^# pack-refs with:.*\bfully-peeled\b/.test(lines[0] ?? "");
    let last: string | undefined;
    for (const line of lines) {
      if (line.startsWith("^")) {
        if (last) tags.set(last, line.slice(1).trim());
        continue;
      }
      last = undefined;
      const m = /^([0-9a-f]{40,64}) refs\/tags\/(.+)$/.exec(line.trim());
      if (m) {
        last = m[2];
        tags.set(m[2], fullyPeeled ? m[1] : null);
      }
    }
  }
  for (const [name, sha] of looseTags(join(gitDir, "refs", "tags"), "")) {
    tags.set(name, sha === commit ? sha : peelLoose(gitDir, sha));
  }
  const hits: string[] = [];
  for (const [name, peeled] of tags) {
    if (peeled === null) return UNKNOWN;
    if (peeled === commit) hits.push(name);
  }
  if (hits.length > 1) return UNKNOWN;
  return hits[0];
}

/**
 * The commit a loose ref target names: itself for a commit, the tagged commit for
 * an annotated tag; null when the object is packed (or anything unusual).
 */
function peelLoose(gitDir: string, sha: string): string | null {
  const data = readRegular(join(gitDir, "objects", sha.slice(0, 2), sha.slice(2)));
  if (!data) return null;
  let text: string;
  try {
    // Objects are small here (a commit or a tag), so inflating the whole file is cheap.
    text = new TextDecoder().decode(inflateSync(data).subarray(0, 200));
  } catch {
    return null;
  }
  if (text.startsWith("commit ")) return sha;
  const m = /^tag \d+\0object ([0-9a-f]{40,64})\ntype commit\n/.exec(text);
  return m ? m[1] : null;
}

/** Loose tag refs under `dir` (name → sha), recursively (`refs/tags/release/v1`). */
function looseTags(dir: string, prefix: string): Map<string, string> {
  const found = new Map<string, string>();
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return found;
  }
  for (const e of entries) {
    const name = prefix + e.name;
    if (e.isDirectory) {
      for (const [n, s] of looseTags(join(dir, e.name), `${name}/`)) found.set(n, s);
    } else {
      const data = readRegular(join(dir, e.name));
      const sha = data ? new TextDecoder().decode(data).trim() : "";
      if (sha) found.set(name, sha);
    }
  }
  return found;
}

/** The bytes of `path` when it is a regular file; undefined otherwise (absent, a FIFO, a device). */
function readRegular(path: string): Uint8Array | undefined {
  const bytes = readRegularFileSync(path);
  return bytes instanceof Uint8Array ? bytes : undefined;
}
