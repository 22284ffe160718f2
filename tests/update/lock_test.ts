/**
 * The lock file and change detection: format and checksum (checked against
 * Python's own json.dumps when python3 exists), no-op updates that touch
 * nothing, spec changes, `--refresh-all`, local-change safety, removed
 * packages, and `--lock-file` reproduction.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { UpdateOptions } from "../../core/update/update.ts";
import { writeTar } from "../_helpers/archive_fixtures.ts";
import { addCommit, fixtureGit, type FixtureRepo, makeRepo } from "../_helpers/git_fixture.ts";
import { startHttpServer, type TestServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  exists,
  readLockJson,
  runIvpm,
  tempRoot,
  updateRecorded,
  writeIvpmYaml,
  writeProjectDeps,
} from "../_helpers/update_project.ts";

async function update(project: string, opts: Partial<UpdateOptions> = {}) {
  const { result, rec } = await updateRecorded(project, opts);
  const status = Object.fromEntries([...rec.landed].map(([n, l]) => [n, l.status]));
  return { result, rec, status };
}

async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", { args: ["-c", "0"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

async function python(code: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("python3", { args: ["-c", code, ...args], stdout: "piped" }).output();
  assert.ok(out.success, "python3 failed");
  return new TextDecoder().decode(out.stdout);
}

/** Serves a tarball at /same.tar.gz (fixed ETag) and /changing.tar.gz (ETag bumped by `bump`). */
async function etagServer(
  dir: string,
): Promise<{ server: TestServer; gets: (p: string) => number; bump(): void }> {
  await writeTar(join(dir, "a.tar.gz"), [{ name: "a/README", content: "archive" }]);
  const bytes = await Deno.readFile(join(dir, "a.tar.gz"));
  let version = 1;
  const server = startHttpServer({
    "/same.tar.gz": () => new Response(bytes.slice(), { headers: { etag: '"same"' } }),
    "/changing.tar.gz": () => new Response(bytes.slice(), { headers: { etag: `"v${version}"` } }),
  });
  return {
    server,
    gets: (p) => server.requests.filter((r) => r.path === p && r.method === "GET").length,
    bump: () => void version++,
  };
}

Deno.test("the lock has the original's format, and its sha256 matches Python's json.dumps", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" } });
    // A non-ASCII path checks the \u escaping of Python's ensure_ascii.
    const local = join(tmp.path, "données");
    await Deno.mkdir(local);
    const project = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "r", url: repo.url },
      { name: "local", src: "dir", url: local },
      { name: "requests", src: "pypi" },
    ]);
    await update(project);
    const file = join(project, "packages/package-lock.json");
    const text = await Deno.readTextFile(file);
    const lock = JSON.parse(text);
    assert.deepEqual(Object.keys(lock).sort(), ["generated", "ivpm_lock_version", "packages", "sha256"]);
    assert.equal(lock.ivpm_lock_version, 1);
    assert.match(lock.generated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    assert.deepEqual(lock.packages.r, {
      branch: null,
      cache: null,
      commit_requested: null,
      commit_resolved: repo.head,
      dep_set: "default",
      reproducible: true,
      resolved_by: "root",
      src: "git",
      tag: null,
      url: repo.url,
    });
    assert.ok(text.includes("donn\\u00e9es"), "non-ASCII is escaped like Python's ensure_ascii");
    assert.ok(text.endsWith("}\n"));

    const { sha256: recorded, ...rest } = lock;
    const ours = createHash("sha256").update(pyLikeDump(rest)).digest("hex");
    assert.equal(recorded, ours);
    if (await hasPython()) {
      const py = await python(
        "import json,hashlib,sys; d=json.load(open(sys.argv[1])); d.pop('sha256'); " +
          "print(hashlib.sha256(json.dumps(d,indent=2,sort_keys=True).encode()).hexdigest())",
        file,
      );
      assert.equal(py.trim(), recorded);
      const dumped = await python(
        "import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])),indent=2,sort_keys=True)+'\\n')",
        file,
      );
      assert.equal(text, dumped, "the file is byte-for-byte what Python writes");
    }
  } finally {
    await tmp.dispose();
  }
});

