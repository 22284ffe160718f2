/**
 * `ivpm snapshot DIR`: a self-contained copy of a workspace at its locked
 * revisions, restorable with no network.
 *
 * Layout of `DIR`:
 * - the project's files (git-known files of a git project, else every file; no deps dir);
 * - `packages/<name>` for every package with a directory: git packages as real
 *   clones at the locked commit (with history), others as copies;
 * - `.ivpm-snapshot/repos/<name>.git`: a bare repository per git package (see git_bundle.ts);
 * - `.ivpm-snapshot/files/<name>.tar.gz`: each non-git package packed (a single-file
 *   package is kept as the file itself);
 * - `packages/package-lock.json`: the workspace's lock with git URLs rewritten to
 *   `file://` URLs of the bundles and non-git packages turned into `src: http`
 *   entries with `file://` URLs and sha256s, so `ivpm update --lock-file
 *   packages/package-lock.json` rebuilds every package from the snapshot alone;
 * - `ivpm-snapshot.json`: the manifest (where each package came from).
 *
 * The snapshot is built in a sibling temp directory and renamed into place, so a
 * failed run leaves nothing half-written. The `file://` URLs are absolute: to move
 * a snapshot, snapshot the snapshot (`ivpm snapshot NEW -p OLD`), which needs no
 * network either.
 *
 * @module
 */

import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { IvpmError } from "../../base/errors.ts";
import { lockChecksum, type LockEntry, type LockFile, writeLock } from "../../update/lock/lock_file.ts";
import { pythonUtcNow } from "../../update/lock/json.ts";
import { isVirtualSource, openWorkspace } from "../status/workspace.ts";
import { readGitState } from "../status/git_state.ts";
import { readProjectState, STATE_FILE } from "../../update/project_state.ts";
import { copyTree, lstatOrUndefined, removeTree, writeFileAtomic } from "../../util/fs.ts";
import { segmentProblem } from "../../util/path.ts";
import { mapPool } from "../../util/pool.ts";
import { VERSION } from "../../base/version.ts";
import { bundleGitPackage, checkoutFromBundle } from "./git_bundle.ts";
import { copyProjectFiles, type ProjectGitInfo } from "./project_files.ts";
import { fileSha256, packTree } from "./tar_pack.ts";

/** Directory of the snapshot's bundles, relative to its root. */
export const SNAPSHOT_DATA_DIR = ".ivpm-snapshot";
/** The manifest's file name. */
export const SNAPSHOT_MANIFEST = "ivpm-snapshot.json";

/** Options of {@link createSnapshot}. */
export interface SnapshotOptions {
  projectDir: string;
  /** The snapshot directory (must not exist, or be empty). */
  dest: string;
  /** `-r`: the workspace must have been updated with the release dep-set. */
  releaseDeps?: boolean;
  /** Packages processed at once (default: cores). */
  jobs?: number;
  /** Receives warnings (uncommitted changes left out, submodules not filled). */
  warn?: (message: string) => void;
}

/** How one package is held in the snapshot (a manifest entry). */
export interface SnapshotPackage {
  /** `src` in the workspace's lock. */
  src: string;
  /** `git` bundle, `archive` (tar.gz or the single file), or `none` (installed by a handler, e.g. pypi). */
  kind: "git" | "archive" | "none";
  /** Bundle path relative to the snapshot root. */
  bundle?: string;
  /** Locked commit (git). */
  commit?: string;
  /** Branch the bundle's HEAD is on (git). */
  branch?: string;
  /** URL in the workspace's lock. */
  original_url?: string;
  /** sha256 of the archive. */
  sha256?: string;
  /** The workspace's lock entry, when the snapshot's entry replaces it (archives). */
  original_entry?: LockEntry;
}

/** The manifest `ivpm-snapshot.json`. */
export interface SnapshotManifest {
  ivpm_snapshot_version: 1;
  created: string;
  ivpm_version: string;
  /** Absolute path of the snapshot when it was made (the lock's file:// URLs point below it). */
  root: string;
  /** The project it was made from. */
  source_project: string;
  project: { name: string; files: number; git?: ProjectGitInfo };
  dep_set: string | null;
  /** The lock to restore from, relative to the snapshot root. */
  lock: string;
  packages: Record<string, SnapshotPackage>;
}

