/**
 * `cache: true` packages: stored once in the shared cache, linked into
 * packages/, read-only, and reused by another project without cloning.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runUpdate } from "../../core/update/update.ts";
import { writeTar } from "../_helpers/archive_fixtures.ts";
import { makeRepo } from "../_helpers/git_fixture.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  type DepEntry,
  depSets,
  listDir,
  readLockJson,
  recorder,
  runIvpm,
  tempRoot,
  writeIvpmYaml,
  writeProjectDeps,
} from "../_helpers/update_project.ts";

async function updateProject(dir: string, deps: DepEntry[], cacheDir: string) {
  const project = await writeProjectDeps(dir, deps);
  const rec = recorder();
  await runUpdate({ projectDir: project, cacheDir, reporter: rec });
  return { project, rec, lock: await readLockJson(project) };
}

/** Every cache entry directory (`<ns>/<key>`), relative to the cache root. */
async function entries(cache: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of await listDir(cache)) {
    if (ns.startsWith(".")) continue;
    const st = await Deno.stat(join(cache, ns));
    if (!st.isDirectory) continue;
    for (const key of await listDir(join(cache, ns))) {
      if ((await Deno.stat(join(cache, ns, key))).isDirectory) out.push(`${ns}/${key}`);
    }
  }
  return out;
}

async function assertReadOnlyTree(path: string): Promise<void> {
  const st = await Deno.lstat(path);
  assert.equal((st.mode ?? 0) & 0o222, 0, `${path} should have no write bits`);
  if (st.isDirectory) {
    for await (const e of Deno.readDir(path)) await assertReadOnlyTree(join(path, e.name));
  }
}

Deno.test("a cache: true git package is stored once, read-only, and linked from packages/", async () => {
  const tmp = await tempRoot();
  try {
    const cache = join(tmp.path, "cache");
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "cached", "sub/b.txt": "b" } });
    const { project, lock, rec } = await updateProject(join(tmp.path, "p1"), [
      { name: "r", url: repo.url, cache: true },
    ], cache);
    const link = join(project, "packages/r");
    assert.ok((await Deno.lstat(link)).isSymlink);
    const target = await Deno.realPath(link);
    assert.ok(target.startsWith(cache + "/"), target);
    assert.deepEqual(await entries(cache), [target.slice(cache.length + 1)]);
    assert.ok(target.endsWith(repo.head), "keyed by the commit");
    assert.equal(await Deno.readTextFile(join(link, "a.txt")), "cached");
    await assertReadOnlyTree(join(target, "sub"));
    await assertReadOnlyTree(join(target, "a.txt"));
    assert.equal(lock.packages.r.cache, true);
    assert.equal(lock.packages.r.commit_resolved, repo.head);
    assert.equal(rec.landed.get("r")!.cacheHit, false);
    // The project is registered so `ivpm cache clean` keeps what it links to.
    const registered = await listDir(join(cache, ".ivpm-projects"));
    assert.equal(registered.length, 1);
    assert.equal(
      (await Deno.readTextFile(join(cache, ".ivpm-projects", registered[0]))).trim(),
      join(project, "packages"),
    );
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a second project sharing the cache reuses the entry without cloning", async () => {
  const tmp = await tempRoot();
  try {
    const cache = join(tmp.path, "cache");
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "cached" } });
    const p1 = await updateProject(join(tmp.path, "p1"), [{ name: "r", url: repo.url, cache: true }], cache);

    // By branch: the remote is asked which commit main is (ls-remote), but nothing is cloned.
    const p2 = await updateProject(join(tmp.path, "p2"), [{ name: "r", url: repo.url, cache: true }], cache);
    assert.equal(p2.rec.landed.get("r")!.cacheHit, true);
    assert.ok(
      p2.rec.messages("note").some((m) => m.startsWith("Cache hit for r")),
      p2.rec.messages().join("\n"),
    );

    // By commit, with the remote unreadable: any clone or fetch would fail.
    await Deno.chmod(repo.bare, 0o000);
    const p3 = await updateProject(join(tmp.path, "p3"), [
      { name: "r", url: repo.url, cache: true, commit: repo.head },
    ], cache);
    assert.equal(p3.rec.landed.get("r")!.cacheHit, true);
    const targets = await Promise.all(
      [p1, p2, p3].map((p) => Deno.realPath(join(p.project, "packages/r"))),
    );
    assert.equal(new Set(targets).size, 1);
    assert.equal((await entries(cache)).length, 1);
    assert.equal(await Deno.readTextFile(join(p3.project, "packages/r/a.txt")), "cached");
    assert.equal((await listDir(join(cache, ".ivpm-projects"))).length, 3);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a cache: true archive is downloaded once for two projects", async () => {
  const tmp = await tempRoot();
  await writeTar(join(tmp.path, "a.tar.gz"), [{ name: "a/README", content: "archive" }]);
  const bytes = await Deno.readFile(join(tmp.path, "a.tar.gz"));
  const server = startHttpServer({
    "/a.tar.gz": () => new Response(bytes.slice(), { headers: { etag: '"one"' } }),
  });
  try {
    const cache = join(tmp.path, "cache");
    const dep = { name: "arc", url: `${server.url}/a.tar.gz`, cache: true };
    const p1 = await updateProject(join(tmp.path, "p1"), [dep], cache);
    const p2 = await updateProject(join(tmp.path, "p2"), [dep], cache);
    assert.equal(p1.rec.landed.get("arc")!.cacheHit, false);
    assert.equal(p2.rec.landed.get("arc")!.cacheHit, true);
    assert.equal(server.requests.filter((r) => r.method === "GET").length, 1);
    assert.equal(await Deno.readTextFile(join(p2.project, "packages/arc/README")), "archive");
    assert.ok((await Deno.lstat(join(p2.project, "packages/arc"))).isSymlink);
    assert.equal(p2.lock.packages.arc.etag, '"one"');
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("the CLI uses IVPM_CACHE and reports cache hits", async () => {
  const tmp = await tempRoot();
  try {
    const cache = join(tmp.path, "cache");
    const repo = await makeRepo(tmp.path, "r", { files: { "a.txt": "cached" } });
    const env = cliEnv({ IVPM_CACHE: cache });
    const results = [];
    for (const p of ["p1", "p2"]) {
      const project = await writeIvpmYaml(join(tmp.path, p), {
        name: p,
        "dep-sets": depSets({ default: [{ name: "r", url: repo.url, cache: true }] }),
      });
      const r = await runIvpm(project, ["update"], env);
      assert.equal(r.code, 0, r.stderr);
      results.push(r);
    }
    assert.doesNotMatch(results[0].stderr, /from cache/);
    assert.match(results[1].stderr, /1 from cache/);
    assert.equal((await entries(cache)).length, 1);
  } finally {
    await tmp.dispose();
  }
});
