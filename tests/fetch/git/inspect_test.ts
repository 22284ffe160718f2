import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { IvpmError } from "../../../core/base/errors.ts";
import { cloneRepo } from "../../../core/fetch/git/clone.ts";
import {
  currentBranch,
  exactTag,
  fastForward,
  headCommit,
  isDirty,
  remoteUrl,
  resolveRemoteRef,
  workingStatus,
} from "../../../core/fetch/git/inspect.ts";
import { addCommit, fixtureGit, makeRepo } from "../../_helpers/git_fixture.ts";
import { withTempDir, writeTree } from "../../_helpers/temp.ts";

Deno.test("resolveRemoteRef resolves HEAD, branches, tags and peels annotated tags", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", {
      files: { "a.txt": "x" },
      branches: { dev: { "a.txt": "dev" } },
      tags: ["light"],
      annotatedTags: ["v1.0"],
      commits: 2,
    });
    equal(await resolveRemoteRef(repo.url), repo.head);
    equal(await resolveRemoteRef(repo.url, "main"), repo.head);
    equal(await resolveRemoteRef(repo.url, "dev"), repo.branchHeads.dev);
    equal(await resolveRemoteRef(repo.url, "refs/heads/dev"), repo.branchHeads.dev);
    equal(await resolveRemoteRef(repo.url, "light"), repo.first);
    const tagObject = await fixtureGit(repo.path, "rev-parse", "v1.0");
    ok(tagObject !== repo.first, "an annotated tag is its own object");
    equal(await resolveRemoteRef(repo.url, "v1.0"), repo.first);
    equal(await resolveRemoteRef(repo.url, "refs/tags/v1.0"), repo.first);
  }));

Deno.test("resolveRemoteRef prefers the branch when a tag has the same name, unless asked for the tag", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", {
      files: { "a.txt": "x" },
      tags: ["same"],
      branches: { same: {} },
    });
    equal(await resolveRemoteRef(repo.url, "same"), repo.branchHeads.same);
    equal(await resolveRemoteRef(repo.url, "same", { kind: "tag" }), repo.first);
    await rejects(resolveRemoteRef(repo.url, "light", { kind: "branch" }), /branch 'light' not found/);
  }));

Deno.test("resolveRemoteRef names the URL and ref when the ref is missing", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" } });
    await rejects(resolveRemoteRef(repo.url, "nope"), (e: unknown) => {
      ok(e instanceof IvpmError);
      equal(e.message, `ref 'nope' not found in ${repo.url}`);
      match(e.hint ?? "", /ls-remote/);
      return true;
    });
  }));

Deno.test("resolveRemoteRef returns a full sha without asking the remote", async () => {
  const sha = "0123456789ABCDEF0123456789abcdef01234567";
  equal(await resolveRemoteRef("file:///does/not/exist.git", sha), sha.toLowerCase());
});

Deno.test("headCommit, currentBranch and exactTag describe a checkout", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" }, annotatedTags: ["v1"], commits: 2 });
    equal(await headCommit(repo.path), repo.head);
    equal(await currentBranch(repo.path), "main");
    equal(await exactTag(repo.path), undefined);
    await fixtureGit(repo.path, "checkout", "-q", "--detach", "v1");
    equal(await headCommit(repo.path), repo.first);
    equal(await currentBranch(repo.path), undefined);
    equal(await exactTag(repo.path), "v1");
    await rejects(
      exactTag(root),
      (e: unknown) => e instanceof IvpmError && /not a git repository/.test(e.message),
    );
    await rejects(currentBranch(root), IvpmError);
  }));

Deno.test("remoteUrl reads origin, and is undefined without one", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "x" } });
    await cloneRepo({ url: repo.url }, `${root}/c`);
    equal(await remoteUrl(`${root}/c`), repo.url);
    await fixtureGit(repo.path, "remote", "remove", "origin");
    equal(await remoteUrl(repo.path), undefined);
  }));

Deno.test("fastForward brings a clean checkout to origin's tip, then reports nothing to do", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url, branch: "main" }, co);
    const next = await addCommit(repo.path, { "a.txt": "v2" }, { push: true });
    deepEqual(await fastForward(co, { branch: "main" }), { before: repo.head, after: next, updated: true });
    equal(await Deno.readTextFile(`${co}/a.txt`), "v2");
    deepEqual(await fastForward(co, { branch: "main" }), { before: next, after: next, updated: false });
  }));

