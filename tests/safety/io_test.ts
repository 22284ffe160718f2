/**
 * Reads and writes that must not hang or mislead: `include:` of a device or a
 * FIFO is a located config error (not an endless read), a stalled HTTP server
 * fails within the user's limit with the retry said out loud, and disk errors
 * (no space, permission denied, a parent that is a file) name the path and stop.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadToFile } from "../../core/fetch/net/download.ts";
import { asDiskError, DiskError } from "../../core/util/disk_error.ts";
import { inFlightLabel } from "../../core/cli/commands/transcript.ts";
import { startHttpServer, startSilentServer } from "../_helpers/http_server.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { cliEnv, runIvpmBounded, tempRoot, writeIvpmYaml } from "../_helpers/update_project.ts";

async function mkfifo(path: string): Promise<void> {
  const r = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
}

Deno.test("safety 6: include of /dev/zero or a FIFO is a located config error, not an endless read", async () => {
  const tmp = await tempRoot("ivpm-safety-io-");
  try {
    // The project's own ivpm.yaml includes /dev/zero (a read that never ends).
    const zero = await writeIvpmYaml(join(tmp.path, "zero"), { name: "zero", include: ["/dev/zero"] });
    const a = await runIvpmBounded(zero, ["update"], cliEnv(), 20_000);
    assert.equal(a.signal, null, "ivpm was killed: it kept reading /dev/zero");
    assert.equal(a.code, 1, a.stderr);
    assert.match(
      a.stderr,
      /ivpm\.yaml:\d+:\d+: error: Include file '\/dev\/zero' is a character device, not a regular file/,
    );

    // A dependency's ivpm.yaml includes a FIFO (opening it blocks until a writer appears).
    const dep = join(tmp.path, "dep");
    await writeIvpmYaml(dep, { name: "dep", include: ["pipe"] });
    await mkfifo(join(dep, "pipe"));
    const project = await writeIvpmYaml(join(tmp.path, "project"), {
      name: "project",
      "dep-sets": [{ name: "default", deps: [{ name: "dep", src: "dir", url: dep }] }],
    });
    const b = await runIvpmBounded(project, ["update"], cliEnv(), 20_000);
    assert.equal(b.signal, null, "ivpm was killed: it blocked opening the FIFO");
    assert.equal(b.code, 1, b.stderr);
    assert.match(b.stderr, /dep\/ivpm\.yaml:\d+:\d+: Include file 'pipe' is a FIFO, not a regular file/);
    assert.doesNotMatch(b.stderr, /bug in ivpm/);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("safety 13: a stalled HTTP server fails within --http-timeout, says it retries and names the setting", async () => {
  const tmp = await tempRoot("ivpm-safety-io-");
  const server = startSilentServer();
  const url = `${server.url}/tool.tar.gz`;
  try {
    const project = await writeIvpmYaml(join(tmp.path, "project"), {
      name: "project",
      "dep-sets": [{ name: "default", deps: [{ name: "tool", src: "http", url }] }],
    });
    // Timeout by flag, retries by environment: both ways of setting them work.
    const r = await runIvpmBounded(
      project,
      ["update", "--http-timeout", "1"],
      cliEnv({ IVPM_HTTP_RETRIES: "1" }),
    );
    assert.equal(r.signal, null, "ivpm was killed: the stalled server held it");
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`retrying ${url} (2/2) after timed out (no data for 1 s)`), r.stderr);
    assert.ok(r.stderr.includes(`Failed to download ${url} after 2 attempts`), r.stderr);
    assert.match(r.stderr, /--http-timeout <seconds> or IVPM_HTTP_TIMEOUT/);
    assert.equal(server.accepted, 2, "one attempt plus one retry");
    // On a terminal the status line says whom it waits for.
    assert.equal(
      inFlightLabel("tool", 14_000, undefined, { url, host: "example.com", waitedMs: 12_400 }),
      "tool waiting for example.com (12 s) 14s",
    );
  } finally {
    await server.close();
    await tmp.dispose();
  }
});

Deno.test("safety 14: disk errors name the path and stop: no retry, no blame on the network or on ivpm", async () => {
  // Classification of what Deno throws.
  const denied = asDiskError(
    new Deno.errors.PermissionDenied("Permission denied (os error 13): remove '/p/packages/x'"),
  );
  assert.ok(denied instanceof DiskError);
  assert.equal(denied.message, "Permission denied on /p/packages/x");
  const full = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
  assert.equal(asDiskError(full, "/p/packages/x.part")?.message, "No space left on /p/packages/x.part");
  assert.equal(asDiskError(new TypeError("error sending request: connection refused")), undefined);
  assert.equal(asDiskError(new Error("boom")), undefined);

  const tmp = await tempRoot("ivpm-safety-io-");
  const server = startHttpServer({ "/a.tar.gz": () => new Response("content") });
  try {
    // A real ENOSPC: the partial download is written to /dev/full. It is not retried as a network error.
    const dest = join(tmp.path, "dl", "a.tar.gz");
    await Deno.mkdir(join(tmp.path, "dl"));
    await Deno.symlink("/dev/full", `${dest}.part`);
    const e = await catchIvpmErrorAsync(() =>
      downloadToFile(`${server.url}/a.tar.gz`, dest, { backoffMs: 1 })
    );
    assert.ok(e instanceof DiskError, e.message);
    assert.equal(e.message, `No space left on ${dest}.part`);
    assert.equal(server.hits["/a.tar.gz"], 1);

    // End to end: the CLI hits a real OS error writing (deps-dir under a regular file, which stops root
    // as well as anyone) and says so in one line, without calling it a bug.
    const project = await writeIvpmYaml(join(tmp.path, "project"), {
      name: "project",
      "deps-dir": "blocker/packages",
      "dep-sets": [{ name: "default", deps: [] }],
    });
    await Deno.writeTextFile(join(project, "blocker"), "a file, not a directory");
    const r = await runIvpmBounded(project, ["update"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Not a directory \(a parent is a file\) on .*blocker\/packages/m);
    assert.match(r.stderr, /^hint: a component of that path is a regular file/m);
    assert.doesNotMatch(r.stderr, /bug in ivpm/);
  } finally {
    await server.close();
    await tmp.dispose();
  }
});
