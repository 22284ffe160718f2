/**
 * Every source type through `runUpdate`, against real git repositories, a
 * loopback HTTP server, local files and directories, and a fake GitHub API.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { detectPlatform } from "../../core/fetch/github/platform.ts";
import { HandlerRegistry } from "../../core/engine/registry.ts";
import { runUpdate, type UpdateOptions } from "../../core/update/update.ts";
import { writeTar, writeZip } from "../_helpers/archive_fixtures.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { envWith } from "../_helpers/env.ts";
import { startFakeGitHub } from "../_helpers/fake_github.ts";
import { fixtureGit, makeRepo, makeSubmoduleRepo } from "../_helpers/git_fixture.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import {
  type DepEntry,
  depSets,
  exists,
  listDir,
  readLockJson,
  recorder,
  tempRoot,
  writeIvpmYaml,
  writeProjectDeps,
} from "../_helpers/update_project.ts";

/** Writes a project with one default dep-set and runs an update of it. */
async function update(root: string, deps: DepEntry[], opts: Partial<UpdateOptions> = {}) {
  const project = await writeProjectDeps(join(root, "proj"), deps);
  const rec = recorder();
  const result = await runUpdate({ projectDir: project, cacheDir: null, reporter: rec, ...opts });
  return {
    project,
    result,
    rec,
    lock: await readLockJson(project),
    pkg: (n: string) => join(project, "packages", n),
  };
}

