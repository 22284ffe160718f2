import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cacheNamespace,
  ghReleaseCacheKey,
  gitCacheKey,
  httpCacheKey,
  normalizeSourceUrl,
  PackageCache,
  PROJECTS_DIR,
  sanitiseCacheKey,
} from "../../../core/fetch/cache/store.ts";
import { IvpmError } from "../../../core/base/errors.ts";
import {
  childStdout,
  coreModuleUrl,
  spawnDenoScript,
  waitForFile,
  writeScript,
} from "../../_helpers/cache_procs.ts";
import { withTempDir } from "../../_helpers/temp.ts";

const NS = cacheNamespace("dep", "https://example.com/o/dep.git");

/**
 * A child that calls `ensure(NS, "k1")`; its populate appends a line to `<dir>/count`.
 * With `gate`, populate creates `<dir>/populating` and waits for `<dir>/go`.
 * A wait for another process is recorded in `<dir>/waiting-<pid>` (the holder as JSON).
 */
const ENSURE_SCRIPT = `
import { PackageCache } from "${coreModuleUrl("fetch/cache/store.ts")}";
import { join } from "node:path";
const [root, dir, ns, gate] = Deno.args;
const exists = (p) => Deno.stat(p).then(() => true, () => false);
const cache = new PackageCache(root);
const res = await cache.ensure(ns, "k1", async (staging) => {
  await Deno.writeTextFile(join(dir, "count"), Deno.pid + "\\n", { append: true });
  if (gate === "gate") {
    await Deno.writeTextFile(join(dir, "populating"), "");
    while (!(await exists(join(dir, "go")))) await new Promise((r) => setTimeout(r, 10));
  }
  await Deno.writeTextFile(join(staging, "data.txt"), "from " + Deno.pid);
}, { onWait: (h) => Deno.writeTextFileSync(join(dir, "waiting-" + Deno.pid), JSON.stringify(h)) });
console.log(JSON.stringify(res));
`;

async function countLines(path: string): Promise<number> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.split("\n").filter((l) => l !== "").length;
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("ensure populates a missing entry once and the next call is a hit", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    let calls = 0;
    const populate = async (staging: string) => {
      calls++;
      await Deno.writeTextFile(join(staging, "f.txt"), "content");
    };
    assert.equal(cache.lookup(NS, "k1"), null);
    const first = await cache.ensure(NS, "k1", populate);
    assert.equal(first.hit, false);
    assert.equal(first.path, join(dir, "cache", NS, "k1"));
    assert.equal(await Deno.readTextFile(join(first.path, "f.txt")), "content");
    const second = await cache.ensure(NS, "k1", populate);
    assert.deepEqual(second, { path: first.path, hit: true });
    assert.equal(calls, 1);
    assert.equal(cache.lookup(NS, "k1"), first.path);
  });
});

Deno.test("concurrent ensure calls in one process populate the entry exactly once", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const counter = join(dir, "count");
    const populate = async (staging: string) => {
      await Deno.writeTextFile(counter, "x\n", { append: true });
      await new Promise((r) => setTimeout(r, 20));
      await Deno.writeTextFile(join(staging, "f.txt"), "content");
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => cache.ensure(NS, "k1", populate)));
    assert.equal(await countLines(counter), 1);
    assert.equal(results.filter((r) => !r.hit).length, 1);
    for (const r of results) assert.equal(await Deno.readTextFile(join(r.path, "f.txt")), "content");
  });
});