Deno.test("fastForward leaves a checkout that is only ahead alone", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url }, co);
    const local = await addCommit(co, { "b.txt": "mine" });
    deepEqual(await fastForward(co, { branch: "main" }), { before: local, after: local, updated: false });
  }));

Deno.test("fastForward refuses a diverged checkout and points at sync or --force", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url }, co);
    const local = await addCommit(co, { "b.txt": "mine" });
    await addCommit(repo.path, { "a.txt": "theirs" }, { push: true });
    await rejects(fastForward(co, { branch: "main" }), (e: unknown) => {
      ok(e instanceof IvpmError);
      match(e.message, /has diverged from origin\/main/);
      match(e.hint ?? "", /ivpm sync/);
      match(e.hint ?? "", /--force/);
      return true;
    });
    equal(await headCommit(co), local, "nothing was changed");
  }));

Deno.test("fastForward refuses to overwrite local changes", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url }, co);
    await writeTree(co, { "a.txt": "edited" });
    await addCommit(repo.path, { "a.txt": "v2" }, { push: true });
    await rejects(fastForward(co, { branch: "main" }), /local changes in .* would be overwritten/);
    equal(await Deno.readTextFile(`${co}/a.txt`), "edited");
  }));

Deno.test("fastForward reports a branch origin does not have", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    await cloneRepo({ url: repo.url }, `${root}/co`);
    await rejects(fastForward(`${root}/co`, { branch: "gone" }), /branch 'gone' not found on origin/);
  }));

Deno.test("isDirty counts modified and staged tracked files but not untracked ones", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1", "b.txt": "b" } });
    equal(await isDirty(repo.path), false);
    await writeTree(repo.path, { "new.txt": "untracked" });
    equal(await isDirty(repo.path), false);
    await writeTree(repo.path, { "a.txt": "changed" });
    equal(await isDirty(repo.path), true);
    await fixtureGit(repo.path, "checkout", "--", "a.txt");
    await fixtureGit(repo.path, "rm", "-q", "--cached", "b.txt");
    equal(await isDirty(repo.path), true);
  }));

Deno.test("workingStatus reports a clean checkout in sync with its upstream", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    await cloneRepo({ url: repo.url }, `${root}/co`);
    deepEqual(await workingStatus(`${root}/co`), {
      branch: "main",
      commit: repo.head,
      modified: 0,
      untracked: 0,
      ahead: 0,
      behind: 0,
    });
  }));

Deno.test("workingStatus counts modified and untracked files", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1", "b.txt": "b", "c.txt": "c" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url }, co);
    await writeTree(co, {
      "a.txt": "x",
      "b.txt": "y",
      "new1.txt": "n",
      "dir/new2.txt": "n",
      "dir/new3.txt": "n",
    });
    await fixtureGit(co, "mv", "c.txt", "renamed.txt");
    const st = await workingStatus(co);
    equal(st.modified, 3);
    equal(st.untracked, 2, "an untracked directory counts once");
  }));

Deno.test("workingStatus reports commits ahead of and behind the fetched upstream", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    const co = `${root}/co`;
    await cloneRepo({ url: repo.url }, co);
    await addCommit(co, { "mine.txt": "1" });
    await addCommit(co, { "mine.txt": "2" });
    await addCommit(repo.path, { "theirs.txt": "1" }, { push: true });
    let st = await workingStatus(co);
    equal(st.ahead, 2);
    equal(st.behind, 0, "nothing fetched yet");
    await fixtureGit(co, "fetch", "-q", "origin");
    st = await workingStatus(co);
    equal(st.ahead, 2);
    equal(st.behind, 1);
  }));

Deno.test("workingStatus of a detached tag checkout has a tag, no branch and no upstream", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" }, tags: ["v1"], commits: 2 });
    await cloneRepo({ url: repo.url, tag: "v1" }, `${root}/co`);
    deepEqual(await workingStatus(`${root}/co`), {
      tag: "v1",
      commit: repo.first,
      modified: 0,
      untracked: 0,
    });
  }));

Deno.test("workingStatus has no ahead/behind on a branch without upstream", () =>
  withTempDir("ivpm-git-inspect-", async (root) => {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "v1" } });
    await fixtureGit(repo.path, "checkout", "-q", "-b", "local-only");
    const st = await workingStatus(repo.path);
    equal(st.branch, "local-only");
    equal(st.ahead, undefined);
    equal(st.behind, undefined);
  }));
