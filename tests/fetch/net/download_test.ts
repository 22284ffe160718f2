import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { downloadToFile, probeUrl } from "../../../core/fetch/net/mod.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { exists, withTempDir } from "../../_helpers/temp.ts";

/** Payload large enough to arrive in several chunks. */
const PAYLOAD = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
const PAYLOAD_SHA = createHash("sha256").update(PAYLOAD).digest("hex");
/** Fast retries: tests must not wait on real backoff. */
const FAST = { backoffMs: 1, timeoutMs: 5_000 };

function payloadResponse(init: ResponseInit = {}): Response {
  return new Response(PAYLOAD, init);
}

Deno.test("downloads a file, verifying its sha256 and reporting its metadata", async () => {
  const server = startHttpServer({
    "/pkg.tar.gz": () =>
      payloadResponse({
        headers: {
          etag: '"abc123"',
          "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT",
          "content-type": "application/gzip",
        },
      }),
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const dest = join(dir, "sub", "pkg.tar.gz");
      const progress: number[] = [];
      const result = await downloadToFile(`${server.url}/pkg.tar.gz`, dest, {
        sha256: PAYLOAD_SHA.toUpperCase(),
        onProgress: (received, total) => {
          assert.equal(total, PAYLOAD.length);
          progress.push(received);
        },
      });
      assert.deepEqual(await Deno.readFile(dest), PAYLOAD);
      assert.equal(result.path, dest);
      assert.equal(result.size, PAYLOAD.length);
      assert.equal(result.sha256, PAYLOAD_SHA);
      assert.equal(result.etag, '"abc123"');
      assert.equal(result.lastModified, "Wed, 21 Oct 2015 07:28:00 GMT");
      assert.equal(result.contentType, "application/gzip");
      assert.equal(result.finalUrl, `${server.url}/pkg.tar.gz`);
      assert.equal(progress.at(-1), PAYLOAD.length);
      assert.equal(await exists(`${dest}.part`), false);
    });
  } finally {
    await server.close();
  }
});

Deno.test("sends the given headers and follows redirects", async () => {
  const server = startHttpServer({
    "/old": () => new Response(null, { status: 302, headers: { location: "/new" } }),
    "/new": () => payloadResponse(),
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const result = await downloadToFile(`${server.url}/old`, join(dir, "f"), {
        headers: { authorization: "Bearer t0ken" },
      });
      assert.equal(result.finalUrl, `${server.url}/new`);
      assert.equal(result.sha256, PAYLOAD_SHA);
      const seen = server.requests.find((r) => r.path === "/new");
      assert.equal(seen?.headers.get("authorization"), "Bearer t0ken");
    });
  } finally {
    await server.close();
  }
});

Deno.test("refuses content whose sha256 does not match and leaves no file", async () => {
  const server = startHttpServer({ "/f": () => payloadResponse() });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const dest = join(dir, "f");
      await Deno.writeTextFile(dest, "stale copy from an earlier run");
      const wrong = "0".repeat(64);
      const error = await catchIvpmErrorAsync(downloadToFile(`${server.url}/f`, dest, { sha256: wrong }));
      assert.match(error.message, new RegExp(`${server.url}/f`));
      assert.match(error.message, new RegExp(wrong));
      assert.match(error.message, new RegExp(PAYLOAD_SHA));
      assert.equal(await exists(dest), false);
      assert.equal(await exists(`${dest}.part`), false);
    });
  } finally {
    await server.close();
  }
});

Deno.test("retries server errors and succeeds once the server recovers", async () => {
  const server = startHttpServer({
    "/flaky": (_req, { hit }) => hit <= 2 ? new Response("busy", { status: 500 }) : payloadResponse(),
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const result = await downloadToFile(`${server.url}/flaky`, join(dir, "f"), FAST);
      assert.equal(result.sha256, PAYLOAD_SHA);
      assert.equal(server.hits["/flaky"], 3);
    });
  } finally {
    await server.close();
  }
});

Deno.test("retries 429 Too Many Requests", async () => {
  const server = startHttpServer({
    "/limited": (_req, { hit }) => hit === 1 ? new Response("slow down", { status: 429 }) : payloadResponse(),
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      await downloadToFile(`${server.url}/limited`, join(dir, "f"), FAST);
      assert.equal(server.hits["/limited"], 2);
    });
  } finally {
    await server.close();
  }
});

Deno.test("gives up after the retries, naming the URL, the status and the attempts", async () => {
  const server = startHttpServer({ "/down": () => new Response("down", { status: 500 }) });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const dest = join(dir, "f");
      const error = await catchIvpmErrorAsync(
        downloadToFile(`${server.url}/down`, dest, { ...FAST, retries: 2 }),
      );
      assert.match(error.message, new RegExp(`${server.url}/down`));
      assert.match(error.message, /HTTP 500/);
      assert.match(error.message, /3 attempts/);
      assert.ok(error.hint);
      assert.equal(server.hits["/down"], 3);
      assert.equal(await exists(dest), false);
      assert.equal(await exists(`${dest}.part`), false);
    });
  } finally {
    await server.close();
  }
});

