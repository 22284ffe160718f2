import assert from "node:assert/strict";
import { join } from "node:path";
import { addCommit, fixtureGit, makeRepo } from "../../_helpers/git_fixture.ts";
import { runIvpm } from "../../_helpers/cli.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { workspaceStatus } from "../../../core/workspace/status/status.ts";
import { depsGraph } from "../../../core/cli/commands/show_deps.ts";
import { NO_PY_INSTALL } from "../../_helpers/no_py_install.ts";

async function workspace() {
  const root = await Deno.makeTempDir({ prefix: "ivpm-cmds-" });
  const lib = await makeRepo(root, "lib", { files: { "README": "lib\n" }, tags: ["v1"], commits: 2 });
  const leaf = await makeRepo(root, "leaf", { files: { "leaf.txt": "x\n" } });
  const app = await makeRepo(root, "app", {
    files: {
      "ivpm.yaml":
        `package:\n  name: app\n  dep-sets:\n    - name: default\n      deps:\n        - name: leaf\n          url: ${leaf.url}\n`,
    },
  });
  const project = join(root, "project");
  await Deno.mkdir(project);
  await Deno.writeTextFile(
    join(project, "ivpm.yaml"),
    `package:
  name: project
  dep-sets:
    - name: default
      deps:
        - name: lib
          url: ${lib.url}
        - name: pinned
          url: ${lib.url}
          tag: v1
        - name: app
          url: ${app.url}
        - name: requests
          src: pypi
          version: "2.31"
`,
  );
  return { root, project, lib, leaf, app, cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("status reports branch, tag, dirty state and lock match per package", async () => {
  const w = await workspace();
  try {
    await runUpdate({
      handlerArgs: NO_PY_INSTALL,
      projectDir: w.project,
      cacheDir: null,
      anonymousGit: true,
      jobs: 2,
    });
    await Deno.writeTextFile(join(w.project, "packages/lib/README"), "changed\n");
    await Deno.writeTextFile(join(w.project, "packages/lib/new.txt"), "untracked\n");
    const rows = await workspaceStatus(w.project);
    const by = Object.fromEntries(rows.map((r) => [r.name, r]));
    assert.deepEqual(rows.map((r) => r.name), ["app", "leaf", "lib", "pinned", "requests"]);
    assert.equal(by.lib.branch, "main");
    assert.equal(by.lib.modified, 1);
    assert.equal(by.lib.untracked, 1);
    assert.equal(by.lib.dirty, true);
    assert.equal(by.lib.matchesLock, true);
    assert.equal(by.pinned.tag, "v1");
    assert.equal(by.pinned.branch, undefined);
    assert.equal(by.pinned.commit, w.lib.first);
    assert.equal(by.requests.vcs, "none");
    // A commit made in the package no longer matches the lock.
    await addCommit(join(w.project, "packages/leaf"), { "more.txt": "1\n" });
    const again = Object.fromEntries((await workspaceStatus(w.project)).map((r) => [r.name, r]));
    assert.equal(again.leaf.matchesLock, false);
    const cli = await runIvpm(["status", "--json"], { cwd: w.project });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).length, 5);
  } finally {
    await w.cleanup();
  }
});

Deno.test("status without a lock file says to run update first", async () => {
  const w = await workspace();
  try {
    const r = await runIvpm(["status"], { cwd: w.project });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /package-lock\.json not found/);
    assert.match(r.stderr, /hint: run 'ivpm update' first/);
    assert.doesNotMatch(r.stderr, /\s+at /);
  } finally {
    await w.cleanup();
  }
});