/** What a snapshot run produced. */
export interface SnapshotResult {
  dest: string;
  manifest: SnapshotManifest;
  warnings: string[];
}

/** Creates a snapshot of the project at `opts.projectDir` in `opts.dest`. */
export async function createSnapshot(opts: SnapshotOptions): Promise<SnapshotResult> {
  const ws = await openWorkspace(opts.projectDir);
  // Checked (and written) where it really is: a linked parent directory must not lead into the deps dir.
  const dest = await realLocation(resolve(opts.dest));
  const realProject = await realLocation(ws.projectDir);
  await checkDest(dest, realProject, await realLocation(ws.depsDir));
  const state = await readProjectState(ws.depsDir);
  const depSet = typeof state["dep-set"] === "string" ? state["dep-set"] : null;
  if (opts.releaseDeps) checkReleaseDepSet(ws.config.depSets.map((d) => d.name), depSet);
  const missing = await missingPackages(ws.lock, ws.depsDir);
  if (missing.length) {
    throw new IvpmError(
      `cannot snapshot: not in ${relative(ws.projectDir, ws.depsDir)}/: ${missing.join(", ")}`,
      {
        hint: "run 'ivpm update' first",
      },
    );
  }

  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.warn?.(m);
  };
  const work = join(dirname(dest), `.${basename(dest)}.ivpm-partial-${crypto.randomUUID().slice(0, 8)}`);
  try {
    await Deno.mkdir(work, { recursive: true });
    const relDeps = relative(ws.projectDir, ws.depsDir);
    const exclude = [relDeps];
    // A snapshot made inside the project must not copy itself (nor its temp directory).
    for (const dir of [dest, work]) {
      const r = relative(realProject, dir);
      if (r && !r.startsWith("..") && !r.startsWith(sep)) exclude.push(r);
    }
    const project = await copyProjectFiles(ws.projectDir, work, exclude);
    if (project.git?.dirty) {
      warn("the project has uncommitted changes; the snapshot holds its files as they are now");
    }

    const names = Object.keys(ws.lock.packages).sort();
    const entries: Record<string, LockEntry> = {};
    const manifestPackages: Record<string, SnapshotPackage> = {};
    const snapDeps = join(work, relDeps);
    await Deno.mkdir(snapDeps, { recursive: true });
    await mapPool(names, opts.jobs || navigator.hardwareConcurrency || 4, async (name) => {
      const entry = ws.lock.packages[name];
      const r = await snapshotPackage(name, entry, {
        source: join(ws.depsDir, name),
        work,
        dest,
        snapDeps,
        projectDir: ws.projectDir,
        warn,
      });
      entries[name] = r.entry;
      manifestPackages[name] = r.manifest;
    });

    const packages = Object.fromEntries(names.map((n) => [n, entries[n]]));
    const lock: LockFile = { ...structuredClone(ws.lock), packages, generated: pythonUtcNow() };
    lock.sha256 = lockChecksum(lock);
    await writeLock(snapDeps, lock);
    const stateFile = join(ws.depsDir, STATE_FILE);
    if (await lstatOrUndefined(stateFile)) await Deno.copyFile(stateFile, join(snapDeps, STATE_FILE));
    const manifest: SnapshotManifest = {
      ivpm_snapshot_version: 1,
      created: new Date().toISOString(),
      ivpm_version: VERSION,
      root: dest,
      source_project: ws.projectDir,
      project: { name: ws.config.name, files: project.files, ...(project.git ? { git: project.git } : {}) },
      dep_set: depSet,
      lock: join(relDeps, "package-lock.json"),
      packages: Object.fromEntries(names.map((n) => [n, manifestPackages[n]])),
    };
    await writeFileAtomic(join(work, SNAPSHOT_MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    // An empty destination is replaced; checkDest made sure it is empty.
    if (await lstatOrUndefined(dest)) await Deno.remove(dest);
    await Deno.rename(work, dest);
    return { dest, manifest, warnings };
  } catch (e) {
    await removeTree(work).catch(() => {});
    throw e;
  }
}

interface PackageContext {
  /** `packages/<name>` of the workspace. */
  source: string;
  /** Where the snapshot is being built. */
  work: string;
  /** Where it will be (the lock's URLs name this). */
  dest: string;
  /** The snapshot's deps dir (inside `work`). */
  snapDeps: string;
  projectDir: string;
  warn(message: string): void;
}

/** Puts one package into the snapshot; returns its snapshot lock entry and manifest entry. */
async function snapshotPackage(
  name: string,
  entry: LockEntry,
  ctx: PackageContext,
): Promise<{ entry: LockEntry; manifest: SnapshotPackage }> {
  const label = relative(ctx.projectDir, ctx.source);
  // Taken from a deps-source or not: the snapshot holds its own copy.
  const { from_deps_source: _fromDepsSource, ...kept } = entry;
  if (isVirtualSource(entry.src)) {
    return { entry: kept as LockEntry, manifest: { src: entry.src, kind: "none" } };
  }
  const target = join(ctx.snapDeps, name);
  await Deno.mkdir(dirname(target), { recursive: true });

  if (entry.src === "git") {
    const commit = typeof entry.commit_resolved === "string" ? entry.commit_resolved : undefined;
    if (!commit) {
      throw new IvpmError(`${label}: the lock records no commit (commit_resolved)`, {
        hint: "run 'ivpm update'",
      });
    }
    const state = await readGitState(ctx.source);
    if (state.commit !== commit) {
      ctx.warn(
        `${label} is at ${state.commit.slice(0, 7)}, not at its locked commit ${
          commit.slice(0, 7)
        }; the snapshot holds the locked commit (run 'ivpm sync' first to record it)`,
      );
    } else if (state.modified > 0 || state.untracked > 0) {
      ctx.warn(`${label} has uncommitted changes; the snapshot holds its locked commit only`);
    }
    const lockBranch = typeof entry.branch === "string" && entry.branch ? entry.branch : undefined;
    // Tag and commit pins stay detached, as update leaves them.
    const branch = lockBranch ?? (entry.tag || entry.commit_requested ? undefined : state.branch);
    const bundleRel = join(SNAPSHOT_DATA_DIR, "repos", `${name}.git`);
    const bare = join(ctx.work, bundleRel);
    await Deno.mkdir(dirname(bare), { recursive: true });
    await bundleGitPackage(ctx.source, bare, commit, branch, label);
    const url = pathToFileURL(join(ctx.dest, bundleRel)).href;
    const original = typeof entry.url === "string" ? entry.url : undefined;
    const warnings = await checkoutFromBundle(bare, target, {
      commit,
      branch,
      originUrl: url,
      upstreamUrl: original,
      source: ctx.source,
    });
    for (const w of warnings) ctx.warn(`${label}: ${w}`);
    return {
      entry: { ...kept, url, commit_resolved: commit } as LockEntry,
      manifest: {
        src: "git",
        kind: "git",
        bundle: bundleRel,
        commit,
        ...(branch ? { branch } : {}),
        ...(original ? { original_url: original } : {}),
      },
    };
  }

  // Everything else with a directory (dir, http, gh-rls, url, plugin sources): packed as an archive that
  // `src: http` unpacks again from a file:// URL, sha256 checked.
  const st = await Deno.stat(ctx.source);
  const base = { src: "http", resolved_by: entry.resolved_by, dep_set: entry.dep_set, reproducible: true };
  const manifest: SnapshotPackage = {
    src: entry.src,
    kind: "archive",
    original_entry: entry,
    ...(typeof entry.url === "string" ? { original_url: entry.url } : {}),
  };
  if (st.isFile) {
    // A package kept as a single file (unpack: false): stored and restored as that file.
    // The lock's URL is untrusted: its last segment names the file only when it is a plain name.
    const fromUrl = basename(typeof entry.url === "string" ? entry.url.replace(/[?#].*$/, "") : name);
    const file = segmentProblem(fromUrl) || fromUrl.startsWith(".") ? basename(name) : fromUrl;
    const bundleRel = join(SNAPSHOT_DATA_DIR, "files", name, file);
    await Deno.mkdir(dirname(join(ctx.work, bundleRel)), { recursive: true });
    await Deno.copyFile(ctx.source, join(ctx.work, bundleRel));
    await Deno.copyFile(ctx.source, target);
    const sha256 = await fileSha256(ctx.source);
    return {
      entry: archiveEntry(base, pathToFileURL(join(ctx.dest, bundleRel)).href, sha256, false),
      manifest: { ...manifest, bundle: bundleRel, sha256 },
    };
  }
  const bundleRel = join(SNAPSHOT_DATA_DIR, "files", `${name}.tar.gz`);
  const packed = await packTree(ctx.source, join(ctx.work, bundleRel), basename(name));
  for (const s of packed.skipped) ctx.warn(`${label}: dangling symlink ${s} left out`);
  await copyTree(await Deno.realPath(ctx.source), target);
  return {
    entry: archiveEntry(base, pathToFileURL(join(ctx.dest, bundleRel)).href, packed.sha256, null),
    manifest: { ...manifest, bundle: bundleRel, sha256: packed.sha256 },
  };
}

/** A `src: http` lock entry whose spec fields match what update rebuilds from it (so it counts as up to date). */
function archiveEntry(
  base: Pick<LockEntry, "src" | "resolved_by" | "dep_set" | "reproducible">,
  url: string,
  sha256: string,
  unpack: boolean | null,
): LockEntry {
  return {
    ...base,
    url,
    sha256,
    sha256_requested: sha256,
    unpack,
    cache: null,
    etag: null,
    last_modified: null,
  };
}

/** Packages the lock says have a directory but which are not there. */
async function missingPackages(lock: LockFile, depsDir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(lock.packages)) {
    if (isVirtualSource(entry.src)) continue;
    const path = join(depsDir, name);
    // stat, not lstat: a dangling link to a removed cache entry is missing too.
    const st = await Deno.stat(path).catch(() => undefined);
    if (!st || (entry.src === "git" && !(await lstatOrUndefined(join(path, ".git"))))) missing.push(name);
  }
  return missing.sort();
}

/**
 * `path` with the symlinks of its existing part resolved: the real path of its nearest
 * existing ancestor plus the rest. A symlink at `path` itself is kept (checkDest refuses it).
 */
async function realLocation(path: string): Promise<string> {
  const rest: string[] = [];
  let cur = path;
  for (;;) {
    const st = await lstatOrUndefined(cur);
    if (st && (rest.length > 0 || !st.isSymlink)) {
      try {
        return join(await Deno.realPath(cur), ...rest.reverse());
      } catch {
        return path; // unreadable ancestor: the writes below fail with a disk error naming it
      }
    }
    const parent = dirname(cur);
    if (parent === cur) return path;
    rest.push(basename(cur));
    cur = parent;
  }
}

/** Refuses a non-empty destination, the project itself, and anything inside the deps dir. */
async function checkDest(dest: string, projectDir: string, depsDir: string): Promise<void> {
  const inside = (dir: string) => {
    const r = relative(dir, dest);
    return r === "" || (!r.startsWith("..") && !r.startsWith(sep));
  };
  if (relative(projectDir, dest) === "" || inside(depsDir)) {
    throw new IvpmError(`snapshot directory ${dest} cannot be the project or inside its deps dir`, {
      hint: "choose a directory outside the project (or a new sub-directory of it)",
    });
  }
  const st = await lstatOrUndefined(dest);
  if (!st) return;
  if (!st.isDirectory) {
    throw new IvpmError(`snapshot directory ${dest} exists and is not a directory`, {
      hint: "remove it or choose another directory",
    });
  }
  for await (const _ of Deno.readDir(dest)) {
    throw new IvpmError(`snapshot directory ${dest} already exists and is not empty`, {
      hint: "remove it or choose another directory",
    });
  }
}

/**
 * `-r`: the release dep-set is `default` when the project has one, else the
 * first dep-set whose name does not end in `-dev`; the workspace must have
 * been updated with it.
 */
function checkReleaseDepSet(declared: string[], used: string | null): void {
  const release = declared.includes("default") ? "default" : declared.find((d) => !d.endsWith("-dev"));
  if (!release) {
    throw new IvpmError("-r: the project has no release dep-set (every dep-set name ends in -dev)", {
      hint: "drop -r to snapshot the workspace as it is",
    });
  }
  if (used !== release) {
    throw new IvpmError(
      `-r: the workspace was updated with dep-set '${used ?? "none"}', not the release dep-set '${release}'`,
      { hint: `run 'ivpm update -d ${release}' first, or drop -r to snapshot the workspace as it is` },
    );
  }
}