Deno.test("retries a body cut short of its Content-Length", async () => {
  const server = startHttpServer({
    "/cut": (_req, { hit }) => {
      if (hit > 1) return payloadResponse();
      // Announce the full size, send a tenth, then close the connection.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(PAYLOAD.slice(0, PAYLOAD.length / 10));
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-length": String(PAYLOAD.length) } });
    },
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const dest = join(dir, "f");
      const result = await downloadToFile(`${server.url}/cut`, dest, FAST);
      assert.equal(server.hits["/cut"], 2);
      assert.equal(result.size, PAYLOAD.length);
      assert.deepEqual(await Deno.readFile(dest), PAYLOAD);
    });
  } finally {
    await server.close();
  }
});

Deno.test("fails at once on 404 with the URL and the status", async () => {
  const server = startHttpServer({});
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const url = `${server.url}/missing.zip`;
      const error = await catchIvpmErrorAsync(downloadToFile(url, join(dir, "f"), FAST));
      assert.equal(error.message, `Failed to download ${url}: HTTP 404 Not Found`);
      assert.ok(error.hint);
      assert.equal(server.hits["/missing.zip"], 1);
    });
  } finally {
    await server.close();
  }
});

Deno.test("times out on a server that stops sending, after retrying", async () => {
  const server = startHttpServer({
    "/stall": () => {
      // Headers and a first chunk, then silence until the client hangs up.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(10));
        },
        pull: () => new Promise<void>(() => {}),
      });
      return new Response(body);
    },
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const dest = join(dir, "f");
      const error = await catchIvpmErrorAsync(
        downloadToFile(`${server.url}/stall`, dest, { timeoutMs: 150, retries: 1, backoffMs: 1 }),
      );
      assert.match(error.message, /timed out/);
      assert.match(error.message, /2 attempts/);
      assert.equal(server.hits["/stall"], 2);
      assert.equal(await exists(`${dest}.part`), false);
    });
  } finally {
    await server.close();
  }
});

Deno.test("stops retrying when the caller aborts, throwing the abort reason", async () => {
  const controller = new AbortController();
  const reason = new Error("user cancelled");
  const server = startHttpServer({
    "/down": (_req, { hit }) => {
      if (hit === 2) controller.abort(reason);
      return new Response("down", { status: 503 });
    },
  });
  try {
    await withTempDir("ivpm-download-", async (dir) => {
      const done = downloadToFile(`${server.url}/down`, join(dir, "f"), {
        retries: 50,
        backoffMs: 1,
        signal: controller.signal,
      });
      await assert.rejects(done, (e) => e === reason);
      assert.equal(server.hits["/down"], 2);
    });
  } finally {
    await server.close();
  }
});

Deno.test("downloads a file:// URL, hashing it", async () => {
  await withTempDir("ivpm-download-", async (dir) => {
    const source = join(dir, "source.bin");
    await Deno.writeFile(source, PAYLOAD);
    const dest = join(dir, "out", "copy.bin");
    const result = await downloadToFile(pathToFileURL(source).href, dest, { sha256: PAYLOAD_SHA });
    assert.deepEqual(await Deno.readFile(dest), PAYLOAD);
    assert.equal(result.size, PAYLOAD.length);
    assert.ok(result.lastModified);
    const missing = pathToFileURL(join(dir, "nope.bin")).href;
    const error = await catchIvpmErrorAsync(downloadToFile(missing, join(dir, "x")));
    assert.match(error.message, /nope\.bin/);
  });
});

Deno.test("rejects an unsupported scheme and a malformed sha256", async () => {
  await assert.rejects(
    downloadToFile("ftp://example.invalid/f", "/nonexistent/f"),
    /unsupported scheme 'ftp:'/,
  );
  await assert.rejects(
    downloadToFile("http://127.0.0.1:9/f", "/nonexistent/f", { sha256: "abc" }),
    /Invalid sha256 'abc'/,
  );
});

Deno.test("probes ETag and Last-Modified with HEAD", async () => {
  const server = startHttpServer({
    "/a": () =>
      new Response("body", { headers: { etag: 'W/"v1"', "last-modified": "Thu, 01 Jan 2026 00:00:00 GMT" } }),
  });
  try {
    const result = await probeUrl(`${server.url}/a`);
    assert.deepEqual(result, { status: 200, etag: 'W/"v1"', lastModified: "Thu, 01 Jan 2026 00:00:00 GMT" });
    assert.deepEqual(server.requests.map((r) => r.method), ["HEAD"]);
    assert.equal((await probeUrl(`${server.url}/gone`)).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("probes with GET when the server refuses HEAD", async () => {
  const server = startHttpServer({
    "/nohead": (req) =>
      req.method === "HEAD"
        ? new Response(null, { status: 405 })
        : new Response(PAYLOAD, { headers: { etag: '"e2"' } }),
  });
  try {
    const result = await probeUrl(`${server.url}/nohead`);
    assert.equal(result.status, 200);
    assert.equal(result.etag, '"e2"');
    assert.deepEqual(server.requests.map((r) => r.method), ["HEAD", "GET"]);
  } finally {
    await server.close();
  }
});
