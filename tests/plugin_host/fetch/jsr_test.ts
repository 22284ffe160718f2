import assert from "node:assert/strict";
import {
  type FetchOptions,
  fetchPluginGraph,
  parsePluginSpec,
  selectJsrVersion,
} from "../../../core/plugin_host/fetch/mod.ts";
import { sha256Hex } from "../../../core/plugin_host/fetch/digest.ts";
import { catchIvpmErrorAsync } from "../../_helpers/catch_ivpm_error.ts";
import { type FakeJsrVersion, fakeVersionMeta, startFakeJsr } from "../../_helpers/fake_jsr.ts";

const MOD = `import { PackageHandler } from "@ivpm/plugin";
import { helper } from "./lib/helper.ts";
export default class Fusesoc extends PackageHandler { name = helper(); }
`;
const HELPER = `// re-exported util
export * from "../util.ts";
export function helper() { return "fusesoc"; }
`;
const UTIL = `export const u = 1;\n`;
const SUB = `import { u } from "./util.ts";\nexport const sub = u;\n`;

function plugin(extra: Partial<FakeJsrVersion> = {}): FakeJsrVersion {
  return {
    files: { "/mod.ts": MOD, "/lib/helper.ts": HELPER, "/util.ts": UTIL, "/sub.ts": SUB, "/unused.ts": "x" },
    exports: { ".": "./mod.ts", "./sub": "./sub.ts" },
    ...extra,
  };
}

const envFor = (url: string): FetchOptions["env"] => ({ get: (k) => (k === "JSR_URL" ? url : undefined) });
const jsr = (spec: string) => parsePluginSpec(spec, "/");

Deno.test("selects the highest matching version, skipping yanked unless only yanked match", () => {
  const versions = {
    "1.0.0": {},
    "1.1.0": {},
    "1.2.0": { yanked: true },
    "2.0.0": {},
    "2.1.0-rc.1": {},
    "3.0.0": { yanked: true },
  };
  const table: [string, string | undefined][] = [
    ["*", "2.0.0"],
    ["^1", "1.1.0"],
    [">=1 <2", "1.1.0"],
    ["~1.0", "1.0.0"],
    ["1.0.0", "1.0.0"],
    ["1.2.0", "1.2.0"],
    ["^3", "3.0.0"],
    ["^4", undefined],
  ];
  for (const [range, want] of table) assert.equal(selectJsrVersion(versions, range), want, range);
});

Deno.test("resolves the range against the registry's meta.json", async () => {
  const reg = startFakeJsr({
    packages: {
      "@acme/fusesoc": {
        "1.0.0": plugin(),
        "1.2.0": plugin(),
        "1.3.0": plugin({ yanked: true }),
        "2.0.0": plugin(),
      },
    },
  });
  try {
    const version = async (spec: string) =>
      (await fetchPluginGraph(jsr(spec), { env: envFor(reg.url) })).resolved.version;
    assert.equal(await version("jsr:@acme/fusesoc@^1"), "1.2.0");
    assert.equal(await version("jsr:@acme/fusesoc@>=1 <2"), "1.2.0");
    assert.equal(await version("jsr:@acme/fusesoc@1.3.0"), "1.3.0");
    assert.equal(await version("jsr:@acme/fusesoc"), "2.0.0");
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc@^5"), { env: envFor(reg.url) })
    );
    assert.match(err.message, /No version of @acme\/fusesoc satisfies '\^5'/);
    assert.match(err.hint ?? "", /1\.0\.0, 1\.2\.0, 1\.3\.0, 2\.0\.0/);
  } finally {
    await reg.close();
  }
});

