import assert from "node:assert/strict";
import { join } from "node:path";
import { parsePorcelainV2, readGitState } from "../../../core/workspace/status/git_state.ts";
import { addCommit, fixtureGit, makeRepo } from "../../_helpers/git_fixture.ts";
import { tempRoot } from "../../_helpers/update_project.ts";

Deno.test("parses branch, upstream distance, renames, conflicts and untracked paths", () => {
  const text = [
    "# branch.oid 1111111111111111111111111111111111111111",
    "# branch.head feature",
    "# branch.upstream origin/feature",
    "# branch.ab +2 -3",
    "1 .M N... 100644 100644 100644 aaaa bbbb with space.txt",
    "2 R. N... 100644 100644 100644 aaaa bbbb R100 new name.txt",
    "old name.txt",
    "u UU N... 100644 100644 100644 100644 aaaa bbbb cccc clash.txt",
    "? untracked dir/",
    "",
  ].join("\0");
  assert.deepEqual(parsePorcelainV2(text), {
    commit: "1111111111111111111111111111111111111111",
    branch: "feature",
    upstream: "origin/feature",
    ahead: 2,
    behind: 3,
    modified: 3,
    untracked: 1,
    changes: [
      { xy: " M", path: "with space.txt" },
      { xy: "R ", path: "old name.txt -> new name.txt" },
      { xy: "UU", path: "clash.txt" },
      { xy: "??", path: "untracked dir/" },
    ],
  });
  const detached = parsePorcelainV2("# branch.oid (initial)\0# branch.head (detached)\0");
  assert.equal(detached.commit, "");
  assert.equal(detached.branch, undefined);
  assert.equal(detached.ahead, undefined);
});

Deno.test("finds the tag at HEAD from packed, loose lightweight and loose annotated refs", async () => {
  const tmp = await tempRoot("ivpm-gitstate-");
  try {
    const lib = await makeRepo(tmp.path, "lib", {
      files: { "a.txt": "1\n" },
      annotatedTags: ["v1"],
      commits: 2,
    });
    const clone = join(tmp.path, "clone");
    await fixtureGit(tmp.path, "clone", "-q", lib.url, clone);
    // Packed (a clone writes its tags into packed-refs, peeled): v1 is on the first commit, not HEAD.
    assert.equal((await readGitState(clone)).tag, undefined);
    await fixtureGit(clone, "checkout", "-q", "--detach", "v1");
    let s = await readGitState(clone);
    assert.equal(s.tag, "v1");
    assert.equal(s.branch, undefined);
    assert.equal(s.commit, lib.first);

    // Loose lightweight tag at HEAD.
    await fixtureGit(clone, "checkout", "-q", "main");
    await fixtureGit(clone, "tag", "light");
    s = await readGitState(clone);
    assert.equal(s.tag, "light");
    assert.equal(s.branch, "main");

    // A new commit; a loose annotated tag on it (its tag object is loose too).
    const next = await addCommit(clone, { "b.txt": "b\n" });
    await fixtureGit(clone, "tag", "-a", "rel/2.0", "-m", "release");
    s = await readGitState(clone);
    assert.equal(s.commit, next);
    assert.equal(s.tag, "rel/2.0");

    // Two tags on HEAD: git decides (annotated first), as `git describe` would.
    await fixtureGit(clone, "tag", "also-light");
    assert.equal((await readGitState(clone)).tag, "rel/2.0");

    // After packing, the same answers come from packed-refs.
    await fixtureGit(clone, "pack-refs", "--all");
    await fixtureGit(clone, "gc", "-q");
    assert.equal((await readGitState(clone)).tag, "rel/2.0");
    await fixtureGit(clone, "tag", "-d", "also-light");
    await fixtureGit(clone, "pack-refs", "--all");
    assert.equal((await readGitState(clone)).tag, "rel/2.0");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("reads a linked worktree (a .git file) through git", async () => {
  const tmp = await tempRoot("ivpm-gitstate-wt-");
  try {
    const lib = await makeRepo(tmp.path, "lib", { files: { "a.txt": "1\n" }, tags: ["v1"] });
    const wt = join(tmp.path, "wt");
    await fixtureGit(lib.path, "worktree", "add", "-q", "--detach", wt, "v1");
    await Deno.writeTextFile(join(wt, "a.txt"), "changed\n");
    const s = await readGitState(wt);
    assert.equal(s.tag, "v1");
    assert.equal(s.commit, lib.first);
    assert.equal(s.modified, 1);
    assert.deepEqual(s.changes, [{ xy: " M", path: "a.txt" }]);
  } finally {
    await tmp.dispose();
  }
});