Deno.test("a second process waits for the one populating and then hits the entry", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const root = join(dir, "cache");
    const script = await writeScript(dir, "ensure.ts", ENSURE_SCRIPT);
    const a = spawnDenoScript(script, [root, dir, NS, "gate"]);
    let b: Deno.ChildProcess | undefined;
    try {
      await waitForFile(join(dir, "populating"));
      b = spawnDenoScript(script, [root, dir, NS, "gate"]);
      await waitForFile(join(dir, `waiting-${b.pid}`));
      const holder = JSON.parse(await Deno.readTextFile(join(dir, `waiting-${b.pid}`)));
      assert.equal(holder.pid, a.pid);
      await Deno.writeTextFile(join(dir, "go"), "");
      const resA = JSON.parse(await childStdout(a));
      const resB = JSON.parse(await childStdout(b));
      assert.equal(resA.hit, false);
      assert.equal(resB.hit, true);
      assert.equal(resB.path, resA.path);
      assert.equal(await countLines(join(dir, "count")), 1);
      assert.equal(await Deno.readTextFile(join(resA.path, "data.txt")), `from ${a.pid}`);
    } finally {
      await Deno.writeTextFile(join(dir, "go"), "");
      await a.output().catch(() => {});
      await b?.output().catch(() => {});
    }
  });
});

Deno.test("racing processes populate the entry exactly once", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const root = join(dir, "cache");
    const script = await writeScript(dir, "ensure.ts", ENSURE_SCRIPT);
    const children = Array.from({ length: 3 }, () => spawnDenoScript(script, [root, dir, NS, "nogate"]));
    const results = await Promise.all(children.map(async (c) => JSON.parse(await childStdout(c))));
    assert.equal(await countLines(join(dir, "count")), 1);
    assert.equal(results.filter((r) => !r.hit).length, 1);
    assert.deepEqual(await names(join(root, NS)), ["k1", "k1.lock", "k1.used"]);
  });
});

Deno.test("a failed populate leaves no entry and no staging dir, and rethrows", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const boom = new Error("clone failed");
    await assert.rejects(
      cache.ensure(NS, "k1", async (staging) => {
        await Deno.mkdir(join(staging, "sub"));
        await Deno.writeTextFile(join(staging, "sub", "f"), "partial");
        await Deno.chmod(join(staging, "sub"), 0o555);
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.equal(cache.lookup(NS, "k1"), null);
    assert.deepEqual(await names(join(dir, "cache", NS)), ["k1.lock"]);
    const ok = await cache.ensure(NS, "k1", (s) => Deno.writeTextFile(join(s, "f"), "good"));
    assert.equal(ok.hit, false);
  });
});

Deno.test("a staging dir left by a crashed populate is removed by the next populate", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const nsDir = join(dir, "cache", NS);
    await Deno.mkdir(join(nsDir, "k1.staging.99999.dead"), { recursive: true });
    await cache.ensure(NS, "k1", (s) => Deno.writeTextFile(join(s, "f"), "good"));
    assert.deepEqual(await names(nsDir), ["k1", "k1.lock", "k1.used"]);
  });
});

Deno.test("cache entries are read-only trees that stay traversable", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const { path } = await cache.ensure(NS, "k1", async (s) => {
      await Deno.mkdir(join(s, "bin"));
      await Deno.writeTextFile(join(s, "bin", "tool"), "#!/bin/sh\n", { mode: 0o755 });
      await Deno.writeTextFile(join(s, "README"), "hi", { mode: 0o644 });
      await Deno.symlink("README", join(s, "link"));
    });
    const mode = async (p: string) => ((await Deno.lstat(p)).mode ?? 0) & 0o777;
    assert.equal(await mode(path), 0o555);
    assert.equal(await mode(join(path, "bin")), 0o555);
    assert.equal(await mode(join(path, "bin", "tool")), 0o555);
    assert.equal(await mode(join(path, "README")), 0o444);
    assert.equal(await Deno.readLink(join(path, "link")), "README");
  });
});

Deno.test("the same dependency name from different URLs gets different namespaces", () => {
  const a = cacheNamespace("utils", "https://github.com/alice/utils.git");
  const b = cacheNamespace("utils", "https://github.com/bob/utils.git");
  assert.notEqual(a, b);
  assert.match(a, /^utils-[0-9a-f]{12}$/);
  // Spellings of one repository share a namespace.
  for (
    const url of [
      "git@github.com:alice/utils.git",
      "ssh://git@GitHub.com/alice/utils",
      "https://tok@github.com/alice/utils/",
    ]
  ) {
    assert.equal(cacheNamespace("utils", url), a, url);
  }
});

