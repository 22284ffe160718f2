/**
 * The real CLI killed mid-update (SIGKILL, SIGINT) and run twice at once:
 * nothing half-fetched appears under packages/, the previous lock survives,
 * and the next update finishes the job.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { writeTar } from "../_helpers/archive_fixtures.ts";
import { startHttpServer } from "../_helpers/http_server.ts";
import {
  cliEnv,
  exists,
  listDir,
  readLockJson,
  runIvpm,
  tempRoot,
  watchIvpm,
  writeProjectDeps,
} from "../_helpers/update_project.ts";

/**
 * A loopback server with `/good.tar.gz` and `/slow.tar.gz`. While `stall` is on,
 * `/slow.tar.gz` sends half its body and then waits until `release()` (or until
 * the test ends); otherwise it answers at once.
 */
async function stallingServer(dir: string) {
  await writeTar(join(dir, "a.tar.gz"), [
    { name: "a/README", content: "archive" },
    // Incompressible bulk, so "half the body" is a real partial download.
    { name: "a/bulk.bin", content: crypto.getRandomValues(new Uint8Array(48_000)).join(",") },
  ]);
  const bytes = await Deno.readFile(join(dir, "a.tar.gz"));
  let stall = true;
  let seen!: () => void;
  const requested = new Promise<void>((r) => seen = r);
  const held: { release: () => void; fail: () => void }[] = [];
  const server = startHttpServer({
    "/good.tar.gz": () => new Response(bytes.slice()),
    "/slow.tar.gz": (req) => {
      if (req.method !== "GET" || !stall) return new Response(bytes.slice());
      seen();
      const half = Math.floor(bytes.length / 2);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, half));
          held.push({
            release: () => {
              try {
                controller.enqueue(bytes.slice(half));
                controller.close();
              } catch { /* the client went away */ }
            },
            fail: () => {
              try {
                controller.error(new Error("test over"));
              } catch { /* already closed */ }
            },
          });
        },
      });
      return new Response(body, { headers: { "content-length": String(bytes.length) } });
    },
  });
  return {
    server,
    requested,
    stopStalling: () => void (stall = false),
    release: () => held.splice(0).forEach((h) => h.release()),
    async close() {
      held.splice(0).forEach((h) => h.fail());
      await server.close();
    },
  };
}

/** A project updated once with `good`, then extended with `slow` (not fetched yet). */
async function projectWithLock(root: string, serverUrl: string) {
  const project = join(root, "proj");
  await writeProjectDeps(project, [{ name: "good", url: `${serverUrl}/good.tar.gz` }]);
  const first = await runIvpm(project, ["update"]);
  assert.equal(first.code, 0, first.stderr);
  const lockText = await Deno.readTextFile(join(project, "packages/package-lock.json"));
  await writeProjectDeps(project, [
    { name: "good", url: `${serverUrl}/good.tar.gz` },
    { name: "slow", url: `${serverUrl}/slow.tar.gz` },
  ]);
  return { project, lockText };
}

for (const signal of ["SIGKILL", "SIGINT"] as const) {
  Deno.test(`${signal} during a download leaves no partial package and the previous lock intact`, async () => {
    const tmp = await tempRoot();
    const srv = await stallingServer(tmp.path);
    try {
      const { project, lockText } = await projectWithLock(tmp.path, srv.server.url);
      const run = watchIvpm(project, ["update"]);
      await srv.requested;
      run.child.kill(signal);
      const r = await run.done;
      if (signal === "SIGKILL") {
        assert.equal(r.signal, "SIGKILL");
      } else {
        assert.equal(r.code, 130, r.stderr);
        assert.match(r.stderr, /interrupted/);
        assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
        // A clean stop also removes its work area.
        assert.equal(await exists(join(project, "packages/.ivpm-staging")), false);
      }
      assert.equal(await exists(join(project, "packages/slow")), false);
      const after = await Deno.readTextFile(join(project, "packages/package-lock.json"));
      assert.equal(after, lockText, "the previous lock is untouched");
      JSON.parse(after);

      srv.stopStalling();
      const next = await runIvpm(project, ["update"]);
      assert.equal(next.code, 0, next.stderr);
      assert.equal(await Deno.readTextFile(join(project, "packages/slow/README")), "archive");
      assert.deepEqual(Object.keys((await readLockJson(project)).packages).sort(), ["good", "slow"]);
      assert.deepEqual(await listDir(join(project, "packages")), [
        ".ivpm-extracted",
        ".ivpm.lock",
        "good",
        "ivpm.json",
        "package-lock.json",
        "slow",
      ]);
    } finally {
      await srv.close();
      await tmp.dispose();
    }
  });
}

Deno.test("two concurrent updates of one project: the second waits, says so, and both succeed", async () => {
  const tmp = await tempRoot();
  const srv = await stallingServer(tmp.path);
  try {
    const project = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "good", url: `${srv.server.url}/good.tar.gz` },
      { name: "slow", url: `${srv.server.url}/slow.tar.gz` },
    ]);
    const env = cliEnv();
    const first = watchIvpm(project, ["update"], env);
    await srv.requested; // the first holds the project lock now
    srv.stopStalling();
    const second = watchIvpm(project, ["update"], env);
    await second.waitForStderr(/another ivpm update is running/);
    srv.release();
    const [r1, r2] = await Promise.all([first.done, second.done]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /waiting for it to finish/);
    const lock = await readLockJson(project);
    assert.deepEqual(Object.keys(lock.packages).sort(), ["good", "slow"]);
    assert.equal(await Deno.readTextFile(join(project, "packages/slow/README")), "archive");
    // The second found everything in place: it fetched nothing.
    assert.equal(srv.server.requests.filter((q) => q.path === "/slow.tar.gz").length, 1);
  } finally {
    await srv.close();
    await tmp.dispose();
  }
});

Deno.test("Ctrl-C while waiting for another update stops the wait at once", async () => {
  const tmp = await tempRoot();
  const srv = await stallingServer(tmp.path);
  try {
    const project = await writeProjectDeps(join(tmp.path, "proj"), [
      { name: "slow", url: `${srv.server.url}/slow.tar.gz` },
    ]);
    const first = watchIvpm(project, ["update"]);
    await srv.requested;
    const second = watchIvpm(project, ["update"]);
    await second.waitForStderr(/waiting for it to finish/);
    second.child.kill("SIGINT");
    const r2 = await second.done;
    assert.equal(r2.code, 130, r2.stderr);
    // The first still holds the lock and finishes normally.
    srv.release();
    const r1 = await first.done;
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(await Deno.readTextFile(join(project, "packages/slow/README")), "archive");
  } finally {
    await srv.close();
    await tmp.dispose();
  }
});
