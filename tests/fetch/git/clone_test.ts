import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { IvpmError } from "../../../core/base/errors.ts";
import { cloneRepo } from "../../../core/fetch/git/clone.ts";
import { addCommit, fixtureGit, makeRepo, makeSubmoduleRepo } from "../../_helpers/git_fixture.ts";
import { exists, withTempDir } from "../../_helpers/temp.ts";

const read = (path: string) => Deno.readTextFile(path);

Deno.test("clones the default branch and reports its name and tip", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "a" }, commits: 3 });
    const res = await cloneRepo({ url: repo.url }, `${root}/out`);
    deepEqual(res, { commit: repo.head, branch: "main" });
    equal(await read(`${root}/out/commit.txt`), "3\n");
  }));

Deno.test("clones a named branch with its content", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", {
      files: { "a.txt": "main" },
      branches: { dev: { "a.txt": "dev" } },
    });
    const res = await cloneRepo({ url: repo.url, branch: "dev", depth: 1 }, `${root}/out`);
    deepEqual(res, { commit: repo.branchHeads.dev, branch: "dev" });
    equal(await read(`${root}/out/a.txt`), "dev");
    equal(await fixtureGit(`${root}/out`, "rev-parse", "--abbrev-ref", "HEAD"), "dev");
  }));

Deno.test("checks out a lightweight tag's content, not main's", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" }, tags: ["v1.0"], commits: 2 });
    const res = await cloneRepo({ url: repo.url, tag: "v1.0" }, `${root}/out`);
    deepEqual(res, { commit: repo.first, branch: undefined });
    ok(!await exists(`${root}/out/commit.txt`), "main's second commit must not be checked out");
    equal(await fixtureGit(`${root}/out`, "describe", "--tags", "--exact-match"), "v1.0");
  }));

Deno.test("checks out an annotated tag as its commit, shallow too", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, annotatedTags: ["v2"], commits: 3 });
    const res = await cloneRepo({ url: repo.url, tag: "v2", depth: 1 }, `${root}/out`);
    equal(res.commit, repo.first);
    ok(!await exists(`${root}/out/commit.txt`));
    equal(await fixtureGit(`${root}/out`, "rev-list", "--count", "HEAD"), "1");
  }));

Deno.test("checks out a commit detached, with full history", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, commits: 4 });
    const res = await cloneRepo({ url: repo.url, commit: repo.mainCommits[1] }, `${root}/out`);
    deepEqual(res, { commit: repo.mainCommits[1], branch: undefined });
    equal(await read(`${root}/out/commit.txt`), "2\n");
    equal(await fixtureGit(`${root}/out`, "rev-parse", "--abbrev-ref", "HEAD"), "HEAD");
    equal(await fixtureGit(`${root}/out`, "status", "--porcelain"), "");
  }));

Deno.test("fetches a commit a shallow clone does not reach", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, commits: 4 });
    const res = await cloneRepo({ url: repo.url, commit: repo.mainCommits[1], depth: 1 }, `${root}/out`);
    equal(res.commit, repo.mainCommits[1]);
    equal(await read(`${root}/out/commit.txt`), "2\n");
    equal(await fixtureGit(`${root}/out`, "rev-parse", "--abbrev-ref", "HEAD"), "HEAD");
  }));

Deno.test("finds a short commit sha beyond a shallow clone by deepening", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, commits: 3 });
    const res = await cloneRepo({ url: repo.url, commit: repo.first.slice(0, 10), depth: 1 }, `${root}/out`);
    equal(res.commit, repo.first);
    ok(!await exists(`${root}/out/commit.txt`));
  }));

Deno.test("branch plus commit checks out the commit and keeps the branch for the lock", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", {
      files: { "a.txt": "main" },
      branches: { dev: { "a.txt": "dev" } },
    });
    const devTip = repo.branchHeads.dev;
    const devNext = await (async () => {
      await fixtureGit(repo.path, "checkout", "-q", "dev");
      const sha = await addCommit(repo.path, { "a.txt": "dev2" }, { push: true });
      await fixtureGit(repo.path, "checkout", "-q", "main");
      return sha;
    })();
    ok(devNext !== devTip);
    const res = await cloneRepo({ url: repo.url, branch: "dev", commit: devTip }, `${root}/out`);
    deepEqual(res, { commit: devTip, branch: "dev" });
    equal(await read(`${root}/out/a.txt`), "dev");
  }));

Deno.test("a commit that does not exist fails naming the commit and URL", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" } });
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await rejects(cloneRepo({ url: repo.url, commit: missing }, `${root}/out`), (e: unknown) => {
      ok(e instanceof IvpmError);
      equal(e.message, `commit '${missing}' not found in ${repo.url}`);
      return true;
    });
    ok(!await exists(`${root}/out`), "the failed clone is cleaned up");
  }));

Deno.test("a missing branch or tag fails naming what was asked for, with a hint to list them", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" } });
    await rejects(cloneRepo({ url: repo.url, branch: "nope" }, `${root}/out`), (e: unknown) => {
      ok(e instanceof IvpmError);
      equal(e.message, `branch nope not found in ${repo.url}`);
      match(e.hint ?? "", /git ls-remote --heads/);
      return true;
    });
    await rejects(cloneRepo({ url: repo.url, tag: "v9.9" }, `${root}/out`), (e: unknown) => {
      ok(e instanceof IvpmError);
      equal(e.message, `tag v9.9 not found in ${repo.url}`);
      match(e.hint ?? "", /git ls-remote --tags/);
      return true;
    });
  }));

Deno.test("refuses a destination that is not empty, and accepts an empty one", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" } });
    await Deno.mkdir(`${root}/full`);
    await Deno.writeTextFile(`${root}/full/keep.txt`, "mine");
    await rejects(cloneRepo({ url: repo.url }, `${root}/full`), /already exists and is not empty/);
    equal(await read(`${root}/full/keep.txt`), "mine");
    await Deno.mkdir(`${root}/empty`);
    equal((await cloneRepo({ url: repo.url }, `${root}/empty`)).commit, repo.head);
  }));

Deno.test("initialises nested submodules recursively, unless told not to", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const leaf = await makeRepo(root, "leaf", { files: { "leaf.txt": "leaf" } });
    const mid = await makeSubmoduleRepo(root, "mid", {
      files: { "mid.txt": "mid" },
      submodules: { "ext/leaf": leaf },
    });
    const top = await makeSubmoduleRepo(root, "top", {
      files: { "top.txt": "top" },
      submodules: { "ext/mid": mid },
    });
    const res = await cloneRepo({ url: top.url }, `${root}/out`);
    equal(res.commit, top.head);
    equal(await read(`${root}/out/ext/mid/mid.txt`), "mid");
    equal(await read(`${root}/out/ext/mid/ext/leaf/leaf.txt`), "leaf");

    await cloneRepo({ url: top.url, submodules: false }, `${root}/bare-out`);
    ok(!await exists(`${root}/bare-out/ext/mid/mid.txt`));
  }));

Deno.test("borrows objects from a reference repository and stays usable after it is deleted", () =>
  withTempDir("ivpm-git-clone-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, commits: 2 });
    await fixtureGit(root, "clone", "-q", "--bare", repo.bare, `${root}/cache.git`);
    const res = await cloneRepo({ url: repo.url }, `${root}/out`, { reference: `${root}/cache.git` });
    equal(res.commit, repo.head);
    await Deno.remove(`${root}/cache.git`, { recursive: true });
    equal(await fixtureGit(`${root}/out`, "log", "--format=%H", "-1", repo.first), repo.first);
  }));
