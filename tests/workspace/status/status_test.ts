import assert from "node:assert/strict";
import { join } from "node:path";
import { workspaceStatus } from "../../../core/workspace/status/status.ts";
import { renderStatus } from "../../../core/workspace/status/render.ts";
import { makeLock, readLock, writeLock } from "../../../core/update/lock/lock_file.ts";
import { addCommit, fixtureGit, makeRepo } from "../../_helpers/git_fixture.ts";
import { gitIn, makeSyncWorkspace, pushUpstream } from "../../_helpers/sync_workspace.ts";
import { cliEnv, runIvpm, tempRoot } from "../../_helpers/update_project.ts";

/** A workspace with a branch package (modified, behind), tag and commit pins, a local dir and a pypi package. */
async function mixedWorkspace() {
  const tmp = await tempRoot("ivpm-status-");
  try {
    const lib = await makeRepo(join(tmp.path, "repos"), "lib", {
      files: { "a.txt": "1\n", "b.txt": "1\n" },
      tags: ["v1"],
      commits: 3,
    });
    const data = join(tmp.path, "data");
    await Deno.mkdir(data);
    const w = await makeSyncWorkspace({
      lib: { fixture: lib },
      pinned: { fixture: lib, entry: { tag: "v1" } },
      bycommit: { fixture: lib, entry: { commit: lib.mainCommits[1] } },
      data: { entry: { src: "dir", url: `file://${data}` } },
      requests: { entry: { src: "pypi", version: "2.31" } },
    }, { root: tmp });
    return { w, lib, tmp };
  } catch (e) {
    await tmp.dispose();
    throw e;
  }
}

Deno.test("status renders one row per package with branch, commit, state and upstream", async () => {
  const { w, lib, tmp } = await mixedWorkspace();
  try {
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "changed\n");
    await Deno.writeTextFile(join(w.pkg("lib"), "new file.txt"), "untracked\n");
    await pushUpstream(lib, { "c.txt": "upstream\n" });
    await gitIn(w.pkg("lib"), "fetch", "-q");
    const r = await runIvpm(w.project, ["status"], cliEnv());
    assert.equal(r.code, 0, r.stderr);
    const short = (s: string) => s.slice(0, 7);
    assert.equal(
      r.stdout,
      [
        `  ✓  bycommit                        (detached @ ${short(lib.mainCommits[1])})       ${
          short(lib.mainCommits[1])
        }  clean      upstream:?`,
        `  ~  data                            (dir)`,
        `  ✎  lib                             main                       ${
          short(lib.head)
        }  modified   ↑0 ↓1`,
        `  ✓  pinned                          tag:v1                     ${
          short(lib.first)
        }  clean      upstream:?`,
        "",
        "5 package(s) · 3 git (2 clean, 1 modified) · 1 non-VCS · 1 pypi (hidden, use -vv to show)",
        "",
      ].join("\n"),
    );
  } finally {
    await tmp.dispose();
  }
});