Deno.test("normalizeSourceUrl strips a real .git suffix only", () => {
  assert.equal(normalizeSourceUrl("https://github.com/o/test.git"), "https://github.com/o/test");
  assert.equal(normalizeSourceUrl("https://github.com/o/gist"), "https://github.com/o/gist");
  assert.equal(normalizeSourceUrl("C:\\src\\repo"), "C:\\src\\repo");
  assert.equal(normalizeSourceUrl("http://h:8080/a.tar.gz?x=1#f"), "https://h:8080/a.tar.gz?x=1");
});

Deno.test("cache keys are single safe path components that cannot clash with sidecar files", () => {
  assert.equal(sanitiseCacheKey("v1.2/linux x86"), "v1.2_linux_x86");
  assert.equal(sanitiseCacheKey(".."), "_.");
  assert.equal(sanitiseCacheKey(""), "_");
  assert.equal(sanitiseCacheKey("a.lock"), "a_lock");
  assert.equal(sanitiseCacheKey("a.staging.1"), "a_staging_1");
  const long = "x".repeat(300);
  assert.ok(sanitiseCacheKey(long).length <= 120);
  for (const raw of ["v1.2/linux x86", "..", "a.lock", long, "a.staging.staging.b"]) {
    assert.equal(sanitiseCacheKey(sanitiseCacheKey(raw)), sanitiseCacheKey(raw));
  }
  assert.equal(gitCacheKey("ABCDEF0123"), "abcdef0123");
  assert.equal(ghReleaseCacheKey("v1.0", "linux", "x86_64"), "v1.0_linux_x86_64");
});

Deno.test("http cache keys come from Last-Modified, else ETag, else the URL", () => {
  const url = "https://example.com/a.tar.gz";
  assert.equal(
    httpCacheKey({ lastModified: "Wed, 21 Oct 2015 07:28:00 GMT", etag: '"abc"', url }),
    "Wed_21_Oct_2015_07-28-00_GMT",
  );
  assert.equal(httpCacheKey({ etag: 'W/"abc-123"', url }), "abc-123");
  assert.match(httpCacheKey({ url }), /^[0-9a-f]{16}$/);
  assert.notEqual(httpCacheKey({ url }), httpCacheKey({ url: url + "x" }));
});

Deno.test("linkInto points the target at the entry, replaces an old link and registers the project", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const v1 = await cache.ensure(NS, "v1", (s) => Deno.writeTextFile(join(s, "f"), "1"));
    const v2 = await cache.ensure(NS, "v2", (s) => Deno.writeTextFile(join(s, "f"), "2"));
    const deps = join(dir, "proj", "packages");
    await cache.linkInto(v1.path, join(deps, "dep"));
    assert.equal(await Deno.readTextFile(join(deps, "dep", "f")), "1");
    await cache.linkInto(v2.path, join(deps, "dep"));
    assert.equal(await Deno.readLink(join(deps, "dep")), v2.path);
    assert.deepEqual(await names(deps), ["dep"]);
    await Deno.stat(`${v2.path}.used`);
    const regs = await names(join(dir, "cache", PROJECTS_DIR));
    assert.equal(regs.length, 1);
    assert.equal((await Deno.readTextFile(join(dir, "cache", PROJECTS_DIR, regs[0]))).trim(), deps);
  });
});

Deno.test("linkInto refuses to replace a real directory", async () => {
  await withTempDir("ivpm-store-", async (dir) => {
    const cache = new PackageCache(join(dir, "cache"));
    const v1 = await cache.ensure(NS, "v1", (s) => Deno.writeTextFile(join(s, "f"), "1"));
    const target = join(dir, "packages", "dep");
    await Deno.mkdir(target, { recursive: true });
    await Deno.writeTextFile(join(target, "mine.txt"), "work");
    await assert.rejects(
      cache.linkInto(v1.path, target),
      (e) => e instanceof IvpmError && /exists and is not a link/.test(e.message) && e.hint !== undefined,
    );
    assert.equal(await Deno.readTextFile(join(target, "mine.txt")), "work");
  });
});
