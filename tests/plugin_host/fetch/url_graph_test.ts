import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type FetchedGraph,
  fetchPluginGraph,
  graphIntegrity,
  parsePluginSpec,
} from "../../../core/plugin_host/fetch/mod.ts";
import { sha256Hex } from "../../../core/plugin_host/fetch/digest.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { startHttpServer } from "../../_helpers/http_server.ts";

const ts = (body: string) => () =>
  new Response(body, { headers: { "content-type": "application/typescript" } });

Deno.test("follows relative and absolute imports of a served plugin, after redirects", async () => {
  const shared = startHttpServer({
    "/shared/y.ts": ts(`export * from "./z.ts";\n`),
    "/shared/z.ts": ts(`export const z = 1;\n`),
  });
  const MOD = `import { PackageHandler } from "@ivpm/plugin";
import { x } from "./lib/x.ts";
import { z } from "${shared.url}/shared/y.ts";
export default class H extends PackageHandler {}
`;
  const site = startHttpServer({
    "/latest/mod.ts": () => new Response(null, { status: 302, headers: { location: "/v1/mod.ts" } }),
    "/v1/mod.ts": ts(MOD),
    "/v1/lib/x.ts": ts(`import "../mod.ts";\nexport const x = 1;\n`), // a cycle back to the entry
  });
  try {
    const graph = await fetchPluginGraph(parsePluginSpec(`${site.url}/latest/mod.ts`, "/"));
    assert.deepEqual([...graph.files.keys()], [
      `${site.url}/v1/mod.ts`,
      `${site.url}/v1/lib/x.ts`,
      `${shared.url}/shared/y.ts`,
      `${shared.url}/shared/z.ts`,
    ]);
    assert.equal(graph.files.get(`${site.url}/v1/mod.ts`), MOD);
    assert.equal(graph.hashes[`${site.url}/v1/mod.ts`], `sha256-${sha256Hex(MOD)}`);
    assert.deepEqual(graph.resolved, {
      kind: "url",
      name: `${site.url}/v1/mod.ts`,
      entry: `${site.url}/v1/mod.ts`,
    });
    assert.equal(graph.spec, `${site.url}/latest/mod.ts`);
    assert.equal(site.hits["/v1/mod.ts"], 1, "the cycle does not refetch the entry");
  } finally {
    await site.close();
    await shared.close();
  }
});

Deno.test("refuses plain http to a host off loopback without a request", async () => {
  const err = await catchIvpmErrorAsync(() =>
    fetchPluginGraph({ kind: "url", url: "http://plugins.example.com/mod.ts" })
  );
  assert.match(
    err.message,
    /Refusing to fetch plugin over plain http: http:\/\/plugins\.example\.com\/mod\.ts/,
  );
  assert.match(err.hint ?? "", /https/);
});

Deno.test("refuses a redirect or an import to plain http off loopback before requesting it", async () => {
  const server = startHttpServer({
    "/hop.ts": () =>
      new Response(null, { status: 301, headers: { location: "http://evil.example.com/mod.ts" } }),
    "/imports.ts": ts(`import "http://evil.example.com/x.ts";\n`),
  });
  try {
    const hop = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "url", url: `${server.url}/hop.ts` })
    );
    assert.match(hop.message, /plain http: http:\/\/evil\.example\.com\/mod\.ts/);
    const imp = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "url", url: `${server.url}/imports.ts` })
    );
    assert.match(imp.message, /plain http: http:\/\/evil\.example\.com\/x\.ts/);
    assert.match(imp.message, /imported by .*\/imports\.ts/);
    assert.deepEqual(server.requests.map((r) => r.path), ["/hop.ts", "/imports.ts"]);
  } finally {
    await server.close();
  }
});

Deno.test("names the missing file and its importer, and keeps remote modules off local files", async () => {
  const server = startHttpServer({
    "/mod.ts": ts(`import "./gone.ts";\n`),
    "/local.ts": ts(`import "file:///etc/hostname";\n`),
    "/npm.ts": ts(`import "npm:left-pad";\n`),
  });
  try {
    const gone = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "url", url: `${server.url}/mod.ts` })
    );
    assert.equal(
      gone.message,
      `Could not fetch ${server.url}/gone.ts: HTTP 404 (imported by ${server.url}/mod.ts)`,
    );
    const local = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "url", url: `${server.url}/local.ts` })
    );
    assert.match(local.message, /imports the local file file:\/\/\/etc\/hostname/);
    const npm = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "url", url: `${server.url}/npm.ts` })
    );
    assert.match(npm.hint ?? "", /self-contained/);
  } finally {
    await server.close();
  }
});

