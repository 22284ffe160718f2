/**
 * A local commit held only by a local, never-pushed tag is unsaved work: a tag change keeps the
 * checkout (with the local-work warning) instead of discarding the commit. A commit on a tag the
 * remote has (fetched by ivpm's clone) is saved, and the checkout is replaced without a word.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fetchedTagObjects } from "../../core/fetch/git/fetched_tags.ts";
import { addCommit, fixtureGit, makeRepo } from "../_helpers/git_fixture.ts";
import { readLockJson, tempRoot, updateRecorded, writeProjectDeps } from "../_helpers/update_project.ts";

async function warningsOf(project: string, opts: { force?: boolean } = {}): Promise<string[]> {
  const { rec } = await updateRecorded(project, opts);
  return rec.messages("warning");
}

Deno.test("safety: a local commit on a local tag only is kept when the dependency's tag changes", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "libA", { files: { "a.txt": "v1" }, tags: ["v1", "v2"] });
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "libA", url: repo.url, tag: "v1" }]);
    await updateRecorded(project);
    const pkg = join(project, "packages/libA");
    const mine = await addCommit(pkg, { "mine.txt": "work" }, { message: "my work" });
    await fixtureGit(pkg, "tag", "my-local-tag");

    await writeProjectDeps(project, [{ name: "libA", url: repo.url, tag: "v2" }]);
    const warnings = await warningsOf(project);
    const kept = warnings.find((m) => m.startsWith("packages/libA kept:"));
    assert.ok(kept, `no warning about libA in ${JSON.stringify(warnings)}`);
    assert.match(kept, /1 local commit not on any remote branch/);
    assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), mine, "the commit is still checked out");
    assert.equal((await readLockJson(project)).packages.libA.tag, "v1");

    // A checkout cloned by an older ivpm (no record of the fetched tags): the loose local tag still
    // saves nothing.
    await Deno.remove(join(pkg, ".git/ivpm-fetched-tags"));
    const again = await warningsOf(project);
    assert.ok(again.some((m) => m.startsWith("packages/libA kept:")), JSON.stringify(again));

    // --force discards it, and says so.
    const forced = await warningsOf(project, { force: true });
    assert.ok(
      forced.some((m) => /^packages\/libA: discarding 1 local commit/.test(m)),
      JSON.stringify(forced),
    );
    assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), repo.first);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety: a commit on a tag the remote has counts as saved when the dependency's tag changes", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "libA", { files: { "a.txt": "v1" }, tags: ["v1"] });
    // A release commit on no branch, held by a tag the remote has.
    await fixtureGit(repo.path, "checkout", "-q", "--detach");
    const release = await addCommit(repo.path, { "release.txt": "r" }, { message: "release" });
    await fixtureGit(repo.path, "tag", "rel");
    await fixtureGit(repo.path, "push", "-q", "origin", "rel");
    await fixtureGit(repo.path, "checkout", "-q", "main");

    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "libA", url: repo.url, tag: "rel" }]);
    await updateRecorded(project);
    const pkg = join(project, "packages/libA");
    assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), release);

    await writeProjectDeps(project, [{ name: "libA", url: repo.url, tag: "v1" }]);
    const warnings = await warningsOf(project);
    assert.deepEqual(warnings.filter((m) => m.includes("packages/libA")), []);
    assert.equal(await fixtureGit(pkg, "rev-parse", "HEAD"), repo.first);
    assert.equal((await readLockJson(project)).packages.libA.tag, "v1");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety: the fetched-tags record read back from .git passes only object names to git", async () => {
  const tmp = await tempRoot();
  try {
    const sha = "a".repeat(40);
    await Deno.mkdir(join(tmp.path, ".git"));
    await Deno.writeTextFile(
      join(tmp.path, ".git/ivpm-fetched-tags"),
      `${sha} refs/tags/ok\n--output=/tmp/x refs/tags/bad\n${"b".repeat(40)} refs/heads/main\n` +
        `${"c".repeat(40)} refs/tags/x y\n${"d".repeat(39)} refs/tags/short\n${
          "e".repeat(40)
        } refs/tags/\x07\n`,
    );
    assert.deepEqual(await fetchedTagObjects(tmp.path), [sha]);
  } finally {
    await tmp.dispose();
  }
});
