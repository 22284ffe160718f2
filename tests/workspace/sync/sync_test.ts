import assert from "node:assert/strict";
import { join } from "node:path";
import { runSync, type SyncReport } from "../../../core/workspace/sync/sync.ts";
import type { SyncResult } from "../../../core/workspace/sync/outcome.ts";
import { lockChecksum } from "../../../core/update/lock/lock_file.ts";
import { IvpmError } from "../../../core/base/errors.ts";
import { addCommit, makeRepo, makeSubmoduleRepo } from "../../_helpers/git_fixture.ts";
import { gitIn, makeSyncWorkspace, pushUpstream } from "../../_helpers/sync_workspace.ts";
import { exists, readLockJson, tempRoot } from "../../_helpers/update_project.ts";

function by(report: SyncReport): Record<string, SyncResult> {
  return Object.fromEntries(report.results.map((r) => [r.name, r]));
}

Deno.test("fast-forwards a package that is behind and records the new commit in the lock", async () => {
  const w = await makeSyncWorkspace({
    lib: { repo: { files: { "a.txt": "1\n" } } },
    other: { repo: { files: { "o.txt": "1\n" } } },
  });
  try {
    const before = await readLockJson(w.project);
    const tip = await pushUpstream(w.repos.lib, { "b.txt": "new\n" });
    const report = await runSync({ projectDir: w.project });
    const r = by(report);
    assert.equal(r.lib.outcome, "synced");
    assert.equal(r.lib.before, w.repos.lib.head);
    assert.equal(r.lib.after, tip);
    assert.equal(r.lib.behind, 1);
    assert.equal(r.lib.merged, false);
    assert.equal(r.other.outcome, "up-to-date");
    assert.equal(await gitIn(w.pkg("lib"), "rev-parse", "HEAD"), tip);
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "b.txt")), "new\n");
    assert.equal(report.lockUpdated, true);
    const after = await readLockJson(w.project);
    assert.equal(after.packages.lib.commit_resolved, tip);
    assert.equal(after.sha256, lockChecksum(after), "sha256 recomputed");
    // Everything but the synced commit and the timestamp is kept as it was.
    assert.deepEqual(
      {
        ...after,
        generated: "",
        sha256: "",
        packages: { ...after.packages, lib: { ...after.packages.lib, commit_resolved: "" } },
      },
      {
        ...before,
        generated: "",
        sha256: "",
        packages: { ...before.packages, lib: { ...before.packages.lib, commit_resolved: "" } },
      },
    );
    assert.notEqual(after.generated, before.generated);
  } finally {
    await w.dispose();
  }
});

Deno.test("reports up-to-date and ahead without touching either package", async () => {
  const w = await makeSyncWorkspace({
    same: { repo: { files: { "a.txt": "1\n" } } },
    mine: { repo: { files: { "a.txt": "1\n" } } },
  });
  try {
    const local = await addCommit(w.pkg("mine"), { "local.txt": "x\n" });
    const lockText = await Deno.readTextFile(join(w.project, "packages/package-lock.json"));
    const r = by(await runSync({ projectDir: w.project }));
    assert.equal(r.same.outcome, "up-to-date");
    assert.equal(r.same.upstream, "origin/main");
    assert.equal(r.mine.outcome, "ahead");
    assert.equal(r.mine.ahead, 1);
    assert.match(r.mine.reason ?? "", /1 local commit\(s\) not on origin\/main/);
    assert.equal(await gitIn(w.pkg("mine"), "rev-parse", "HEAD"), local);
    // Nothing moved: the lock is not rewritten.
    assert.equal(await Deno.readTextFile(join(w.project, "packages/package-lock.json")), lockText);
  } finally {
    await w.dispose();
  }
});

Deno.test("merges a diverged package with a merge commit", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    const local = await addCommit(w.pkg("lib"), { "local.txt": "mine\n" });
    const upstream = await pushUpstream(w.repos.lib, { "theirs.txt": "theirs\n" });
    const r = by(await runSync({ projectDir: w.project })).lib;
    assert.equal(r.outcome, "synced");
    assert.equal(r.merged, true);
    assert.equal(r.ahead, 1);
    assert.equal(r.behind, 1);
    const parents = (await gitIn(w.pkg("lib"), "rev-list", "--parents", "-n", "1", "HEAD")).split(" ").slice(
      1,
    );
    assert.deepEqual(parents.sort(), [local, upstream].sort());
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "theirs.txt")), "theirs\n");
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "local.txt")), "mine\n");
    assert.equal((await readLockJson(w.project)).packages.lib.commit_resolved, r.after);
  } finally {
    await w.dispose();
  }
});

