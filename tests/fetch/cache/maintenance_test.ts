import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheInfo, cleanCache, formatSize, initCache } from "../../../core/fetch/cache/maintenance.ts";
import { cacheNamespace, PackageCache, PROJECTS_DIR } from "../../../core/fetch/cache/store.ts";
import { IvpmError } from "../../../core/base/errors.ts";
import { exists, withTempDir } from "../../_helpers/temp.ts";

const DAY = 86_400_000;

/** Make an entry look created and last used `days` ago. */
async function age(entryPath: string, days: number): Promise<void> {
  const t = new Date(Date.now() - days * DAY);
  await Deno.utime(entryPath, t, t);
  if (await exists(`${entryPath}.used`)) await Deno.utime(`${entryPath}.used`, t, t);
}

function put(cache: PackageCache, ns: string, key: string, bytes = 10) {
  return cache.ensure(ns, key, (s) => Deno.writeTextFile(join(s, "f"), "x".repeat(bytes)));
}

Deno.test("initCache creates the directory and refuses an existing one without force", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const c = join(dir, "c");
    assert.deepEqual(await initCache(c), { dir: c, created: true, shared: false });
    await assert.rejects(
      initCache(c),
      (e) => e instanceof IvpmError && e.message.includes(c) && e.hint === "use --force to reinitialize",
    );
    assert.deepEqual(await initCache(c, { force: true }), { dir: c, created: false, shared: false });
  });
});

Deno.test("initCache refuses a path that is a file", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const f = join(dir, "file");
    await Deno.writeTextFile(f, "");
    await assert.rejects(
      initCache(f, { force: true }),
      (e) => e instanceof IvpmError && /exists and is not a directory/.test(e.message),
    );
  });
});

Deno.test("a shared cache gets the setgid bit", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const c = join(dir, "c");
    await initCache(c, { shared: true });
    assert.equal(((await Deno.stat(c)).mode ?? 0) & 0o2000, 0o2000);
  });
});

Deno.test("formatSize uses one decimal and 1024 steps", () => {
  assert.equal(formatSize(0), "0.0 B");
  assert.equal(formatSize(512), "512.0 B");
  assert.equal(formatSize(1536), "1.5 KB");
  assert.equal(formatSize(5 * 1024 ** 2), "5.0 MB");
  assert.equal(formatSize(2 * 1024 ** 3), "2.0 GB");
  assert.equal(formatSize(3 * 1024 ** 4), "3.0 TB");
});

Deno.test("cacheInfo lists packages and versions with their sizes", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const root = join(dir, "cache");
    const cache = new PackageCache(root);
    const nsB = cacheNamespace("beta", "https://h/beta");
    const nsA = cacheNamespace("alpha", "https://h/alpha");
    await put(cache, nsB, "v2", 100);
    await put(cache, nsB, "v1", 50);
    await put(cache, nsA, "k", 7);
    // A project registration (a hidden dir) is not a package.
    await cache.linkInto(cache.entryPath(nsA, "k"), join(dir, "proj", "packages", "alpha"));
    const info = await cacheInfo(root);
    assert.equal(info.dir, root);
    assert.equal(info.totalBytes, 157);
    assert.deepEqual(info.packages.map((p) => [p.name, p.namespace, p.bytes]), [
      ["alpha", nsA, 7],
      ["beta", nsB, 150],
    ]);
    assert.deepEqual(info.packages[1].versions.map((v) => [v.key, v.bytes]), [["v1", 50], ["v2", 100]]);
  });
});

Deno.test("cacheInfo and cleanCache report a missing cache dir as a user error", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const missing = join(dir, "nope");
    for (const op of [() => cacheInfo(missing), () => cleanCache(missing)]) {
      await assert.rejects(op(), (e) => e instanceof IvpmError && /does not exist: .*nope/.test(e.message));
    }
  });
});

Deno.test("cleanCache removes old unused entries and keeps entries a project links to", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const root = join(dir, "cache");
    const cache = new PackageCache(root);
    const ns = cacheNamespace("dep", "https://h/dep");
    const old = (await put(cache, ns, "old")).path;
    const linked = (await put(cache, ns, "linked")).path;
    const fresh = (await put(cache, ns, "fresh")).path;
    const deps = join(dir, "proj", "packages");
    await cache.linkInto(linked, join(deps, "dep"));
    await age(old, 30);
    await age(linked, 30);

    const dry = await cleanCache(root, { olderThanDays: 7, dryRun: true });
    assert.deepEqual(dry.removed.map((e) => e.key), ["old"]);
    assert.deepEqual(dry.keptInUse.map((e) => e.key), ["linked"]);
    for (const p of [old, linked, fresh]) assert.ok(await exists(p), `dry run removed ${p}`);

    const real = await cleanCache(root, { olderThanDays: 7 });
    assert.deepEqual(real.removed.map((e) => [e.name, e.key]), [["dep", "old"]]);
    assert.deepEqual(real.keptInUse.map((e) => e.key), ["linked"]);
    assert.ok(!(await exists(old)));
    assert.ok(await exists(linked));
    assert.ok(await exists(fresh));
    assert.equal(await Deno.readTextFile(join(deps, "dep", "f")), "x".repeat(10)); // not dangling
    const left: string[] = [];
    for await (const e of Deno.readDir(join(root, ns))) left.push(e.name);
    assert.deepEqual(left.filter((n) => n.startsWith("old")), []);
  });
});

Deno.test("cleanCache counts a recent link as use even for an entry created long ago", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const cache = new PackageCache(dir);
    const ns = cacheNamespace("dep", "https://h/dep");
    const entry = (await put(cache, ns, "k")).path;
    await age(entry, 30);
    await cache.touchUsed(entry);
    const res = await cleanCache(dir, { olderThanDays: 7 });
    assert.deepEqual(res.removed, []);
    assert.ok(await exists(entry));
  });
});

Deno.test("cleanCache drops registrations of projects that are gone and then frees their entries", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const root = join(dir, "cache");
    const cache = new PackageCache(root);
    const ns = cacheNamespace("dep", "https://h/dep");
    const entry = (await put(cache, ns, "k")).path;
    const deps = join(dir, "proj", "packages");
    await cache.linkInto(entry, join(deps, "dep"));
    await age(entry, 30);
    await Deno.remove(join(dir, "proj"), { recursive: true });
    const res = await cleanCache(root, { olderThanDays: 7 });
    assert.deepEqual(res.removed.map((e) => e.key), ["k"]);
    assert.deepEqual([...Deno.readDirSync(join(root, PROJECTS_DIR))], []);
    assert.ok(!(await exists(join(root, ns))), "emptied namespace dir is removed");
  });
});

Deno.test("cleanCache removes leftovers of a crashed populate", async () => {
  await withTempDir("ivpm-cachemaint-", async (dir) => {
    const nsDir = join(dir, cacheNamespace("dep", "https://h/dep"));
    await Deno.mkdir(join(nsDir, "k.staging.99999.dead", "sub"), { recursive: true });
    await Deno.chmod(join(nsDir, "k.staging.99999.dead", "sub"), 0o555);
    const res = await cleanCache(dir, { olderThanDays: 7 });
    assert.deepEqual(res.removed, []);
    assert.ok(!(await exists(nsDir)));
  });
});