/** A second, independent rendering of json.dumps(indent=2, sort_keys=True) for when python3 is absent. */
function pyLikeDump(v: unknown, ind = ""): string {
  const esc = (s: string) =>
    JSON.stringify(s).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (v === null) return "null";
  if (typeof v === "string") return esc(v);
  if (typeof v !== "object") return String(v);
  const inner = ind + "  ";
  if (Array.isArray(v)) {
    return v.length ? `[\n${v.map((x) => inner + pyLikeDump(x, inner)).join(",\n")}\n${ind}]` : "[]";
  }
  const keys = Object.keys(v).sort();
  if (!keys.length) return "{}";
  const obj = v as Record<string, unknown>;
  return `{\n${keys.map((k) => `${inner}${esc(k)}: ${pyLikeDump(obj[k], inner)}`).join(",\n")}\n${ind}}`;
}

Deno.test("a second update with nothing changed makes no git or network call", async () => {
  const tmp = await tempRoot();
  const { server, gets } = await etagServer(tmp.path);
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" }, tags: ["v1"] });
    const project = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "onmain", url: repo.url },
      { name: "ontag", url: repo.url, tag: "v1" },
      { name: "arc", url: `${server.url}/same.tar.gz` },
      { name: "py", src: "pypi" },
    ]);
    await update(project);
    const before = await readLockJson(project);
    // The remote becomes unreadable: any git call would fail.
    await Deno.chmod(repo.bare, 0o000);
    const hits = server.requests.length;
    const { status, result } = await update(project);
    assert.deepEqual(status, { onmain: "up-to-date", ontag: "up-to-date", arc: "up-to-date", py: "virtual" });
    assert.equal(server.requests.length, hits);
    assert.equal(gets("/same.tar.gz"), 1);
    const after = await readLockJson(project);
    assert.deepEqual(after.packages, before.packages);
    assert.deepEqual(result.removed, []);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("changing a package's branch re-fetches it", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", {
      files: { "a.txt": "main" },
      branches: { dev: { "a.txt": "dev" } },
    });
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "r", url: repo.url }]);
    await update(project);
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "main");
    await writeProjectDeps(project, [{ name: "r", url: repo.url, branch: "dev" }]);
    const { status } = await update(project);
    assert.equal(status.r, "updated");
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "dev");
    const lock = await readLockJson(project);
    assert.equal(lock.packages.r.branch, "dev");
    assert.equal(lock.packages.r.commit_resolved, repo.branchHeads.dev);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("--refresh-all fast-forwards git packages and re-downloads only archives whose ETag changed", async () => {
  const tmp = await tempRoot();
  const { server, gets, bump } = await etagServer(tmp.path);
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "one" } });
    const project = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "r", url: repo.url },
      { name: "same", url: `${server.url}/same.tar.gz` },
      { name: "changing", url: `${server.url}/changing.tar.gz` },
      { name: "local", src: "dir", url: tmp.path },
    ]);
    await update(project);
    const next = await addCommit(repo.path, { "a.txt": "two" }, { push: true });
    bump();

    // Without --refresh-all nothing moves.
    const plain = await update(project);
    assert.equal(plain.status.r, "up-to-date");
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "one");

    const { status } = await update(project, { refresh: true });
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "two");
    const lock = await readLockJson(project);
    assert.equal(lock.packages.r.commit_resolved, next);
    assert.equal(status.r, "updated");
    assert.equal(gets("/same.tar.gz"), 1, "same ETag: not downloaded again");
    assert.equal(status.same, "up-to-date");
    assert.equal(gets("/changing.tar.gz"), 2, "new ETag: downloaded again");
    assert.equal(lock.packages.changing.etag, '"v2"');
    assert.equal(lock.packages.same.etag, '"same"');
    assert.equal(status.local, "up-to-date", "a link already in place is not redone");
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("local changes in a git package keep it through a re-fetch unless --force", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", {
      files: { "a.txt": "main" },
      branches: { dev: { "a.txt": "dev" } },
    });
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "r", url: repo.url }]);
    await update(project);
    await Deno.writeTextFile(join(project, "packages/r/a.txt"), "my work");
    await writeProjectDeps(project, [{ name: "r", url: repo.url, branch: "dev" }]);

    const kept = (await update(project)).rec.messages("warning");
    assert.ok(
      kept.some((m) => /^packages\/r kept: uncommitted changes in 1 file;.*--force/.test(m)),
      kept.join("\n"),
    );
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "my work");
    assert.equal((await readLockJson(project)).packages.r.branch, null, "the old lock entry is kept");

    // A local commit that is on no remote is protected too.
    await fixtureGit(join(project, "packages/r"), "commit", "-qam", "mine");
    const kept2 = (await update(project)).rec.messages("warning");
    assert.ok(kept2.some((m) => /packages\/r kept: 1 local commit not on any remote branch/.test(m)));

    await update(project, { force: true });
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "dev");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("removed packages are reported and dropped from the lock; --prune deletes them", async () => {
  const tmp = await tempRoot();
  try {
    const a = join(tmp.path, "a"), b = join(tmp.path, "b");
    await Deno.mkdir(a);
    await Deno.mkdir(b);
    await Deno.writeTextFile(join(b, "keep.txt"), "b");
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [
      { name: "a", src: "dir", url: a },
      { name: "b", src: "dir", url: b, link: false },
      { name: "c", src: "pypi" },
    ]);
    await update(project);
    await writeProjectDeps(project, [{ name: "a", src: "dir", url: a }]);
    const { result } = await update(project);
    assert.deepEqual(result.removed.sort(), ["b", "c"]);
    assert.deepEqual(result.pruned, []);
    assert.deepEqual(Object.keys((await readLockJson(project)).packages), ["a"]);
    assert.equal(await Deno.readTextFile(join(project, "packages/b/keep.txt")), "b", "directory kept");

    // The next update does not know about b any more; --prune with the old lock deletes it.
    await writeProjectDeps(project, [{ name: "a", src: "dir", url: a }, {
      name: "b",
      src: "dir",
      url: b,
      link: false,
    }]);
    await update(project);
    await writeProjectDeps(project, [{ name: "a", src: "dir", url: a }]);
    const pruned = await update(project, { prune: true });
    assert.deepEqual(pruned.result.pruned, ["b"]);
    assert.equal(await exists(join(project, "packages/b")), false);
    assert.equal(await Deno.readTextFile(join(b, "keep.txt")), "b", "the source directory is untouched");
  } finally {
    await tmp.dispose();
  }
});