Deno.test("collects the entry and its relative imports, verified, entry first", async () => {
  const reg = startFakeJsr({ packages: { "@acme/fusesoc": { "1.0.0": plugin() } } });
  try {
    const graph = await fetchPluginGraph(jsr("jsr:@acme/fusesoc@^1"), { env: envFor(reg.url) });
    const v = `${reg.url}@acme/fusesoc/1.0.0`;
    assert.deepEqual([...graph.files.keys()], [`${v}/mod.ts`, `${v}/lib/helper.ts`, `${v}/util.ts`]);
    assert.equal(graph.files.get(`${v}/lib/helper.ts`), HELPER);
    assert.equal(graph.hashes[`${v}/util.ts`], `sha256-${sha256Hex(UTIL)}`);
    assert.deepEqual(graph.resolved, {
      kind: "jsr",
      name: "@acme/fusesoc@1.0.0",
      version: "1.0.0",
      entry: `${v}/mod.ts`,
    });
    assert.equal(graph.spec, "jsr:@acme/fusesoc@^1");
    assert.deepEqual(graph.pin, { registry: reg.url, metaSha256: sha256Hex(fakeVersionMeta(plugin())) });
    assert.ok(!reg.requests.includes("/@acme/fusesoc/1.0.0/unused.ts"), "fetches only imported files");
  } finally {
    await reg.close();
  }
});

Deno.test("starts from the subpath export, and lists the exports when it is missing", async () => {
  const reg = startFakeJsr({ packages: { "@acme/x": { "1.0.0": plugin() } } });
  try {
    const graph = await fetchPluginGraph(jsr("jsr:@acme/x/sub"), { env: envFor(reg.url) });
    const v = `${reg.url}@acme/x/1.0.0`;
    assert.deepEqual([...graph.files.keys()], [`${v}/sub.ts`, `${v}/util.ts`]);
    assert.equal(graph.resolved.entry, `${v}/sub.ts`);
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/x/nope"), { env: envFor(reg.url) })
    );
    assert.match(err.message, /@acme\/x@1\.0\.0 has no export '\.\/nope'/);
    assert.match(err.hint ?? "", /available exports: \., \.\/sub/);
  } finally {
    await reg.close();
  }
});

Deno.test("refuses a tampered file, naming the plugin, the file and both hashes", async () => {
  const reg = startFakeJsr({
    packages: { "@acme/fusesoc": { "1.0.0": plugin() } },
    tamper: { "@acme/fusesoc@1.0.0/util.ts": "export const u = 2;\n" },
  });
  try {
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc"), { env: envFor(reg.url) })
    );
    assert.match(
      err.message,
      /^Plugin @acme\/fusesoc@1\.0\.0: \/util\.ts does not match the registry manifest/,
    );
    assert.ok(err.message.includes(`expected sha256-${sha256Hex(UTIL)}`), err.message);
    assert.ok(err.message.includes(`got sha256-${sha256Hex("export const u = 2;\n")}`), err.message);
    assert.match(err.message, /refusing to run it/);
  } finally {
    await reg.close();
  }
});

Deno.test("expect.version uses exactly that version without reading meta.json", async () => {
  const reg = startFakeJsr({ packages: { "@acme/fusesoc": { "1.0.0": plugin(), "1.5.0": plugin() } } });
  try {
    const graph = await fetchPluginGraph(jsr("jsr:@acme/fusesoc@^1"), {
      env: envFor(reg.url),
      expect: { version: "1.0.0" },
    });
    assert.equal(graph.resolved.version, "1.0.0");
    assert.ok(!reg.requests.includes("/@acme/fusesoc/meta.json"), reg.requests.join(" "));
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc@^2"), { env: envFor(reg.url), expect: { version: "1.0.0" } })
    );
    assert.match(err.message, /Pinned version 1\.0\.0 of @acme\/fusesoc does not satisfy '\^2'/);
    const gone = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc"), { env: envFor(reg.url), expect: { version: "1.1.0" } })
    );
    assert.match(gone.message, /Version 1\.1\.0 of @acme\/fusesoc is not in the registry/);
  } finally {
    await reg.close();
  }
});

