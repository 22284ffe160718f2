/**
 * Updated workspaces for `status`, `sync` and `snapshot` tests: real fixture
 * repositories (work repo + bare remote each), a project declaring them, and a
 * real `ivpm update` run (without handlers), so `packages/` holds genuine clones
 * and a lock.
 *
 * @module
 */

import { join } from "node:path";
import { runUpdate } from "../../core/update/update.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { addCommit, fixtureGit, type FixtureRepo, makeRepo, type RepoSpec } from "./git_fixture.ts";
import { type DepEntry, depSets, tempRoot, writeIvpmYaml } from "./update_project.ts";
import { NO_PY_INSTALL } from "./no_py_install.ts";

/** One dependency of the workspace. */
export interface WorkspaceDep {
  /** Repository content (a new repository named after the dependency) … */
  repo?: RepoSpec;
  /** … or the name of another dependency whose repository this one uses too. */
  sameRepoAs?: string;
  /** A ready repository (e.g. made by `makeSubmoduleRepo`). */
  fixture?: FixtureRepo;
  /** Extra keys of the ivpm.yaml entry (`tag`, `commit`, `branch`, `cache`, `src`, `url` …). */
  entry?: Record<string, unknown>;
}

/** A project updated from fixture repositories. */
export interface SyncWorkspace {
  /** Temp root holding everything. */
  root: string;
  /** The project directory. */
  project: string;
  /** Fixture repository of each git dependency, by dependency name. */
  repos: Record<string, FixtureRepo>;
  /** `packages/<name>` of the project. */
  pkg(name: string): string;
  /** Removes everything (read-only cache trees included). */
  dispose(): Promise<void>;
}

/** Identity for commits made inside package clones (merge commits need one). */
export async function setIdentity(repo: string): Promise<void> {
  await fixtureGit(repo, "config", "user.name", "ivpm test");
  await fixtureGit(repo, "config", "user.email", "test@ivpm.invalid");
}

/**
 * Creates repositories and a project declaring `deps` (in that order), runs
 * `ivpm update` (anonymous git; `cacheDir` null unless given) and gives every git
 * package clone a local committer identity.
 */
export async function makeSyncWorkspace(
  deps: Record<string, WorkspaceDep>,
  opts: { cacheDir?: string | null; prefix?: string; root?: { path: string; dispose(): Promise<void> } } = {},
): Promise<SyncWorkspace> {
  const tmp = opts.root ?? await tempRoot(opts.prefix ?? "ivpm-sync-");
  const root = tmp.path;
  const repos: Record<string, FixtureRepo> = {};
  const entries: DepEntry[] = [];
  for (const [name, dep] of Object.entries(deps)) {
    const repo = dep.fixture ??
      (dep.sameRepoAs
        ? repos[dep.sameRepoAs]
        : dep.repo
        ? await makeRepo(join(root, "repos"), name, dep.repo)
        : undefined);
    if (repo) repos[name] = repo;
    entries.push({ name, ...(repo ? { url: repo.url } : {}), ...(dep.entry ?? {}) });
  }
  const project = await writeIvpmYaml(join(root, "project"), {
    name: "project",
    "dep-sets": depSets({ default: entries }),
  });
  // No handlers: these tests are about packages/, and a pypi entry must not make the python handler install.
  await runUpdate({
    handlerArgs: NO_PY_INSTALL,
    projectDir: project,
    cacheDir: opts.cacheDir ?? null,
    anonymousGit: true,
    jobs: 4,
    handlers: new HandlerRegistry(),
  });
  const pkg = (name: string) => join(project, "packages", name);
  for (const name of Object.keys(repos)) {
    const st = await Deno.lstat(pkg(name)).catch(() => undefined);
    if (st?.isDirectory) await setIdentity(pkg(name));
  }
  return { root, project, repos, pkg, dispose: () => tmp.dispose() };
}

/** Commits `files` in the fixture's work repository and pushes them to its bare remote; returns the sha. */
export async function pushUpstream(repo: FixtureRepo, files: Record<string, string>): Promise<string> {
  return await addCommit(repo.path, files, { message: "upstream change", push: true });
}

/** Trimmed output of a git command in `dir` (fixture environment). */
export function gitIn(dir: string, ...args: string[]): Promise<string> {
  return fixtureGit(dir, ...args);
}
