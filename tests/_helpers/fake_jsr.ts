/**
 * A real JSR registry for tests, on 127.0.0.1 with an ephemeral port. It speaks
 * the protocol Deno's `jsr:` resolver and ivpm's plugin fetcher use, computing
 * each version's manifest (size and sha256 of every file) from the given files:
 *
 * - `GET /@scope/name/meta.json` → `{"scope", "name", "latest", "versions": {"1.0.0": {}, "1.1.0": {"yanked": true}}}`
 * - `GET /@scope/name/<ver>_meta.json` → `{"manifest": {"/mod.ts": {"size", "checksum"}}, "exports": {".": "./mod.ts"}}`
 * - `GET /@scope/name/<ver>/<path>` → the file
 *
 * ```ts
 * const jsr = startFakeJsr({ packages: { "@acme/tool": { "1.0.0": { files: { "/mod.ts": "export {};" } } } } });
 * try {
 *   // JSR_URL=jsr.url (via an env option, or a subprocess's env)
 * } finally {
 *   await jsr.close();
 * }
 * ```
 *
 * @module
 */

import { createHash } from "node:crypto";

/** One published version. */
export interface FakeJsrVersion {
  /** Path (with leading `/`) → content. */
  files: Record<string, string | Uint8Array>;
  /** Export map; default `{ ".": "./mod.ts" }`. */
  exports?: Record<string, string>;
  yanked?: boolean;
}

/** Options of {@link startFakeJsr}. */
export interface FakeJsrOptions {
  /** `@scope/name` → version → contents. */
  packages: Record<string, Record<string, FakeJsrVersion>>;
  /**
   * Bodies served instead of the real file, keyed `@scope/name@<ver>/<path>` (e.g.
   * `@acme/tool@1.0.0/mod.ts`); the manifest keeps the original size and checksum.
   */
  tamper?: Record<string, string | Uint8Array>;
}

/** A running fake registry. */
export interface FakeJsr {
  /** Base URL with a trailing slash (the value for `JSR_URL`), e.g. `http://127.0.0.1:41234/`. */
  url: string;
  /** Path of every request, in arrival order. */
  requests: string[];
  /** Stops the server. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

function bytesOf(content: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return typeof content === "string" ? encoder.encode(content) : new Uint8Array(content);
}

/** The `<ver>_meta.json` body the fake serves for one version. */
export function fakeVersionMeta(version: FakeJsrVersion): string {
  const manifest: Record<string, { size: number; checksum: string }> = {};
  for (const [path, content] of Object.entries(version.files)) {
    const bytes = bytesOf(content);
    manifest[path] = {
      size: bytes.length,
      checksum: `sha256-${createHash("sha256").update(bytes).digest("hex")}`,
    };
  }
  return JSON.stringify({ manifest, exports: version.exports ?? { ".": "./mod.ts" } });
}

/** Starts the registry; stop it with `close()`. */
export function startFakeJsr(options: FakeJsrOptions): FakeJsr {
  const requests: string[] = [];
  const json = (body: string) => new Response(body, { headers: { "content-type": "application/json" } });
  const notFound = () => new Response("not found", { status: 404 });

  const route = (path: string): Response => {
    const m = /^\/(@[^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (!m) return notFound();
    const [, pkg, rest] = m;
    const versions = options.packages[pkg];
    if (!versions) return notFound();
    if (rest === "meta.json") {
      const [scope, name] = pkg.slice(1).split("/");
      const listed: Record<string, { yanked?: boolean }> = {};
      for (const [v, info] of Object.entries(versions)) listed[v] = info.yanked ? { yanked: true } : {};
      const latest = Object.keys(versions).filter((v) => !versions[v].yanked).at(-1);
      return json(JSON.stringify({ scope, name, latest, versions: listed }));
    }
    const meta = /^([^/]+)_meta\.json$/.exec(rest);
    if (meta) {
      const version = versions[meta[1]];
      return version ? json(fakeVersionMeta(version)) : notFound();
    }
    const slash = rest.indexOf("/");
    const ver = rest.slice(0, slash);
    const filePath = rest.slice(slash);
    const version = slash > 0 ? versions[ver] : undefined;
    const content = version?.files[filePath];
    if (content === undefined) return notFound();
    const served = options.tamper?.[`${pkg}@${ver}${filePath}`] ?? content;
    return new Response(bytesOf(served), { headers: { "content-type": "text/plain" } });
  };

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      requests.push(path);
      return route(path);
    },
  );
  return { url: `http://127.0.0.1:${server.addr.port}/`, requests, close: () => server.shutdown() };
}