async function lockReproductionSetup(
  root: string,
): Promise<{ repo: FixtureRepo; project: string; local: string }> {
  const repo = await makeRepo(root, "r", {
    files: { "a.txt": "one" },
    branches: { dev: { "a.txt": "dev" } },
  });
  const local = join(root, "local");
  await Deno.mkdir(local);
  const project = join(root, "proj");
  await writeProjectDeps(project, [
    { name: "r", url: repo.url },
    { name: "rdev", url: repo.url, branch: "dev" },
    { name: "local", src: "dir", url: local },
  ]);
  return { repo, project, local };
}

Deno.test("--lock-file reproduces the recorded commits in a fresh project and names non-reproducible entries", async () => {
  const tmp = await tempRoot();
  try {
    const { repo, project } = await lockReproductionSetup(tmp.path);
    await update(project);
    const original = await readLockJson(project);
    // Upstream moves on; the lock must still give the old commits.
    await addCommit(repo.path, { "a.txt": "two" }, { push: true });
    await fixtureGit(repo.path, "checkout", "-q", "dev");
    await addCommit(repo.path, { "a.txt": "dev two" }, { push: true });

    const fresh = await writeIvpmYaml(join(tmp.path, "fresh"), { name: "fresh" });
    const lockCopy = join(tmp.path, "saved-lock.json");
    await Deno.copyFile(join(project, "packages/package-lock.json"), lockCopy);
    const { result } = await update(fresh, { lockFile: lockCopy });
    const lock = await readLockJson(fresh);
    for (const name of ["r", "rdev"]) {
      assert.equal(lock.packages[name].commit_resolved, original.packages[name].commit_resolved, name);
    }
    assert.equal(await Deno.readTextFile(join(fresh, "packages/r/a.txt")), "one");
    assert.equal(await Deno.readTextFile(join(fresh, "packages/rdev/a.txt")), "dev");
    assert.equal(lock.packages.rdev.branch, "dev");
    assert.deepEqual(result.nonReproducible, ["local (src: dir)"]);
    assert.ok((await Deno.lstat(join(fresh, "packages/local"))).isSymlink);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("the CLI warns about lock entries it cannot reproduce", async () => {
  const tmp = await tempRoot();
  try {
    const { project } = await lockReproductionSetup(tmp.path);
    await update(project);
    const fresh = await writeIvpmYaml(join(tmp.path, "fresh"), { name: "fresh" });
    const r = await runIvpm(
      fresh,
      ["update", "--skip-py-install", "--lock-file", join(project, "packages/package-lock.json")],
      cliEnv(),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning:.*not reproducible.*local \(src: dir\)/);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a commit made on a detached tag checkout is protected too", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "v1" }, tags: ["v1"], commits: 2 });
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "r", url: repo.url, tag: "v1" }]);
    await update(project);
    const pkg = join(project, "packages/r");
    await fixtureGit(pkg, "commit", "-q", "--allow-empty", "-m", "work on a detached head");
    await writeProjectDeps(project, [{ name: "r", url: repo.url }]);
    const { rec } = await update(project);
    assert.ok(
      rec.messages("warning").some((m) => /packages\/r kept: 1 local commit not on any remote/.test(m)),
    );
    // A clean tag checkout is not mistaken for local work.
    await fixtureGit(pkg, "checkout", "-q", "--detach", "v1");
    const { status } = await update(project);
    assert.equal(status.r, "updated");
    assert.equal(await Deno.readTextFile(join(pkg, "commit.txt")), "2\n");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("--prune keeps a removed git package holding local work unless --force", async () => {
  const tmp = await tempRoot();
  try {
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "a" } });
    const project = join(tmp.path, "proj");
    await writeProjectDeps(project, [{ name: "r", url: repo.url }, { name: "py", src: "pypi" }]);
    await update(project);
    await Deno.writeTextFile(join(project, "packages/r/a.txt"), "my work");
    await writeProjectDeps(project, [{ name: "py", src: "pypi" }]);
    const { result, rec } = await update(project, { prune: true });
    assert.deepEqual(result.removed, ["r"]);
    assert.deepEqual(result.pruned, []);
    assert.ok(
      rec.messages("warning").some((m) => /^packages\/r kept: uncommitted changes/.test(m)),
    );
    assert.equal(await Deno.readTextFile(join(project, "packages/r/a.txt")), "my work");

    // The lock no longer names r, so put it back to prune it with --force.
    await writeProjectDeps(project, [{ name: "r", url: repo.url }, { name: "py", src: "pypi" }]);
    await update(project);
    await writeProjectDeps(project, [{ name: "py", src: "pypi" }]);
    const forced = await update(project, { prune: true, force: true });
    assert.deepEqual(forced.result.pruned, ["r"]);
    assert.equal(await exists(join(project, "packages/r")), false);
  } finally {
    await tmp.dispose();
  }
});