Deno.test("aborts a conflicting merge, lists the files and leaves the tree clean", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "base\n", "b.txt": "b\n" } } } });
  try {
    const local = await addCommit(w.pkg("lib"), { "a.txt": "mine\n" });
    await pushUpstream(w.repos.lib, { "a.txt": "theirs\n" });
    const lockText = await Deno.readTextFile(join(w.project, "packages/package-lock.json"));
    const report = await runSync({ projectDir: w.project });
    const r = by(report).lib;
    assert.equal(r.outcome, "conflict");
    assert.deepEqual(r.files, ["a.txt"]);
    assert.match(r.reason ?? "", /merge was aborted/);
    assert.ok(r.nextSteps?.some((s) => s.includes("git merge origin/main")), String(r.nextSteps));
    assert.equal(await exists(join(w.pkg("lib"), ".git", "MERGE_HEAD")), false, "no merge in progress");
    assert.equal(await gitIn(w.pkg("lib"), "status", "--porcelain"), "", "working tree clean");
    assert.equal(await gitIn(w.pkg("lib"), "rev-parse", "HEAD"), local);
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "a.txt")), "mine\n");
    assert.equal(report.lockUpdated, false);
    assert.equal(await Deno.readTextFile(join(w.project, "packages/package-lock.json")), lockText);
  } finally {
    await w.dispose();
  }
});

Deno.test("skips a package that is behind but has local changes (dirty)", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "1\n", "b.txt": "1\n" } } } });
  try {
    await pushUpstream(w.repos.lib, { "c.txt": "new\n" });
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "edited\n");
    await Deno.writeTextFile(join(w.pkg("lib"), "untracked.txt"), "u\n");
    const head = await gitIn(w.pkg("lib"), "rev-parse", "HEAD");
    const r = by(await runSync({ projectDir: w.project })).lib;
    assert.equal(r.outcome, "dirty");
    assert.deepEqual(r.files, ["a.txt"], "untracked files do not count as changes");
    assert.equal(r.behind, 1);
    assert.equal(await gitIn(w.pkg("lib"), "rev-parse", "HEAD"), head);
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "a.txt")), "edited\n");
  } finally {
    await w.dispose();
  }
});

Deno.test("an untracked file in the merge's way is reported as dirty and nothing changes", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    await pushUpstream(w.repos.lib, { "new.txt": "theirs\n" });
    await Deno.writeTextFile(join(w.pkg("lib"), "new.txt"), "mine, untracked\n");
    const head = await gitIn(w.pkg("lib"), "rev-parse", "HEAD");
    const r = by(await runSync({ projectDir: w.project })).lib;
    assert.equal(r.outcome, "dirty");
    assert.deepEqual(r.files, ["new.txt"]);
    assert.equal(await gitIn(w.pkg("lib"), "rev-parse", "HEAD"), head);
    assert.equal(await Deno.readTextFile(join(w.pkg("lib"), "new.txt")), "mine, untracked\n");
  } finally {
    await w.dispose();
  }
});