Deno.test("expect.hashes and expect.metaSha256 refuse a changed file or manifest", async () => {
  const reg = startFakeJsr({ packages: { "@acme/fusesoc": { "1.0.0": plugin() } } });
  try {
    const opts = { env: envFor(reg.url) };
    const first = await fetchPluginGraph(jsr("jsr:@acme/fusesoc"), opts);
    const again = await fetchPluginGraph(jsr("jsr:@acme/fusesoc"), {
      ...opts,
      expect: { version: "1.0.0", hashes: first.hashes, metaSha256: String(first.pin.metaSha256) },
    });
    assert.deepEqual(again.hashes, first.hashes);

    const util = `${reg.url}@acme/fusesoc/1.0.0/util.ts`;
    const pinned = { ...first.hashes, [util]: `sha256-${"0".repeat(64)}` };
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc"), { ...opts, expect: { hashes: pinned } })
    );
    assert.ok(
      err.message.includes(`${util} does not match its pin (expected sha256-${"0".repeat(64)}`),
      err.message,
    );

    const meta = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/fusesoc"), { ...opts, expect: { metaSha256: "ab".repeat(32) } })
    );
    assert.match(meta.message, /serves different content for this version than was pinned/);
    assert.ok(meta.message.includes(String(first.pin.metaSha256)), meta.message);
  } finally {
    await reg.close();
  }
});

Deno.test("refuses imports other than the plugin API and the package's own files", async () => {
  const reg = startFakeJsr({
    packages: {
      "@acme/ok": {
        "1.0.0": { files: { "/mod.ts": `import "jsr:@ivpm/plugin@^1";\nimport "jsr:@ivpm/plugin";` } },
      },
      "@acme/npm": { "1.0.0": { files: { "/mod.ts": `import x from "npm:left-pad@1";` } } },
      "@acme/esc": { "1.0.0": { files: { "/mod.ts": `import "../../other/1.0.0/mod.ts";` } } },
      "@acme/gap": { "1.0.0": { files: { "/mod.ts": `import "./missing.ts";` } } },
    },
  });
  try {
    const opts = { env: envFor(reg.url) };
    const ok = await fetchPluginGraph(jsr("jsr:@acme/ok"), opts);
    assert.equal(ok.files.size, 1);
    const npm = await catchIvpmErrorAsync(() => fetchPluginGraph(jsr("jsr:@acme/npm"), opts));
    assert.match(npm.message, /Plugin @acme\/npm@1\.0\.0 imports 'npm:left-pad@1'/);
    assert.match(npm.hint ?? "", /self-contained/);
    const esc = await catchIvpmErrorAsync(() => fetchPluginGraph(jsr("jsr:@acme/esc"), opts));
    assert.match(esc.message, /from outside the package/);
    const gap = await catchIvpmErrorAsync(() => fetchPluginGraph(jsr("jsr:@acme/gap"), opts));
    assert.match(
      gap.message,
      /\/missing\.ts is not part of the published package \(imported by .*\/mod\.ts\)/,
    );
  } finally {
    await reg.close();
  }
});

Deno.test("reports an unknown package and refuses a plain-http JSR_URL off loopback", async () => {
  const reg = startFakeJsr({ packages: {} });
  try {
    const err = await catchIvpmErrorAsync(() =>
      fetchPluginGraph(jsr("jsr:@acme/none"), { env: envFor(reg.url) })
    );
    assert.match(err.message, /JSR package @acme\/none not found/);
  } finally {
    await reg.close();
  }
  const http = await catchIvpmErrorAsync(() =>
    fetchPluginGraph(jsr("jsr:@acme/x"), { env: envFor("http://registry.example.com/") })
  );
  assert.match(http.message, /Refusing to fetch JSR registry over plain http/);
});

Deno.test("the fake registry satisfies Deno's own jsr: resolver", async () => {
  const reg = startFakeJsr({
    packages: { "@acme/fusesoc": { "1.0.0": plugin(), "1.1.0": plugin({ yanked: true }) } },
  });
  const dir = await Deno.makeTempDir();
  try {
    const code = `import { sub } from "jsr:@acme/fusesoc@^1/sub"; console.log("sub=" + sub);`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-config", "--no-lock", code],
      env: { JSR_URL: reg.url, DENO_DIR: dir, NO_COLOR: "1" },
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "sub=1", new TextDecoder().decode(out.stderr));
    assert.ok(reg.requests.includes("/@acme/fusesoc/1.0.0_meta.json"), reg.requests.join(" "));
    assert.ok(!reg.requests.includes("/@acme/fusesoc/1.1.0_meta.json"), "Deno skips the yanked version too");
  } finally {
    await reg.close();
    await Deno.remove(dir, { recursive: true });
  }
});