Deno.test("status -v lists changed files under the package and -vv shows pypi rows", async () => {
  const { w, tmp } = await mixedWorkspace();
  try {
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "changed\n");
    await fixtureGit(w.pkg("lib"), "mv", "b.txt", "renamed.txt");
    await Deno.writeTextFile(join(w.pkg("lib"), "new file.txt"), "untracked\n");
    const v = await runIvpm(w.project, ["status", "-v"], cliEnv());
    assert.equal(v.code, 0, v.stderr);
    const lines = v.stdout.split("\n");
    const at = lines.findIndex((l) => l.startsWith("  ✎  lib "));
    assert.deepEqual(lines.slice(at + 1, at + 4), [
      "       M a.txt",
      "      R  b.txt -> renamed.txt",
      "      ?? new file.txt",
    ]);
    assert.doesNotMatch(v.stdout, /requests/);
    const vv = await runIvpm(w.project, ["status", "-vv"], cliEnv());
    assert.match(vv.stdout, /^ {2}~ {2}requests {24}\(pypi\) 2\.31$/m);
    assert.match(vv.stdout, / · 1 pypi\n$/);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("status --json gives every package with its git state and lock match", async () => {
  const { w, lib, tmp } = await mixedWorkspace();
  try {
    await addCommit(w.pkg("lib"), { "local.txt": "after the lock\n" });
    await Deno.writeTextFile(join(w.pkg("lib"), "a.txt"), "changed\n");
    const r = await runIvpm(w.project, ["status", "--json"], cliEnv());
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    const by = Object.fromEntries(rows.map((x: { name: string }) => [x.name, x]));
    assert.deepEqual(rows.map((x: { name: string }) => x.name), [
      "bycommit",
      "data",
      "lib",
      "pinned",
      "requests",
    ]);
    assert.deepEqual(
      { ...by.lib, commit: by.lib.commit.length, path: undefined },
      {
        name: "lib",
        src: "git",
        vcs: "git",
        present: true,
        virtual: false,
        path: undefined,
        branch: "main",
        commit: 40,
        upstream: "origin/main",
        modified: 1,
        untracked: 0,
        dirty: true,
        ahead: 1,
        behind: 0,
        changes: [{ xy: " M", path: "a.txt" }],
        lockedCommit: lib.head,
        matchesLock: false,
      },
    );
    assert.equal(by.pinned.tag, "v1");
    assert.equal(by.pinned.branch, undefined);
    assert.equal(by.pinned.matchesLock, true);
    assert.equal(by.data.vcs, "none");
    assert.equal(by.data.present, true);
    assert.equal(typeof by.data.link, "string");
    assert.equal(by.requests.virtual, true);
    assert.equal(by.requests.present, false);
    assert.equal(by.requests.matchesLock, true);
    assert.equal(by.requests.version, "2.31");

    const text = await runIvpm(w.project, ["status"], cliEnv());
    assert.match(text.stdout, new RegExp(`↑1 ↓0  \\(locked: ${lib.head.slice(0, 7)}\\)$`, "m"));
    assert.match(text.stdout, / · 1 not at the locked commit · /);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("status flags packages that are missing or not git checkouts", async () => {
  const { w, tmp } = await mixedWorkspace();
  try {
    await Deno.remove(w.pkg("pinned"), { recursive: true });
    await Deno.remove(join(w.pkg("bycommit"), ".git"), { recursive: true });
    await Deno.remove(w.pkg("data"));
    const rows = Object.fromEntries((await workspaceStatus(w.project)).map((r) => [r.name, r]));
    assert.equal(rows.pinned.error, "not fetched");
    assert.equal(rows.pinned.matchesLock, false);
    assert.equal(rows.bycommit.error, "not a git repository");
    assert.equal(rows.data.error, "not fetched");
    const lines = renderStatus(Object.values(rows));
    assert.ok(lines.includes("  !  pinned                          (not fetched)"), lines.join("\n"));
    assert.ok(lines.includes("       ! not fetched (run 'ivpm update')"), lines.join("\n"));
    assert.ok(lines.includes("  !  data                            (dir)  (not fetched)"), lines.join("\n"));
    assert.equal(
      lines.at(-1),
      "5 package(s) · 3 git (1 clean, 0 modified, 2 missing) · 1 non-VCS (1 missing) · 1 pypi (hidden, use -vv to show)",
    );
  } finally {
    await tmp.dispose();
  }
});

Deno.test("status marks packages taken from a deps-source, and from the main worktree's packages", async () => {
  const tmp = await tempRoot("ivpm-status-ds-");
  try {
    const lib = await makeRepo(join(tmp.path, "repos"), "lib", { files: { "a.txt": "1\n" } });
    const data = join(tmp.path, "data");
    await Deno.mkdir(data);
    const w = await makeSyncWorkspace({
      lib: { fixture: lib },
      data: { entry: { src: "dir", url: `file://${data}` } },
    }, { root: tmp });
    // A deps-source outside any worktree.
    const lockPath = join(w.project, "packages/package-lock.json");
    const lock = (await readLock(lockPath))!.lock;
    lock.packages.lib.from_deps_source = join(tmp.path, "parent/packages/lib");
    await writeLock(join(w.project, "packages"), makeLock(lock.packages));
    let lines = renderStatus(await workspaceStatus(w.project));
    assert.match(lines[1], /^ {2}✓ {2}lib {2}\(deps-source\) +main /);

    // A linked worktree whose packages come from the main worktree's packages/.
    await fixtureGit(w.project, "init", "-q");
    await Deno.writeTextFile(join(w.project, ".gitignore"), "packages/\n");
    await fixtureGit(w.project, "add", "ivpm.yaml", ".gitignore");
    await fixtureGit(w.project, "commit", "-q", "-m", "p");
    const wt = join(tmp.path, "wt");
    await fixtureGit(w.project, "worktree", "add", "-q", wt);
    await Deno.mkdir(join(wt, "packages"));
    await Deno.symlink(join(w.project, "packages/data"), join(wt, "packages/data"));
    await writeLock(
      join(wt, "packages"),
      makeLock({ data: { ...lock.packages.data, from_deps_source: join(w.project, "packages/data") } }),
    );
    lines = renderStatus(await workspaceStatus(wt));
    assert.equal(lines[0], "  ~  data                            (dir)  (auto: worktree)");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("status without a lock says to run update first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-status-nolock-" });
  try {
    await Deno.writeTextFile(join(dir, "ivpm.yaml"), "package:\n  name: p\n");
    const r = await runIvpm(dir, ["status"], cliEnv());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: package-lock\.json not found in .*packages$/m);
    assert.match(r.stderr, /^hint: run 'ivpm update' first$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("git runs in the environment given to status, not the process's", async () => {
  const { w, tmp } = await mixedWorkspace();
  try {
    await Deno.writeTextFile(join(w.pkg("lib"), "new.txt"), "untracked\n");
    const lib = async (env?: Record<string, string>) =>
      (await workspaceStatus(w.project, { env })).find((r) => r.name === "lib")!;
    assert.equal((await lib()).untracked, 1);
    // A global git config that hides untracked files: only the given environment names it.
    const cfg = join(tmp.path, "gitconfig");
    await Deno.writeTextFile(cfg, "[status]\n\tshowUntrackedFiles = no\n");
    assert.equal((await lib({ ...Deno.env.toObject(), GIT_CONFIG_GLOBAL: cfg })).untracked, 0);
  } finally {
    await tmp.dispose();
  }
});

Deno.test({
  name: "a FIFO among a package's tag refs does not hang status, and the tag is still found",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { w, lib, tmp } = await mixedWorkspace();
    try {
      // Opening a FIFO for reading blocks until a writer comes: status must not open it.
      const made = await new Deno.Command("mkfifo", {
        args: [join(w.pkg("pinned"), ".git", "refs", "tags", "trap")],
      })
        .output();
      assert.equal(made.code, 0);
      const rows = await workspaceStatus(w.project);
      const pinned = rows.find((r) => r.name === "pinned")!;
      assert.equal(pinned.tag, "v1");
      assert.equal(pinned.commit, lib.first);
    } finally {
      await tmp.dispose();
    }
  },
});