Deno.test("skips tag- and commit-pinned, detached, cached, non-git and pypi packages", async () => {
  const tmp = await tempRoot("ivpm-sync-skip-");
  const cache = join(tmp.path, "cache");
  const data = join(tmp.path, "data");
  await Deno.mkdir(data, { recursive: true });
  await Deno.writeTextFile(join(data, "d.txt"), "d\n");
  const lib = await makeRepo(join(tmp.path, "repos"), "lib", {
    files: { "a.txt": "1\n" },
    tags: ["v1"],
    commits: 2,
  });
  const w = await makeSyncWorkspace({
    lib: { fixture: lib },
    bytag: { fixture: lib, entry: { tag: "v1" } },
    bycommit: { fixture: lib, entry: { commit: lib.first } },
    detached: { fixture: lib },
    cached: { fixture: lib, entry: { cache: true } },
    localdir: { entry: { src: "dir", url: `file://${data}` } },
    requests: { entry: { src: "pypi", version: "2.31" } },
  }, { root: tmp, cacheDir: cache }).catch(async (e) => {
    await tmp.dispose();
    throw e;
  });
  try {
    await gitIn(w.pkg("detached"), "checkout", "-q", "--detach", "HEAD~1");
    await pushUpstream(w.repos.lib, { "later.txt": "x\n" });
    const r = by(await runSync({ projectDir: w.project }));
    assert.equal(r.lib.outcome, "synced");
    assert.deepEqual(
      Object.fromEntries(
        Object.values(r).filter((x) => x.name !== "lib").map((x) => [x.name, [x.outcome, x.reason]]),
      ),
      {
        bytag: ["skipped", "pinned to tag v1"],
        bycommit: ["skipped", `pinned to commit ${w.repos.lib.first.slice(0, 7)}`],
        detached: ["skipped", "detached HEAD"],
        cached: ["skipped", "read-only (cached)"],
        localdir: ["skipped", "non-git package (src: dir)"],
        requests: ["skipped", "pypi package (installed by its handler)"],
      },
    );
  } finally {
    await w.dispose();
  }
});

Deno.test("a dry run predicts sync, conflict and dirty and changes nothing", async () => {
  const w = await makeSyncWorkspace({
    behind: { repo: { files: { "a.txt": "1\n" } } },
    clash: { repo: { files: { "a.txt": "1\n" } } },
    merges: { repo: { files: { "a.txt": "1\n" } } },
    edited: { repo: { files: { "a.txt": "1\n" } } },
  });
  try {
    await pushUpstream(w.repos.behind, { "b.txt": "b\n" });
    await pushUpstream(w.repos.clash, { "a.txt": "theirs\n" });
    await addCommit(w.pkg("clash"), { "a.txt": "mine\n" });
    await pushUpstream(w.repos.merges, { "theirs.txt": "t\n" });
    await addCommit(w.pkg("merges"), { "mine.txt": "m\n" });
    await pushUpstream(w.repos.edited, { "b.txt": "b\n" });
    await Deno.writeTextFile(join(w.pkg("edited"), "a.txt"), "edited\n");
    const heads: Record<string, string> = {};
    for (const n of Object.keys(w.repos)) heads[n] = await gitIn(w.pkg(n), "rev-parse", "HEAD");
    const lockText = await Deno.readTextFile(join(w.project, "packages/package-lock.json"));

    const report = await runSync({ projectDir: w.project, dryRun: true });
    const r = by(report);
    assert.equal(report.dryRun, true);
    assert.equal(r.behind.outcome, "dry:sync");
    assert.equal(r.merges.outcome, "dry:sync");
    assert.equal(r.clash.outcome, "dry:conflict");
    assert.deepEqual(r.clash.files, ["a.txt"]);
    assert.equal(r.edited.outcome, "dry:dirty");
    assert.deepEqual(r.edited.files, ["a.txt"]);
    for (const n of Object.keys(w.repos)) {
      assert.equal(await gitIn(w.pkg(n), "rev-parse", "HEAD"), heads[n], `${n} did not move`);
      assert.equal(await exists(join(w.pkg(n), ".git", "MERGE_HEAD")), false);
    }
    assert.equal(await Deno.readTextFile(join(w.pkg("edited"), "a.txt")), "edited\n");
    assert.equal(report.lockUpdated, false);
    assert.equal(await Deno.readTextFile(join(w.project, "packages/package-lock.json")), lockText);
  } finally {
    await w.dispose();
  }
});

