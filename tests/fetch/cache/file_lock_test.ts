import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock, LockBusyError, type LockHolder } from "../../../core/fetch/cache/file_lock.ts";
import { IvpmError } from "../../../core/base/errors.ts";
import {
  childStdout,
  coreModuleUrl,
  spawnDenoScript,
  waitForFile,
  writeScript,
} from "../../_helpers/cache_procs.ts";
import { withTempDir } from "../../_helpers/temp.ts";

/** A child that takes the lock, creates `<marker>`, then holds it until `<go>` exists (or for ever). */
const HOLDER_SCRIPT = `
import { acquireLock } from "${coreModuleUrl("fetch/cache/file_lock.ts")}";
const [lockPath, marker, go] = Deno.args;
const lock = await acquireLock(lockPath, { wait: false });
await Deno.writeTextFile(marker, String(Deno.pid));
if (go === "forever") {
  setInterval(() => {}, 1000);
} else {
  for (;;) {
    try { await Deno.stat(go); break; } catch { await new Promise((r) => setTimeout(r, 10)); }
  }
  await lock.release();
}
`;

/** Kill a child that is still running (a failed assertion must not leave it behind) and reap it. */
async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await child.output().catch(() => {});
}

Deno.test("a second acquisition in the same process is refused while the first holds the lock", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    const path = join(dir, "x.lock");
    const first = await acquireLock(path, { wait: false });
    await assert.rejects(acquireLock(path, { wait: false }), (e) => {
      assert.ok(e instanceof LockBusyError);
      assert.ok(e instanceof IvpmError);
      assert.equal(e.holder?.pid, Deno.pid);
      assert.match(e.message, /x\.lock is held by pid \d+/);
      return true;
    });
    await first.release();
    const second = await acquireLock(path, { wait: false });
    await second.release();
  });
});

Deno.test("waiting gives up with LockBusyError after timeoutMs", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    const path = join(dir, "x.lock");
    const held = await acquireLock(path, { wait: false });
    let waited = 0;
    await assert.rejects(
      acquireLock(path, { wait: true, timeoutMs: 30, onWait: () => waited++ }),
      (e) => e instanceof LockBusyError && /Timed out waiting for lock/.test(e.message),
    );
    assert.equal(waited, 1);
    await held.release();
  });
});

Deno.test("the lock excludes another process and a waiter learns the holder's pid", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    const path = join(dir, "x.lock");
    const script = await writeScript(dir, "holder.ts", HOLDER_SCRIPT);
    const child = spawnDenoScript(script, [path, join(dir, "locked"), join(dir, "go")]);
    try {
      await waitForFile(join(dir, "locked"));
      await assert.rejects(
        acquireLock(path, { wait: false }),
        (e) => e instanceof LockBusyError && e.holder?.pid === child.pid,
      );
      let holder: LockHolder | null = null;
      let onWaitCalled!: () => void;
      const waiting = new Promise<void>((r) => onWaitCalled = r);
      const acquired = acquireLock(path, {
        wait: true,
        onWait: (h) => {
          holder = h;
          onWaitCalled();
        },
      });
      await waiting;
      assert.equal(holder!.pid, child.pid);
      await Deno.writeTextFile(join(dir, "go"), "");
      const lock = await acquired;
      await lock.release();
      await childStdout(child);
    } finally {
      await stop(child);
    }
  });
});

Deno.test("a lock held by a SIGKILLed process is free again", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    const path = join(dir, "x.lock");
    const script = await writeScript(dir, "holder.ts", HOLDER_SCRIPT);
    const child = spawnDenoScript(script, [path, join(dir, "locked"), "forever"]);
    try {
      await waitForFile(join(dir, "locked"));
      await assert.rejects(acquireLock(path, { wait: false }), LockBusyError);
      child.kill("SIGKILL");
      const status = await child.output();
      assert.equal(status.signal, "SIGKILL");
      const lock = await acquireLock(path, { wait: false });
      await lock.release();
    } finally {
      await stop(child);
    }
  });
});

Deno.test("release with remove deletes the lock file and a waiter still gets a working lock", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    const path = join(dir, "x.lock");
    const first = await acquireLock(path, { wait: false });
    let onWaitCalled!: () => void;
    const waiting = new Promise<void>((r) => onWaitCalled = r);
    const second = acquireLock(path, { wait: true, onWait: () => onWaitCalled() });
    await waiting;
    await first.release({ remove: true });
    const lock = await second;
    await Deno.stat(path); // the waiter locked a file that exists at the path
    await assert.rejects(acquireLock(path, { wait: false }), LockBusyError);
    await lock.release();
  });
});

Deno.test("a lock file in a missing directory is a user-facing error", async () => {
  await withTempDir("ivpm-lock-", async (dir) => {
    await assert.rejects(
      acquireLock(join(dir, "nope", "x.lock"), { wait: false }),
      (e) => e instanceof IvpmError && /Cannot open lock file .*nope/.test(e.message),
    );
  });
});
