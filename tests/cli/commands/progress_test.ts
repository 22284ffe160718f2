// deno-lint-ignore-file no-control-regex -- these tests assert on terminal escape sequences
/**
 * The status line people trust: redrawn on a timer (not only on events), every in-flight package named,
 * bytes and percent for downloads, no growing total; idle handlers print nothing.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ivpmCommandArgs, runIvpm } from "../../_helpers/cli.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";
import { inFlightLabel } from "../../../core/cli/commands/transcript.ts";

/** A body sent in `chunks` pieces, one every `ms` (a throttled download). */
function slowBody(chunks: number, chunkSize: number, ms: number): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i++ >= chunks) return c.close();
      await new Promise((r) => setTimeout(r, ms));
      c.enqueue(new Uint8Array(chunkSize).fill(65));
    },
  });
  return new Response(body, { headers: { "content-length": String(chunks * chunkSize) } });
}

Deno.test("the in-flight label shows bytes, percent and elapsed seconds", () => {
  assert.equal(inFlightLabel("ip", 500), "ip");
  assert.equal(inFlightLabel("ip", 12_300), "ip 12s");
  assert.equal(
    inFlightLabel("ip", 2500, { bytes: 512 * 1024, total: 2048 * 1024 }),
    "ip 512.0 KiB/2.0 MiB 25% 2s",
  );
  assert.equal(inFlightLabel("ip", 0, { bytes: 3 * 1024 * 1024 }), "ip 3.0 MiB");
});

Deno.test("on a terminal the status line ticks while downloads stall, naming both in flight with their bytes", async () => {
  const server = startHttpServer({
    "/a.bin": () => slowBody(12, 16 * 1024, 100),
    "/b.bin": () => slowBody(12, 16 * 1024, 100),
  });
  const dir = await Deno.makeTempDir({ prefix: "ivpm-progress-" });
  try {
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      `package:\n  name: p\n  dep-sets:\n    - name: default\n      deps:\n` +
        `        - name: alpha\n          url: ${server.url}/a.bin\n` +
        `        - name: beta\n          url: ${server.url}/b.bin\n`,
    );
    const cmd = [Deno.execPath(), ...ivpmCommandArgs(["update", "-j", "2"])].map((a) => `'${a}'`).join(" ");
    const r = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      cwd: dir,
      env: { IVPM_CACHE: "", NO_COLOR: "1", COLUMNS: "200" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, text);
    const frames = text.split("\r\x1b[2K").map((f) => f.split("\n")[0]).filter((f) => /landed/.test(f));
    // Both packages in flight at once, each with bytes and percent.
    assert.ok(
      frames.some((f) =>
        /fetching alpha [\d.]+ KiB\/192\.0 KiB \d+%.*, beta [\d.]+ KiB\/192\.0 KiB \d+%/.test(f) ||
        /fetching beta [\d.]+ KiB\/192\.0 KiB \d+%.*, alpha [\d.]+ KiB\/192\.0 KiB \d+%/.test(f)
      ),
      frames.join("\n"),
    );
    // Redrawn on a timer: the spinner advances between frames showing the same bytes.
    const texts = frames.map((f) => f.slice(2));
    assert.ok(texts.some((t, i) => i > 0 && t === texts[i - 1]), "a frame repeated by the timer");
    assert.ok(frames.every((f) => !/\/\d+\]/.test(f)), "no N/M total that grows");
    assert.match(text, /discovering/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an update with nothing to do prints only its summary (idle handlers print nothing)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-idle-" });
  try {
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      "package:\n  name: p\n  dep-sets:\n    - name: default\n      deps: []\n",
    );
    const r = await runIvpm(["update"], { cwd: dir, env: { IVPM_CACHE: "", NO_COLOR: "1" } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stderr.trim().split("\n").map((l) => l.replace(/[\d.]+s$/, "Xs")), [
      "Updated 0 packages (no dependencies in dep-set 'default') in Xs",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TERM=dumb on a terminal gets plain lines: no redraws, no escape codes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-dumb-" });
  try {
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      "package:\n  name: p\n  dep-sets:\n    - name: default\n      deps: []\n",
    );
    const cmd = [Deno.execPath(), ...ivpmCommandArgs(["update"])].map((a) => `'${a}'`).join(" ");
    const r = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      cwd: dir,
      env: { IVPM_CACHE: "", TERM: "dumb" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, text);
    assert.match(text, /Updated 0 packages/);
    assert.doesNotMatch(text, /\x1b\[/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
