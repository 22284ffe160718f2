import assert from "node:assert/strict";
import { join } from "node:path";
import { createSnapshot, type SnapshotManifest } from "../../../core/workspace/snapshot/snapshot.ts";
import { IvpmError } from "../../../core/base/errors.ts";
import { workspaceStatus } from "../../../core/workspace/status/status.ts";
import { lockChecksum, type LockFile } from "../../../core/update/lock/lock_file.ts";
import { addCommit, fixtureGit, makeRepo, makeSubmoduleRepo } from "../../_helpers/git_fixture.ts";
import { gitIn, makeSyncWorkspace } from "../../_helpers/sync_workspace.ts";
import { cliEnv, exists, listDir, runIvpm, tempRoot } from "../../_helpers/update_project.ts";

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Removes every package directory of a snapshot, keeping its lock and ivpm.json. */
async function emptyPackages(snap: string): Promise<void> {
  for (const name of await listDir(join(snap, "packages"))) {
    if (name === "package-lock.json" || name === "ivpm.json") continue;
    await Deno.remove(join(snap, "packages", name), { recursive: true });
  }
}

/** A git project (committed ivpm.yaml) with branch, tag- and commit-pinned git packages and a local dir package. */
async function richWorkspace() {
  const tmp = await tempRoot("ivpm-snap-");
  try {
    const repos = join(tmp.path, "repos");
    const lib = await makeRepo(repos, "lib", { files: { "lib.txt": "1\n" }, tags: ["v1"], commits: 3 });
    const tool = await makeRepo(repos, "tool", {
      files: { "t.txt": "main\n" },
      branches: { dev: { "t.txt": "dev\n" } },
    });
    const data = join(tmp.path, "data");
    await Deno.mkdir(join(data, "bin"), { recursive: true });
    await Deno.writeTextFile(join(data, "bin", "run.sh"), "#!/bin/sh\necho hi\n");
    await Deno.chmod(join(data, "bin", "run.sh"), 0o755);
    await Deno.symlink("bin/run.sh", join(data, "run"));
    const w = await makeSyncWorkspace({
      lib: { fixture: lib },
      tool: { fixture: tool, entry: { branch: "dev" } },
      pinned: { fixture: lib, entry: { tag: "v1" } },
      bycommit: { fixture: lib, entry: { commit: lib.mainCommits[1] } },
      data: { entry: { src: "dir", url: `file://${data}` } },
    }, { root: tmp });
    // The project is a git repository: tracked ivpm.yaml, an untracked note, an ignored log.
    await Deno.writeTextFile(join(w.project, ".gitignore"), "packages/\n*.log\n");
    await fixtureGit(w.project, "init", "-q");
    await fixtureGit(w.project, "add", "ivpm.yaml", ".gitignore");
    await fixtureGit(w.project, "commit", "-q", "-m", "project");
    await Deno.writeTextFile(join(w.project, "notes.md"), "untracked but not ignored\n");
    await Deno.writeTextFile(join(w.project, "build.log"), "ignored\n");
    return { w, lib, tool, repos, data, tmp };
  } catch (e) {
    await tmp.dispose();
    throw e;
  }
}

