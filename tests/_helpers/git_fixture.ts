/**
 * Builds real git repositories in a temp dir for tests: a work repository with
 * commits, branches and tags, plus a bare clone serving as its remote (`url`).
 *
 * Git runs isolated from the user's configuration (no global/system config, a
 * fixed author), so a `commit.gpgsign` or hook on the developer's machine cannot
 * break the fixtures; nothing is written to any git config outside `root`.
 *
 * @module
 */

import { writeTree } from "./temp.ts";

/** Environment of every fixture git command. */
export const FIXTURE_GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: "ivpm test",
  GIT_AUTHOR_EMAIL: "test@ivpm.invalid",
  GIT_COMMITTER_NAME: "ivpm test",
  GIT_COMMITTER_EMAIL: "test@ivpm.invalid",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

/** Runs git for a fixture; throws with git's stderr on failure. Returns trimmed stdout. */
export async function fixtureGit(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", ...args],
    cwd,
    env: FIXTURE_GIT_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(`fixture: git ${args.join(" ")} failed in ${cwd}: ${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout).trim();
}

/** Content of a repository made by {@link makeRepo}. */
export interface RepoSpec {
  /** Files of the first commit on `main` (path → content; parent dirs are created). */
  files: Record<string, string>;
  /** Branches forked from the first commit, each with one commit adding/changing these files. */
  branches?: Record<string, Record<string, string>>;
  /** Lightweight tags on the first commit. */
  tags?: string[];
  /** Annotated tags on the first commit. */
  annotatedTags?: string[];
  /**
   * Total commits on `main` (default 1). Commits after the first write
   * `commit.txt` containing their number ("2", "3", …), so `main` differs from
   * the tags and from the first commit.
   */
  commits?: number;
}

/** A fixture repository. */
export interface FixtureRepo {
  /** The work repository (non-bare; its `origin` is the bare one). */
  path: string;
  /** The bare repository serving as the remote. */
  bare: string;
  /** `file://` URL of the bare repository. */
  url: string;
  /** Sha of `main`'s tip. */
  head: string;
  /** Sha of the first commit (where the tags and branches start). */
  first: string;
  /** Sha of every commit on `main`, oldest first. */
  mainCommits: string[];
  /** Tip sha of each extra branch. */
  branchHeads: Record<string, string>;
}

/**
 * Creates `root/<name>` (work repository) and `root/<name>.git` (bare remote),
 * the work repository's `origin` being the bare one.
 */
export async function makeRepo(root: string, name: string, spec: RepoSpec): Promise<FixtureRepo> {
  const path = `${root}/${name}`;
  await Deno.mkdir(path, { recursive: true });
  await fixtureGit(path, "init", "-q");
  const first = await addCommit(path, spec.files, { message: "initial" });
  for (const t of spec.tags ?? []) await fixtureGit(path, "tag", t);
  for (const t of spec.annotatedTags ?? []) await fixtureGit(path, "tag", "-a", t, "-m", `release ${t}`);
  const branchHeads: Record<string, string> = {};
  for (const [branch, files] of Object.entries(spec.branches ?? {})) {
    await fixtureGit(path, "checkout", "-q", "-b", branch, first);
    branchHeads[branch] = await addCommit(path, files, { message: `on ${branch}` });
  }
  if (spec.branches) await fixtureGit(path, "checkout", "-q", "main");
  const mainCommits = [first];
  for (let i = 2; i <= (spec.commits ?? 1); i++) {
    mainCommits.push(await addCommit(path, { "commit.txt": `${i}\n` }, { message: `commit ${i}` }));
  }
  return {
    ...await publish(root, name, path),
    head: mainCommits[mainCommits.length - 1],
    first,
    mainCommits,
    branchHeads,
  };
}

/** Makes the bare remote of a work repository and wires it as `origin`. */
async function publish(
  root: string,
  name: string,
  path: string,
): Promise<{ path: string; bare: string; url: string }> {
  const bare = `${root}/${name}.git`;
  await fixtureGit(root, "clone", "-q", "--bare", path, bare);
  await fixtureGit(path, "remote", "add", "origin", bare);
  await fixtureGit(path, "fetch", "-q", "origin");
  await fixtureGit(path, "branch", "-q", "--set-upstream-to=origin/main", "main");
  return { path, bare, url: `file://${bare}` };
}

/**
 * Writes `files` in `repoPath` and commits them (on the current branch).
 * With `push`, pushes the branch to `origin`. Returns the new commit's sha.
 */
export async function addCommit(
  repoPath: string,
  files: Record<string, string>,
  opts: { message?: string; push?: boolean } = {},
): Promise<string> {
  await writeTree(repoPath, files);
  await fixtureGit(repoPath, "add", "-A");
  await fixtureGit(repoPath, "commit", "-q", "--allow-empty", "-m", opts.message ?? "change");
  if (opts.push) await fixtureGit(repoPath, "push", "-q", "origin", "HEAD");
  return await fixtureGit(repoPath, "rev-parse", "HEAD");
}

/**
 * Creates a repository (work + bare, like {@link makeRepo}) whose single commit
 * holds `files` and the given submodules (mount path → fixture repo, added by its
 * `file://` URL). Submodules may themselves have submodules (nesting).
 */
export async function makeSubmoduleRepo(
  root: string,
  name: string,
  spec: { files: Record<string, string>; submodules: Record<string, FixtureRepo> },
): Promise<FixtureRepo> {
  const path = `${root}/${name}`;
  await Deno.mkdir(path, { recursive: true });
  await fixtureGit(path, "init", "-q");
  await writeTree(path, spec.files);
  for (const [mount, sub] of Object.entries(spec.submodules)) {
    await fixtureGit(path, "submodule", "add", "-q", sub.url, mount);
  }
  const first = await addCommit(path, {}, { message: "with submodules" });
  return { ...await publish(root, name, path), head: first, first, mainCommits: [first], branchHeads: {} };
}