Deno.test("reads a local plugin and the files it imports, relative to each file", async () => {
  const dir = await Deno.makeTempDir();
  const server = startHttpServer({ "/remote.ts": ts(`export const r = 1;\n`) });
  try {
    await Deno.mkdir(join(dir, "tools", "lib"), { recursive: true });
    await Deno.mkdir(join(dir, "common"));
    await Deno.writeTextFile(
      join(dir, "tools", "my_handler.ts"),
      `import { PackageHandler } from "@ivpm/plugin";\nimport { a } from "./lib/a.ts";\n`,
    );
    await Deno.writeTextFile(
      join(dir, "tools", "lib", "a.ts"),
      `export * from "../../common/c.ts";\nimport "${server.url}/remote.ts";\nexport const a = 1;\n`,
    );
    await Deno.writeTextFile(join(dir, "common", "c.ts"), `export const c = 1;\n`);
    const spec = parsePluginSpec("./tools/my_handler.ts", dir);
    const graph = await fetchPluginGraph(spec);
    const url = (p: string) => pathToFileURL(join(dir, p)).href;
    assert.deepEqual([...graph.files.keys()], [
      url("tools/my_handler.ts"),
      url("tools/lib/a.ts"),
      url("common/c.ts"),
      `${server.url}/remote.ts`,
    ]);
    assert.deepEqual(graph.resolved, {
      kind: "local",
      name: join(dir, "tools", "my_handler.ts"),
      entry: url("tools/my_handler.ts"),
    });

    await Deno.writeTextFile(join(dir, "common", "c.ts"), `import "./nope";\n`);
    const err = await catchIvpmErrorAsync(() => fetchPluginGraph(spec));
    assert.equal(
      err.message,
      `Plugin file ${join(dir, "common", "nope")} not found (imported by ${url("common/c.ts")})`,
    );
    assert.match(err.hint ?? "", /extension included/);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a local plugin pinned by hashes is refused once a file changes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const entry = join(dir, "h.ts");
    await Deno.writeTextFile(entry, `export const v = 1;\n`);
    const first = await fetchPluginGraph({ kind: "local", path: entry });
    await Deno.writeTextFile(entry, `export const v = 2;\n`);
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "local", path: entry }, { expect: { hashes: first.hashes } })
    );
    assert.match(
      err.message,
      /h\.ts does not match its pin \(expected sha256-[0-9a-f]{64}, got sha256-[0-9a-f]{64}\)/,
    );

    const extra = {
      ...first.hashes,
      [pathToFileURL(join(dir, "gone.ts")).href]: first.hashes[first.resolved.entry],
    };
    await Deno.writeTextFile(entry, `export const v = 1;\n`);
    const gone = await catchIvpmErrorAsync(() =>
      fetchPluginGraph({ kind: "local", path: entry }, { expect: { hashes: extra } })
    );
    assert.match(gone.message, /no longer includes file:.*\/gone\.ts, which its pin lists/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("graph integrity depends on the (url, hash) pairs only, not their order", () => {
  const graph = (hashes: Record<string, string>): FetchedGraph => ({
    spec: "x",
    resolved: { kind: "url", name: "x", entry: "x" },
    files: new Map(),
    hashes,
    pin: {},
  });
  const a = graphIntegrity(graph({ "https://a/1.ts": "sha256-01", "https://a/2.ts": "sha256-02" }));
  const b = graphIntegrity(graph({ "https://a/2.ts": "sha256-02", "https://a/1.ts": "sha256-01" }));
  const c = graphIntegrity(graph({ "https://a/1.ts": "sha256-01", "https://a/2.ts": "sha256-03" }));
  assert.match(a, /^sha256-[0-9a-f]{64}$/);
  assert.equal(a, b);
  assert.notEqual(a, c);
});

Deno.test("npm: plugins are refused as not supported yet", async () => {
  const err = await catchIvpmErrorAsync(() => fetchPluginGraph(parsePluginSpec("npm:some-plugin@1", "/")));
  assert.match(err.message, /npm: plugins are not supported yet/);
});

Deno.test("a cancelled signal stops the fetch with its reason", async () => {
  const server = startHttpServer({ "/mod.ts": ts(`export {};\n`) });
  try {
    const controller = new AbortController();
    const reason = new Error("cancelled by the user");
    controller.abort(reason);
    await assert.rejects(
      () => fetchPluginGraph({ kind: "url", url: `${server.url}/mod.ts` }, { signal: controller.signal }),
      (err) => err === reason,
    );
  } finally {
    await server.close();
  }
});
