import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureGit, makeRepo } from "../_helpers/git_fixture.ts";
import { runIvpm } from "../_helpers/cli.ts";
import { runUpdate } from "../../core/update/update.ts";

async function setup() {
  const root = await Deno.makeTempDir({ prefix: "ivpm-depsrc-" });
  const a = await makeRepo(root, "a", { files: { "a.txt": "a\n" }, branches: { dev: { "dev.txt": "d\n" } } });
  const b = await makeRepo(root, "b", { files: { "b.txt": "b\n" }, tags: ["v1"], commits: 2 });
  const c = await makeRepo(root, "c", { files: { "c.txt": "c\n" } });
  const write = async (dir: string, deps: string) => {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      `package:\n  name: ${dir.split("/").pop()}\n  dep-sets:\n    - name: default\n      deps:\n${deps}`,
    );
  };
  const dep = (name: string, url: string, extra = "") =>
    `        - name: ${name}\n          url: ${url}\n${extra}`;
  return { root, a, b, c, write, dep, cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("--deps-source reuses matching packages from a parent deps dir (linked), fetches the rest", async () => {
  const t = await setup();
  try {
    const parent = join(t.root, "parent"), child = join(t.root, "child");
    await t.write(parent, t.dep("a", t.a.url) + t.dep("b", t.b.url, "          tag: v1\n"));
    await runUpdate({ projectDir: parent, cacheDir: null, anonymousGit: true });
    await t.write(
      child,
      t.dep("a", t.a.url) + t.dep("b", t.b.url, "          tag: v1\n") + t.dep("c", t.c.url),
    );
    const r = await runUpdate({
      projectDir: child,
      cacheDir: null,
      anonymousGit: true,
      depsSource: [join(parent, "packages")],
    });
    const lock = r.lock.packages;
    assert.equal(lock.a.from_deps_source, join(parent, "packages", "a"));
    assert.equal(lock.b.from_deps_source, join(parent, "packages", "b"));
    assert.equal(lock.b.commit_resolved, t.b.first);
    assert.equal(lock.c.from_deps_source, undefined);
    assert.ok((await Deno.lstat(join(child, "packages", "a"))).isSymlink);
    assert.equal(await Deno.realPath(join(child, "packages", "a")), join(parent, "packages", "a"));
    assert.ok((await Deno.lstat(join(child, "packages", "c"))).isDirectory);
    // A no-op re-run keeps them, without consulting anything.
    const again = await runUpdate({ projectDir: child, cacheDir: null, anonymousGit: true });
    assert.equal(again.lock.packages.a.from_deps_source, join(parent, "packages", "a"));
  } finally {
    await t.cleanup();
  }
});

Deno.test("a different request is not reused; --trust-deps-source matches by name; copy mode copies", async () => {
  const t = await setup();
  try {
    const parent = join(t.root, "parent");
    await t.write(parent, t.dep("a", t.a.url));
    await runUpdate({ projectDir: parent, cacheDir: null, anonymousGit: true });
    const src = [join(parent, "packages")];
    const other = join(t.root, "other");
    await t.write(other, t.dep("a", t.a.url, "          branch: dev\n"));
    const r1 = await runUpdate({ projectDir: other, cacheDir: null, anonymousGit: true, depsSource: src });
    assert.equal(r1.lock.packages.a.from_deps_source, undefined);
    assert.equal(r1.lock.packages.a.commit_resolved, t.a.branchHeads.dev);

    const trusted = join(t.root, "trusted");
    await t.write(trusted, t.dep("a", t.a.url, "          branch: dev\n"));
    const r2 = await runUpdate({
      projectDir: trusted,
      cacheDir: null,
      anonymousGit: true,
      depsSource: src,
      trustDepsSource: true,
    });
    assert.equal(r2.lock.packages.a.from_deps_source, join(parent, "packages", "a"));

    const copied = join(t.root, "copied");
    await t.write(copied, t.dep("a", t.a.url));
    await runUpdate({
      projectDir: copied,
      cacheDir: null,
      anonymousGit: true,
      depsSource: src,
      depsSourceMode: "copy",
    });
    const st = await Deno.lstat(join(copied, "packages", "a"));
    assert.ok(st.isDirectory && !st.isSymlink);
    assert.equal(await Deno.readTextFile(join(copied, "packages", "a", "a.txt")), "a\n");
  } finally {
    await t.cleanup();
  }
});

Deno.test("a linked git worktree reuses the main worktree's packages automatically, unless told not to", async () => {
  const t = await setup();
  try {
    const main = join(t.root, "main");
    await t.write(main, t.dep("a", t.a.url));
    await fixtureGit(main, "init", "-q", "-b", "main");
    await Deno.writeTextFile(join(main, ".gitignore"), "packages/\n");
    await fixtureGit(main, "add", ".");
    await fixtureGit(main, "commit", "-qm", "project");
    await runUpdate({ projectDir: main, cacheDir: null, anonymousGit: true });
    const wt = join(t.root, "wt");
    await fixtureGit(main, "worktree", "add", "-q", wt);
    const r = await runIvpm(["update", "-a", "-v"], {
      cwd: wt,
      env: { IVPM_CACHE: "", IVPM_DEPS_SOURCE: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /git worktree detected/);
    assert.match(r.stderr, /^<< a \([\d.]+s\).* reused$/m);
    assert.match(r.stderr, /Updated 1 package \(0 fetched, 1 reused, 0 up to date\)/);
    assert.equal(await Deno.realPath(join(wt, "packages", "a")), join(main, "packages", "a"));
    const wt2 = join(t.root, "wt2");
    await fixtureGit(main, "worktree", "add", "-q", "-b", "other", wt2);
    const r2 = await runIvpm(["update", "-a", "--no-worktree-deps-source"], {
      cwd: wt2,
      env: { IVPM_CACHE: "" },
    });
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /Updated 1 package \(1 fetched, 0 up to date\)/);
    assert.ok(!(await Deno.lstat(join(wt2, "packages", "a"))).isSymlink);
  } finally {
    await t.cleanup();
  }
});

Deno.test("a dir package is never taken from a deps-source: its path belongs to this project", async () => {
  const t = await setup();
  try {
    const parent = join(t.root, "parent"), child = join(t.root, "child");
    for (const p of [parent, child]) {
      await Deno.mkdir(join(p, "vendor", "x"), { recursive: true });
      await Deno.writeTextFile(join(p, "vendor", "x", "who.txt"), p);
      await t.write(p, t.dep("x", "vendor/x", "          src: dir\n"));
    }
    await runUpdate({ projectDir: parent, cacheDir: null });
    const r = await runUpdate({ projectDir: child, cacheDir: null, depsSource: [join(parent, "packages")] });
    assert.equal(r.lock.packages.x.from_deps_source, undefined);
    assert.equal(await Deno.readTextFile(join(child, "packages", "x", "who.txt")), child);
  } finally {
    await t.cleanup();
  }
});

Deno.test("IVPM_DEPS_SOURCE is used when no flag is given; a missing deps-source dir is a clear error", async () => {
  const t = await setup();
  try {
    const parent = join(t.root, "parent");
    await t.write(parent, t.dep("a", t.a.url));
    await runUpdate({ projectDir: parent, cacheDir: null, anonymousGit: true });
    const child = join(t.root, "child");
    await t.write(child, t.dep("a", t.a.url));
    const r = await runUpdate({
      projectDir: child,
      cacheDir: null,
      anonymousGit: true,
      env: { IVPM_DEPS_SOURCE: join(parent, "packages") },
    });
    assert.equal(r.lock.packages.a.from_deps_source, join(parent, "packages", "a"));
    const bad = await runIvpm(["update", "-a", "--deps-source", join(t.root, "nope")], {
      cwd: child,
      env: { IVPM_CACHE: "" },
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--deps-source path is not a directory/);
  } finally {
    await t.cleanup();
  }
});