Deno.test("updates submodules after merging a commit that moves them", async () => {
  const tmp = await tempRoot("ivpm-sync-sub-");
  try {
    const sub = await makeRepo(join(tmp.path, "repos"), "sub", { files: { "s.txt": "1\n" } });
    const parent = await makeSubmoduleRepo(join(tmp.path, "repos"), "parent", {
      files: { "p.txt": "p\n" },
      submodules: { "ext/sub": sub },
    });
    const w = await makeSyncWorkspace({ parent: { fixture: parent } }, { root: tmp });
    assert.equal(await Deno.readTextFile(join(w.pkg("parent"), "ext/sub/s.txt")), "1\n");
    // Upstream: a new commit in the submodule, and the parent moves its pointer to it.
    const subTip = await pushUpstream(sub, { "s.txt": "2\n" });
    await gitIn(join(parent.path, "ext/sub"), "pull", "-q", "origin", "main");
    await addCommit(parent.path, {}, { message: "bump sub", push: true });
    const r = by(await runSync({ projectDir: w.project })).parent;
    assert.equal(r.outcome, "synced", r.reason);
    assert.equal(await gitIn(join(w.pkg("parent"), "ext/sub"), "rev-parse", "HEAD"), subTip);
    assert.equal(await Deno.readTextFile(join(w.pkg("parent"), "ext/sub/s.txt")), "2\n");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("--packages syncs only the named packages and rejects unknown names", async () => {
  const w = await makeSyncWorkspace({
    alpha: { repo: { files: { "a.txt": "1\n" } } },
    beta: { repo: { files: { "a.txt": "1\n" } } },
  });
  try {
    await pushUpstream(w.repos.alpha, { "n.txt": "n\n" });
    const betaTip = await pushUpstream(w.repos.beta, { "n.txt": "n\n" });
    const report = await runSync({ projectDir: w.project, packages: ["beta"] });
    assert.deepEqual(report.results.map((r) => [r.name, r.outcome]), [["beta", "synced"]]);
    assert.equal(await gitIn(w.pkg("alpha"), "rev-parse", "HEAD"), w.repos.alpha.head);
    assert.equal((await readLockJson(w.project)).packages.beta.commit_resolved, betaTip);
    assert.equal((await readLockJson(w.project)).packages.alpha.commit_resolved, w.repos.alpha.head);
    await assert.rejects(
      () => runSync({ projectDir: w.project, packages: ["alpah"] }),
      (e) => e instanceof IvpmError && /'alpah' is not a package.*did you mean 'alpha'/.test(e.message),
    );
  } finally {
    await w.dispose();
  }
});

Deno.test("a fetch that fails is an error outcome naming the remote, and others still sync", async () => {
  const w = await makeSyncWorkspace({
    gone: { repo: { files: { "a.txt": "1\n" } } },
    fine: { repo: { files: { "a.txt": "1\n" } } },
  });
  try {
    await Deno.rename(w.repos.gone.bare, `${w.repos.gone.bare}.moved`);
    const tip = await pushUpstream(w.repos.fine, { "n.txt": "n\n" });
    const r = by(await runSync({ projectDir: w.project }));
    assert.equal(r.gone.outcome, "error");
    assert.match(r.gone.reason ?? "", /^git fetch failed: /);
    assert.equal(r.fine.outcome, "synced");
    assert.equal((await readLockJson(w.project)).packages.fine.commit_resolved, tip);
  } finally {
    await w.dispose();
  }
});

Deno.test("an interrupted sync starts no more packages but records the ones already merged", async () => {
  const w = await makeSyncWorkspace({
    alpha: { repo: { files: { "a.txt": "1\n" } } },
    beta: { repo: { files: { "b.txt": "1\n" } } },
  });
  try {
    const alphaTip = await pushUpstream(w.repos.alpha, { "n.txt": "n\n" });
    await pushUpstream(w.repos.beta, { "n.txt": "n\n" });
    const ctrl = new AbortController();
    const started: string[] = [];
    await assert.rejects(
      () =>
        runSync({
          projectDir: w.project,
          jobs: 1,
          signal: ctrl.signal,
          reporter: {
            start: (name) => void started.push(name),
            // Ctrl-C right after the first package finished.
            done: () => ctrl.abort(new IvpmError("interrupted", { exitCode: 130 })),
          },
        }),
      (e) => e instanceof IvpmError && e.message === "interrupted",
    );
    assert.deepEqual(started, ["alpha"]);
    assert.equal(await gitIn(w.pkg("beta"), "rev-parse", "HEAD"), w.repos.beta.head);
    assert.equal((await readLockJson(w.project)).packages.alpha.commit_resolved, alphaTip);
  } finally {
    await w.dispose();
  }
});