Deno.test("snapshot round trip: restored with no network at the locked commits", async () => {
  const { w, repos, data, tmp } = await richWorkspace();
  try {
    const lock = await readJson<LockFile>(join(w.project, "packages/package-lock.json"));
    const snap = join(tmp.path, "snap");
    const r = await createSnapshot({ projectDir: w.project, dest: snap });
    assert.deepEqual(r.warnings, []);

    // Project files: what git knows (tracked + untracked-not-ignored), nothing ignored, no .git.
    assert.ok(await exists(join(snap, "ivpm.yaml")));
    assert.ok(await exists(join(snap, "notes.md")));
    assert.equal(await exists(join(snap, "build.log")), false);
    assert.equal(await exists(join(snap, ".git")), false);
    const manifest = await readJson<SnapshotManifest>(join(snap, "ivpm-snapshot.json"));
    assert.equal(manifest.project.git?.branch, "main");
    assert.equal(manifest.lock, "packages/package-lock.json");
    assert.deepEqual(
      Object.fromEntries(Object.entries(manifest.packages).map(([n, p]) => [n, p.kind])),
      { bycommit: "git", data: "archive", lib: "git", pinned: "git", tool: "git" },
    );

    // The snapshot's lock: same commits, git URLs into the snapshot, valid checksum.
    const snapLock = await readJson<LockFile>(join(snap, "packages/package-lock.json"));
    assert.equal(snapLock.sha256, lockChecksum(snapLock));
    for (const name of ["lib", "tool", "pinned", "bycommit"]) {
      assert.equal(snapLock.packages[name].commit_resolved, lock.packages[name].commit_resolved, name);
      assert.equal(snapLock.packages[name].url, `file://${snap}/.ivpm-snapshot/repos/${name}.git`);
      assert.equal(
        await gitIn(join(snap, "packages", name), "rev-parse", "HEAD"),
        lock.packages[name].commit_resolved,
      );
    }
    assert.equal(snapLock.packages.data.src, "http");
    assert.match(String(snapLock.packages.data.url), /^file:\/\/.*\/\.ivpm-snapshot\/files\/data\.tar\.gz$/);
    // The snapshot's checkouts: branch packages on their branch, pins detached, history kept.
    assert.equal(await gitIn(join(snap, "packages/tool"), "branch", "--show-current"), "dev");
    assert.equal(await gitIn(join(snap, "packages/pinned"), "branch", "--show-current"), "");
    assert.equal(await gitIn(join(snap, "packages/lib"), "rev-list", "--count", "HEAD"), "3");

    // No network: the original repositories and the project are gone; packages rebuilt from the snapshot.
    await Deno.rename(repos, `${repos}-gone`);
    await Deno.rename(data, `${data}-gone`);
    await Deno.rename(w.project, `${w.project}-gone`);
    await emptyPackages(snap);
    const up = await runIvpm(snap, ["update", "--lock-file", "packages/package-lock.json"], cliEnv());
    assert.equal(up.code, 0, up.stderr);
    for (const name of ["lib", "tool", "pinned", "bycommit"]) {
      assert.equal(
        await gitIn(join(snap, "packages", name), "rev-parse", "HEAD"),
        lock.packages[name].commit_resolved,
        `${name} restored at its locked commit`,
      );
    }
    assert.equal(await Deno.readTextFile(join(snap, "packages/data/bin/run.sh")), "#!/bin/sh\necho hi\n");
    assert.equal(((await Deno.stat(join(snap, "packages/data/bin/run.sh"))).mode ?? 0) & 0o111, 0o111);
    assert.equal(await Deno.readLink(join(snap, "packages/data/run")), "bin/run.sh");
    assert.equal(
      await gitIn(join(snap, "packages/lib"), "remote", "get-url", "origin"),
      `file://${snap}/.ivpm-snapshot/repos/lib.git`,
      "cloned from the snapshot's bundle",
    );
    const status = await workspaceStatus(snap);
    assert.deepEqual(status.filter((s) => !s.matchesLock).map((s) => s.name), []);
    const restored = await readJson<LockFile>(join(snap, "packages/package-lock.json"));
    for (const name of Object.keys(lock.packages)) {
      assert.equal(restored.packages[name].commit_resolved, snapLock.packages[name].commit_resolved, name);
    }
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a moved snapshot is re-snapshotted without network and restores the same commits", async () => {
  const tmp = await tempRoot("ivpm-snap-move-");
  try {
    const lib = await makeRepo(join(tmp.path, "repos"), "lib", { files: { "a.txt": "1\n" }, commits: 2 });
    const w = await makeSyncWorkspace({ lib: { fixture: lib } }, { root: tmp });
    const first = join(tmp.path, "first");
    await createSnapshot({ projectDir: w.project, dest: first });
    await Deno.rename(join(tmp.path, "repos"), join(tmp.path, "repos-gone"));
    // Moving breaks the absolute file:// URLs of `first`; a snapshot of the moved one fixes them.
    const moved = join(tmp.path, "moved");
    await Deno.rename(first, moved);
    const again = join(tmp.path, "again");
    const r = await runIvpm(moved, ["snapshot", again], cliEnv());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Snapshot of project written to .*again: 1 package \(1 git, 0 archived\)/);
    assert.match(
      r.stderr,
      /Restore without network: cd .*again && ivpm update --lock-file packages\/package-lock\.json/,
    );
    const lock = await readJson<LockFile>(join(again, "packages/package-lock.json"));
    assert.equal(lock.packages.lib.url, `file://${again}/.ivpm-snapshot/repos/lib.git`);
    await emptyPackages(again);
    const up = await runIvpm(again, ["update", "--lock-file", "packages/package-lock.json"], cliEnv());
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await gitIn(join(again, "packages/lib"), "rev-parse", "HEAD"), lib.head);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("snapshot holds the locked commit of a package that moved on, and says so", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    const locked = w.repos.lib.head;
    await addCommit(w.pkg("lib"), { "later.txt": "after the lock\n" });
    const warnings: string[] = [];
    const snap = join(w.root, "snap");
    await createSnapshot({ projectDir: w.project, dest: snap, warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^packages\/lib is at [0-9a-f]{7}, not at its locked commit [0-9a-f]{7}/);
    assert.equal(await gitIn(join(snap, "packages/lib"), "rev-parse", "HEAD"), locked);
    assert.equal(await exists(join(snap, "packages/lib/later.txt")), false);
  } finally {
    await w.dispose();
  }
});

Deno.test("snapshot fills submodules from the package's own checkouts (no network)", async () => {
  const tmp = await tempRoot("ivpm-snap-sub-");
  try {
    const sub = await makeRepo(join(tmp.path, "repos"), "sub", { files: { "s.txt": "sub\n" } });
    const parent = await makeSubmoduleRepo(join(tmp.path, "repos"), "parent", {
      files: { "p.txt": "p\n" },
      submodules: { "ext/sub": sub },
    });
    const w = await makeSyncWorkspace({ parent: { fixture: parent } }, { root: tmp });
    await Deno.rename(join(tmp.path, "repos"), join(tmp.path, "repos-gone"));
    const snap = join(tmp.path, "snap");
    const r = await createSnapshot({ projectDir: w.project, dest: snap });
    assert.deepEqual(r.warnings, []);
    assert.equal(await Deno.readTextFile(join(snap, "packages/parent/ext/sub/s.txt")), "sub\n");
    assert.equal(await gitIn(join(snap, "packages/parent/ext/sub"), "rev-parse", "HEAD"), sub.head);
    // The submodule's remote is the URL .gitmodules names again, not the package it was filled from.
    assert.equal(await gitIn(join(snap, "packages/parent/ext/sub"), "remote", "get-url", "origin"), sub.url);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("snapshot refuses a non-empty directory, missing packages and -r on a dev workspace", async () => {
  const w = await makeSyncWorkspace({ lib: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    const busy = join(w.root, "busy");
    await Deno.mkdir(busy);
    await Deno.writeTextFile(join(busy, "x"), "x");
    await assert.rejects(
      () => createSnapshot({ projectDir: w.project, dest: busy }),
      (e) => e instanceof IvpmError && /already exists and is not empty/.test(e.message),
    );
    await assert.rejects(
      () => createSnapshot({ projectDir: w.project, dest: join(w.project, "packages", "snap") }),
      (e) => e instanceof IvpmError && /inside its deps dir/.test(e.message),
    );
    await Deno.writeTextFile(
      join(w.project, "packages/ivpm.json"),
      JSON.stringify({ "dep-set": "default-dev" }),
    );
    await assert.rejects(
      () => createSnapshot({ projectDir: w.project, dest: join(w.root, "rel"), releaseDeps: true }),
      (e) =>
        e instanceof IvpmError &&
        /updated with dep-set 'default-dev', not the release dep-set 'default'/.test(e.message),
    );
    await Deno.remove(w.pkg("lib"), { recursive: true });
    const r = await runIvpm(w.project, ["snapshot", join(w.root, "snap")], cliEnv());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: cannot snapshot: not in packages\/: lib$/m);
    assert.match(r.stderr, /^hint: run 'ivpm update' first$/m);
    assert.equal(await exists(join(w.root, "snap")), false, "nothing left behind");
    assert.deepEqual((await listDir(w.root)).filter((n) => n.includes("ivpm-partial")), []);
  } finally {
    await w.dispose();
  }
});
