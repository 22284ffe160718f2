import assert from "node:assert/strict";
import { join } from "node:path";
import { configSections, localConfig, overridesFor } from "../../../core/fetch/git/harden.ts";
import { git } from "../../../core/fetch/git/run.ts";
import { isLocalGitUrl } from "../../../core/fetch/git/url.ts";
import { makeRepo } from "../../_helpers/git_fixture.ts";

Deno.test("configSections finds quoted, escaped, legacy and dotted section headers", () => {
  const text = [
    "[core]",
    "\tbare = false",
    '[filter "a\\"b"]',
    "  [Filter.LFS]",
    '[diff.x "Y"] textconv = cat',
    '[merge "m"][submodule "s"]',
  ].join("\n");
  assert.deepEqual(configSections(text), [
    { section: "core" },
    { section: "filter", subsection: 'a"b' },
    { section: "filter", subsection: "lfs" },
    { section: "diff", subsection: "x.Y" },
    { section: "merge", subsection: "m" },
    { section: "submodule", subsection: "s" },
  ]);
  const keys = overridesFor(configSections(text)).map(([k]) => k);
  assert.ok(keys.includes('filter.a"b.clean'));
  assert.ok(keys.includes("filter.lfs.process"));
  assert.ok(keys.includes("diff.x.Y.textconv"));
  assert.ok(keys.includes("merge.m.driver"));
  assert.ok(keys.includes("submodule.s.update"));
});

Deno.test("programs named in a config file the repository includes are not run either", async () => {
  const root = await Deno.makeTempDir({ prefix: "ivpm-harden-" });
  try {
    const repo = await makeRepo(root, "r", {
      files: { ".gitattributes": "*.txt filter=inc\n", "a.txt": "1\n" },
    });
    const marks = join(root, "marks");
    await Deno.mkdir(marks);
    await Deno.writeTextFile(
      join(repo.path, ".git", "evil.cfg"),
      `[core]\n\tfsmonitor = "touch '${marks}/fsmonitor'; false"\n` +
        `[filter "inc"]\n\tclean = "touch '${marks}/clean'; cat"\n`,
    );
    await Deno.writeTextFile(join(repo.path, ".git", "config"), "[include]\n\tpath = evil.cfg\n", {
      append: true,
    });
    await Deno.writeTextFile(join(repo.path, "a.txt"), "2\n");
    const r = await git(["status", "--porcelain"], { cwd: repo.path });
    assert.match(r.stdout, /a\.txt/);
    assert.deepEqual([...Deno.readDirSync(marks)], []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("isLocalGitUrl tells local paths and file:// from remote URLs", () => {
  for (const u of ["file:///x/y.git", "/x/y", "./y", "../y", "y", "C:\\x\\y", "dir/with:colon"]) {
    assert.equal(isLocalGitUrl(u), true, u);
  }
  for (const u of ["https://h/x.git", "ssh://h/x", "git@h:x.git", "h:x", "ext::sh -c x", ""]) {
    assert.equal(isLocalGitUrl(u), false, u);
  }
});

Deno.test("a repository config file that is not a regular file is read through git, never opened by ivpm", async () => {
  const root = await Deno.makeTempDir({ prefix: "ivpm-harden-" });
  try {
    const repo = await makeRepo(root, "r", { files: { "a.txt": "1\n" } });
    // Not a regular file: opening a FIFO (or a device) there would block, so ivpm asks git for the keys.
    await Deno.mkdir(join(repo.path, ".git", "config.worktree"));
    const asked: string[] = [];
    const local = await localConfig(repo.path, (dir) => {
      asked.push(dir);
      return Promise.resolve(["filter.evil.clean", "core.bare"]);
    });
    assert.deepEqual(asked, [repo.path]);
    assert.deepEqual(local.sections, [{ section: "filter", subsection: "evil" }, { section: "core" }]);
    // A plain repository is read directly: git is not asked.
    await Deno.remove(join(repo.path, ".git", "config.worktree"));
    const direct = await localConfig(repo.path, () => Promise.reject(new Error("git should not be asked")));
    assert.ok(direct.sections.some((s) => s.section === "core"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