Deno.test("show deps resolves sub-package dependencies and renders tree, json and dot", async () => {
  const w = await workspace();
  try {
    await runUpdate({
      handlerArgs: NO_PY_INSTALL,
      projectDir: w.project,
      cacheDir: null,
      anonymousGit: true,
      jobs: 2,
    });
    const g = await depsGraph(w.project);
    const leaf = g.nodes.find((n) => n.name === "leaf")!;
    assert.equal(leaf.resolvedBy, "app");
    assert.equal(g.nodes.find((n) => n.name === "pinned")!.tag, "v1");
    const tree = await runIvpm(["show", "deps", "--tree"], { cwd: w.project });
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /^project {2}\(default\)/);
    assert.match(tree.stdout, /└── leaf {2}\[git\]/);
    // After update the commit is known; the tag it came from stays beside it.
    assert.match(tree.stdout, new RegExp(`pinned {2}\\[git\\].* @ ${w.lib.first.slice(0, 8)} \\(tag v1\\)`));
    const dot = await runIvpm(["show", "deps", "--dot"], { cwd: w.project });
    assert.match(dot.stdout, /"app" -> "leaf";/);
    // The original's keys, which scripts read: name, src, specifier; shadowed nodes say so.
    const flat = JSON.parse((await runIvpm(["show", "deps", "--json"], { cwd: w.project })).stdout);
    for (const n of flat) {
      assert.deepEqual([typeof n.name, typeof n.src, typeof n.specifier], ["string", "string", "string"]);
    }
    const one = await runIvpm(["show", "deps", "leaf", "--json"], { cwd: w.project });
    assert.equal(JSON.parse(one.stdout).resolvedBy, "app");
    const bad = await runIvpm(["show", "deps", "laef"], { cwd: w.project });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /dependency 'laef' not found; did you mean 'leaf'\?/);
    const excl = await runIvpm(["show", "deps", "leaf", "--tree"], { cwd: w.project });
    assert.equal(excl.code, 2);
  } finally {
    await w.cleanup();
  }
});

Deno.test("clone checks out a new branch and runs update in the clone", async () => {
  const w = await workspace();
  try {
    // Publish the project as a repository of its own.
    await fixtureGit(w.project, "init", "-q", "-b", "main");
    await fixtureGit(w.project, "add", "ivpm.yaml");
    await fixtureGit(w.project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "p");
    const target = join(w.root, "cloned");
    const r = await runIvpm(["clone", "-a", "--skip-py-install", w.project, target, "-b", "feature"], {
      cwd: w.root,
      env: { IVPM_CACHE: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await fixtureGit(target, "branch", "--show-current")).trim(), "feature");
    const lock = JSON.parse(await Deno.readTextFile(join(target, "packages/package-lock.json")));
    assert.deepEqual(Object.keys(lock.packages).sort(), ["app", "leaf", "lib", "pinned", "requests"]);
    const again = await runIvpm(["clone", "-a", w.project, target], { cwd: w.root });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists and is not empty/);
  } finally {
    await w.cleanup();
  }
});

Deno.test("cache info and clean work on the cache update filled", async () => {
  const w = await workspace();
  const cache = join(w.root, "cache");
  try {
    const init = await runIvpm(["cache", "init", cache]);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /Cache directory initialized/);
    const twice = await runIvpm(["cache", "init", cache]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /--force/);
    const yaml = await Deno.readTextFile(join(w.project, "ivpm.yaml"));
    await Deno.writeTextFile(
      join(w.project, "ivpm.yaml"),
      yaml.replace(
        `- name: lib\n          url: ${w.lib.url}`,
        `- name: lib\n          url: ${w.lib.url}\n          cache: true`,
      ),
    );
    await runUpdate({
      handlerArgs: NO_PY_INSTALL,
      projectDir: w.project,
      cacheDir: cache,
      anonymousGit: true,
      jobs: 2,
    });
    const st = await Deno.lstat(join(w.project, "packages/lib"));
    assert.ok(st.isSymlink);
    const info = await runIvpm(["cache", "info", "--json", "-c", cache]);
    assert.equal(info.code, 0, info.stderr);
    const parsed = JSON.parse(info.stdout);
    assert.equal(parsed.packages.length, 1);
    assert.equal(parsed.packages[0].name, "lib");
    // Age the entry: it is old, but still linked from the project, so it is kept (never left dangling).
    const entry = await Deno.realPath(join(w.project, "packages/lib"));
    const old = new Date(Date.now() - 30 * 86_400_000);
    for (const p of [entry, `${entry}.used`]) await Deno.utime(p, old, old).catch(() => {});
    const clean = await runIvpm(["cache", "clean", "-c", cache, "--days", "7", "--json"]);
    assert.equal(clean.code, 0, clean.stderr);
    const result = JSON.parse(clean.stdout);
    assert.equal(result.removed.length, 0);
    assert.equal(result.keptInUse.length, 1);
    assert.ok((await Deno.stat(join(w.project, "packages/lib/README"))).isFile);
    // Once no project links it, the old entry goes.
    await Deno.remove(join(w.project, "packages/lib"));
    const clean2 = JSON.parse(
      (await runIvpm(["cache", "clean", "-c", cache, "--days", "7", "--json"])).stdout,
    );
    assert.equal(clean2.removed.length, 1);
  } finally {
    await w.cleanup();
  }
});