/** Writes a project like {@link update} and returns the IvpmError its update throws. */
async function failingUpdate(root: string, deps: DepEntry[]) {
  const project = await writeProjectDeps(join(root, "proj"), deps);
  const error = await catchIvpmErrorAsync(() => runUpdate({ projectDir: project, cacheDir: null }));
  return { project, error };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function git(dir: string, ...args: string[]) {
  return await fixtureGit(dir, ...args);
}

// ---------------------------------------------------------------- git

Deno.test("git: a branch checks out the branch tip and records it", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", {
      files: { "a.txt": "main" },
      branches: { dev: { "a.txt": "dev" } },
    });
    const { lock, pkg } = await update(tmp.path, [{ name: "r", url: repo.url, branch: "dev" }]);
    assert.equal(await Deno.readTextFile(join(pkg("r"), "a.txt")), "dev");
    assert.equal(lock.packages.r.branch, "dev");
    assert.equal(lock.packages.r.commit_resolved, repo.branchHeads.dev);
    assert.equal(await git(pkg("r"), "rev-parse", "--abbrev-ref", "HEAD"), "dev");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("git: a tag checks out the tagged content, not main (the original's bug)", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", {
      files: { "a.txt": "v1" },
      tags: ["v1"],
      annotatedTags: ["v1-annotated"],
      commits: 3,
    });
    const { lock, pkg } = await update(tmp.path, [
      { name: "light", url: repo.url, tag: "v1" },
      { name: "annotated", url: repo.url, tag: "v1-annotated" },
    ]);
    for (const name of ["light", "annotated"]) {
      // commit.txt only exists from main's second commit on.
      assert.equal(await exists(join(pkg(name), "commit.txt")), false, name);
      assert.equal(lock.packages[name].commit_resolved, repo.first, name);
      assert.equal(await git(pkg(name), "rev-parse", "HEAD"), repo.first, name);
    }
    assert.equal(lock.packages.light.tag, "v1");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("git: a commit is checked out detached; depth gives a shallow clone", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" }, commits: 4 });
    const { lock, pkg } = await update(tmp.path, [
      { name: "pinned", url: repo.url, commit: repo.mainCommits[1] },
      { name: "short", url: repo.url, commit: repo.mainCommits[2].slice(0, 10) },
      { name: "shallow", url: repo.url, depth: 1 },
    ]);
    assert.equal(await Deno.readTextFile(join(pkg("pinned"), "commit.txt")), "2\n");
    assert.equal(lock.packages.pinned.commit_resolved, repo.mainCommits[1]);
    assert.equal(lock.packages.pinned.commit_requested, repo.mainCommits[1]);
    assert.equal(lock.packages.short.commit_resolved, repo.mainCommits[2]);
    assert.equal(await git(pkg("shallow"), "rev-list", "--count", "HEAD"), "1");
    assert.equal(await Deno.readTextFile(join(pkg("shallow"), "commit.txt")), "4\n");
    assert.equal(await git(pkg("pinned"), "rev-list", "--count", "HEAD"), "2");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("git: submodules are initialised, unless submodules: false", async () => {
  const tmp = await tempRoot();
  try {
    const inner = await makeRepo(tmp.path, "inner", { files: { "inner.txt": "inner" } });
    const outer = await makeSubmoduleRepo(tmp.path, "outer", {
      files: { "top.txt": "top" },
      submodules: { "ext/inner": inner },
    });
    const { pkg } = await update(tmp.path, [
      { name: "with", url: outer.url },
      { name: "without", url: outer.url, submodules: false },
    ]);
    assert.equal(await Deno.readTextFile(join(pkg("with"), "ext/inner/inner.txt")), "inner");
    assert.equal(await Deno.readTextFile(join(pkg("without"), "top.txt")), "top");
    assert.equal(await exists(join(pkg("without"), "ext/inner/inner.txt")), false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("git: an unknown branch fails naming the package and the branch, installing nothing", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" } });
    const { project, error } = await failingUpdate(tmp.path, [{ name: "r", url: repo.url, branch: "nope" }]);
    assert.match(error.message, /'r'/);
    assert.match(error.message, /nope/);
    assert.deepEqual(await listDir(join(project, "packages")), [".ivpm.lock"]);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("several failures are all reported, in declaration order", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" } });
    const project = await writeIvpmYaml(join(tmp.path, "proj"), {
      name: "proj",
      "dep-sets": depSets({
        default: [
          { name: "first", url: repo.url, branch: "nope" },
          { name: "ok", url: repo.url },
          { name: "second", url: `file://${tmp.path}/missing.git` },
        ],
      }),
    });
    const rec = recorder();
    // Enough jobs that all three start together (after a failure, nothing new starts).
    const e = await catchIvpmErrorAsync(() =>
      runUpdate({ projectDir: project, cacheDir: null, reporter: rec, jobs: 3 })
    );
    assert.match(e.message, /^2 packages failed \(first, second\); first: 'first': .*nope/);
    const errors = rec.messages("error");
    assert.equal(errors.length, 1);
    assert.match(errors[0], /'second'.*missing\.git/);
    assert.equal(await exists(join(project, "packages/package-lock.json")), false);
  } finally {
    await tmp.dispose();
  }
});

// ---------------------------------------------------------------- http

/** Serves archives built in `dir`; returns the server and the bytes of each path. */
async function archiveServer(dir: string) {
  await writeTar(join(dir, "pkg.tar.gz"), [
    { name: "pkg-1.0/", type: "directory" },
    { name: "pkg-1.0/README", content: "from tar" },
    { name: "pkg-1.0/bin/tool", content: "#!/bin/sh\n", mode: 0o755 },
  ]);
  await writeZip(join(dir, "pkg.zip"), { "pkg/README": "from zip", "pkg/lib/a.txt": "a" });
  await writeZip(join(dir, "lib.jar"), { "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n" });
  await writeZip(join(dir, "evil.zip"), { "ok.txt": "fine", "../evil.txt": "escaped" });
  const bytes: Record<string, Uint8Array> = {};
  for (const f of ["pkg.tar.gz", "pkg.zip", "lib.jar", "evil.zip"]) {
    bytes[f] = await Deno.readFile(join(dir, f));
  }
  const body = (name: string) => () => new Response(bytes[name].slice());
  const server = startHttpServer({
    "/pkg.tar.gz": body("pkg.tar.gz"),
    "/pkg.zip": body("pkg.zip"),
    "/lib.jar": body("lib.jar"),
    "/evil.zip": body("evil.zip"),
    "/notes.txt": () => new Response("plain notes\n"),
    "/flaky.tar.gz": (_r, { hit }) =>
      hit < 3 ? new Response("busy", { status: 500 }) : new Response(bytes["pkg.tar.gz"].slice()),
  });
  return { server, bytes };
}

Deno.test("http: .tar.gz and .zip are unpacked, .jar kept as a file, a plain file kept in a directory", async () => {
  const tmp = await tempRoot();
  const { server, bytes } = await archiveServer(tmp.path);
  try {
    const { lock, pkg, rec } = await update(tmp.path, [
      { name: "tgz", url: `${server.url}/pkg.tar.gz` },
      { name: "zip", url: `${server.url}/pkg.zip` },
      { name: "jar", url: `${server.url}/lib.jar` },
      { name: "txt", url: `${server.url}/notes.txt` },
      // Explicit src: http (the original rejected it as "unsupported archive type 'http'").
      { name: "explicit", src: "http", url: `${server.url}/pkg.tar.gz` },
    ]);
    assert.equal(await Deno.readTextFile(join(pkg("tgz"), "README")), "from tar");
    assert.equal(((await Deno.stat(join(pkg("tgz"), "bin/tool"))).mode ?? 0) & 0o100, 0o100);
    assert.equal(await Deno.readTextFile(join(pkg("zip"), "README")), "from zip");
    assert.equal(await Deno.readTextFile(join(pkg("zip"), "lib/a.txt")), "a");
    assert.ok((await Deno.lstat(pkg("jar"))).isFile);
    assert.deepEqual(await Deno.readFile(pkg("jar")), bytes["lib.jar"]);
    assert.equal(await Deno.readTextFile(join(pkg("txt"), "notes.txt")), "plain notes\n");
    assert.equal(await Deno.readTextFile(join(pkg("explicit"), "README")), "from tar");
    assert.equal(lock.packages.tgz.src, "http");
    assert.equal(lock.packages.tgz.url, `${server.url}/pkg.tar.gz`);
    assert.equal(lock.packages.tgz.sha256, sha256(bytes["pkg.tar.gz"]));
    assert.equal(lock.packages.jar.sha256, sha256(bytes["lib.jar"]));
    assert.equal(rec.landed.get("tgz")!.status, "fetched");
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("http: a matching sha256 passes; a mismatch fails clearly and installs nothing", async () => {
  const tmp = await tempRoot();
  const { server, bytes } = await archiveServer(tmp.path);
  try {
    const good = sha256(bytes["pkg.tar.gz"]);
    const { lock, pkg } = await update(join(tmp.path, "ok"), [
      { name: "tgz", url: `${server.url}/pkg.tar.gz`, sha256: good.toUpperCase() },
    ]);
    assert.equal(lock.packages.tgz.sha256, good);
    assert.equal(await Deno.readTextFile(join(pkg("tgz"), "README")), "from tar");

    const wrong = "0".repeat(64);
    const { project, error } = await failingUpdate(join(tmp.path, "bad"), [
      { name: "tgz", url: `${server.url}/pkg.tar.gz`, sha256: wrong },
    ]);
    assert.match(error.message, /'tgz'/);
    assert.match(error.message, /[Cc]hecksum mismatch/);
    assert.ok(error.message.includes(`${server.url}/pkg.tar.gz`));
    assert.ok(error.message.includes(good));
    assert.deepEqual(await listDir(join(project, "packages")), [".ivpm.lock"]);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("http: 500 responses are retried until the download succeeds", async () => {
  const tmp = await tempRoot();
  const { server } = await archiveServer(tmp.path);
  try {
    const { pkg } = await update(tmp.path, [{ name: "flaky", url: `${server.url}/flaky.tar.gz` }]);
    assert.equal(await Deno.readTextFile(join(pkg("flaky"), "README")), "from tar");
    assert.equal(server.hits["/flaky.tar.gz"], 3);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("http: an archive entry escaping the package is refused by name; nothing is installed", async () => {
  const tmp = await tempRoot();
  const { server } = await archiveServer(tmp.path);
  try {
    const { project, error } = await failingUpdate(tmp.path, [{
      name: "evil",
      url: `${server.url}/evil.zip`,
    }]);
    assert.match(error.message, /'evil'/);
    assert.ok(error.message.includes("../evil.txt"), error.message);
    assert.deepEqual(await listDir(join(project, "packages")), [".ivpm.lock"]);
    assert.equal(await exists(join(project, "evil.txt")), false);
    assert.equal(await exists(join(project, "packages", "evil.txt")), false);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

// ---------------------------------------------------------------- file and dir

Deno.test("file: a file:// URL and a relative path to an archive are unpacked", async () => {
  const tmp = await tempRoot();
  try {
    const archives = join(tmp.path, "proj", "archives");
    await Deno.mkdir(archives, { recursive: true });
    await writeTar(join(archives, "pkg.tar.gz"), [{ name: "pkg/README", content: "local tar" }]);
    const { lock, pkg } = await update(tmp.path, [
      { name: "byurl", url: pathToFileURL(join(archives, "pkg.tar.gz")).href },
      { name: "byrel", src: "file", url: "archives/pkg.tar.gz" },
    ]);
    assert.equal(await Deno.readTextFile(join(pkg("byurl"), "README")), "local tar");
    assert.equal(await Deno.readTextFile(join(pkg("byrel"), "README")), "local tar");
    assert.equal(lock.packages.byurl.src, "file");
    assert.equal(lock.packages.byurl.path, join(archives, "pkg.tar.gz"));
    assert.equal(lock.packages.byrel.path, "archives/pkg.tar.gz");
    assert.equal(lock.packages.byrel.reproducible, false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("file: a missing file names the path and the package", async () => {
  const tmp = await tempRoot();
  try {
    const { error } = await failingUpdate(tmp.path, [{ name: "gone", src: "file", url: "nowhere/x.tar.gz" }]);
    assert.match(error.message, /'gone'/);
    assert.match(error.message, /nowhere\/x\.tar\.gz/);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("dir: symlinked by default, copied with link: false, and a file:// directory is detected as dir", async () => {
  const tmp = await tempRoot();
  try {
    const src = join(tmp.path, "srcdir");
    await Deno.mkdir(join(src, "sub"), { recursive: true });
    await Deno.writeTextFile(join(src, "sub/a.txt"), "a");
    const { lock, pkg } = await update(tmp.path, [
      { name: "linked", src: "dir", url: src },
      { name: "copied", src: "dir", url: src, link: false },
      { name: "detected", url: pathToFileURL(src).href },
    ]);
    assert.ok((await Deno.lstat(pkg("linked"))).isSymlink);
    assert.equal(await Deno.realPath(pkg("linked")), src);
    const copied = await Deno.lstat(pkg("copied"));
    assert.ok(copied.isDirectory && !copied.isSymlink);
    assert.equal(await Deno.readTextFile(join(pkg("copied"), "sub/a.txt")), "a");
    await Deno.writeTextFile(join(src, "sub/a.txt"), "changed");
    assert.equal(await Deno.readTextFile(join(pkg("copied"), "sub/a.txt")), "a");
    assert.equal(await Deno.readTextFile(join(pkg("linked"), "sub/a.txt")), "changed");
    assert.ok((await Deno.lstat(pkg("detected"))).isSymlink);
    assert.equal(lock.packages.detected.src, "dir");
    assert.equal(lock.packages.detected.path, src);
    assert.equal(lock.packages.copied.reproducible, false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a scoped name (group/lib) lands one directory down", async () => {
  const tmp = await tempRoot();
  try {
    const src = join(tmp.path, "srcdir");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "a");
    const repo = await makeRepo(tmp.path, "r", { files: { "b.txt": "b" } });
    const { project, lock } = await update(tmp.path, [
      { name: "group/lib", src: "dir", url: src },
      { name: "group/repo", url: repo.url },
    ]);
    assert.equal(await Deno.readTextFile(join(project, "packages/group/lib/a.txt")), "a");
    assert.equal(await Deno.readTextFile(join(project, "packages/group/repo/b.txt")), "b");
    assert.deepEqual(Object.keys(lock.packages).sort(), ["group/lib", "group/repo"]);
  } finally {
    await tmp.dispose();
  }
});

// ---------------------------------------------------------------- gh-rls

Deno.test("gh-rls: picks this platform's asset from the latest release and unpacks it", async () => {
  const tmp = await tempRoot();
  const platform = await detectPlatform();
  const os = platform.os === "darwin" ? "macos" : platform.os;
  const tarPath = join(tmp.path, "asset.tar.gz");
  await writeTar(tarPath, [{ name: "tool-2.0/bin/tool", content: "the tool", mode: 0o755 }]);
  const assetBytes = await Deno.readFile(tarPath);
  const mine = `tool-2.0-${os}-${platform.arch}.tar.gz`;
  const decoys = ["linux", "macos", "windows"].flatMap((o) =>
    ["x86_64", "aarch64"].map((a) => `tool-2.0-${o}-${a}.tar.gz`)
  ).filter((n) => n !== mine);
  const gh = startFakeGitHub({
    repos: {
      "acme/tool": {
        releases: [
          { tag: "v3.0-rc1", prerelease: true, assets: [`tool-3.0-${os}-${platform.arch}.tar.gz`] },
          { tag: "v2.0", assets: [...decoys, { name: mine, body: assetBytes }] },
          { tag: "v1.0", assets: [`tool-1.0-${os}-${platform.arch}.tar.gz`] },
        ],
      },
    },
  });
  try {
    const { lock, pkg } = await update(tmp.path, [
      { name: "tool", src: "gh-rls", url: "https://github.com/acme/tool" },
    ], { env: envWith({ GITHUB_API_URL: gh.url, GITHUB_TOKEN: undefined }) });
    assert.equal(await Deno.readTextFile(join(pkg("tool"), "bin/tool")), "the tool");
    assert.equal(lock.packages.tool.version_resolved, "v2.0");
    assert.equal(lock.packages.tool.version_requested, "latest");
    assert.equal(lock.packages.tool.asset, mine);
    assert.equal(lock.packages.tool.sha256, sha256(assetBytes));
    assert.ok(gh.requests.some((r) => r.path.endsWith(`/releases/download/v2.0/${mine}`)));
  } finally {
    await gh.close();
    await tmp.dispose();
  }
});

// ---------------------------------------------------------------- virtual

Deno.test("pypi and npm entries are recorded in the lock and create nothing under packages/", async () => {
  const tmp = await tempRoot();
  try {
    // No handlers: this is about what the fetch stage records (installing is the handlers' job).
    const { lock, project, rec } = await update(tmp.path, [
      { name: "requests", src: "pypi", version: "2.31.0" },
      { name: "pyyaml", pypi: true },
      { name: "left-pad", src: "npm", version: "^1.3.0", dev: true },
    ], { handlers: new HandlerRegistry() });
    assert.deepEqual(await listDir(join(project, "packages")), [
      ".ivpm.lock",
      "ivpm.json",
      "package-lock.json",
    ]);
    assert.deepEqual(lock.packages.requests, {
      src: "pypi",
      resolved_by: "root",
      dep_set: "default",
      reproducible: true,
      version_requested: "2.31.0",
      version_resolved: null,
    });
    assert.equal(lock.packages.pyyaml.src, "pypi");
    assert.equal(lock.packages.pyyaml.version_requested, null);
    assert.equal(lock.packages["left-pad"].version_requested, "^1.3.0");
    assert.equal(lock.packages["left-pad"].dev, true);
    for (const n of ["requests", "pyyaml", "left-pad"]) assert.equal(rec.landed.get(n)!.status, "virtual");
  } finally {
    await tmp.dispose();
  }
});
