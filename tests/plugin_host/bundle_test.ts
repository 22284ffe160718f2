import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { bundlePlugin, dataUrl } from "../../core/plugin_host/bundle.ts";
import { PackageHandler } from "../../core/plugin_api/mod.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { toFileUrl } from "../_helpers/file_url.ts";

const BASE = "https://plugins.example/@acme/hello/1.0.0/";
const ENTRY = `${BASE}mod.ts`;
const IS_LINUX = Deno.build.os === "linux";

/** An entry importing the plugin API (external), a relative helper, and TS-only syntax. */
function helloGraph(apiSpecifier = "@ivpm/plugin"): Map<string, string> {
  return new Map([
    [
      ENTRY,
      [
        `import { PackageHandler, type RootInfo } from "${apiSpecifier}";`,
        `import { greet, type Greeting } from "./lib/greet.ts";`,
        `export class Hello extends PackageHandler {`,
        `  static override name = "hello";`,
        `  private count: number = 0;`,
        `  say(who: string): Greeting {`,
        `    this.count++;`,
        `    return greet(who);`,
        `  }`,
        `  override onRootPostLoad(_info: RootInfo): void {}`,
        `}`,
        ``,
      ].join("\n"),
    ],
    [
      `${BASE}lib/greet.ts`,
      [
        `export interface Greeting { text: string }`,
        `export function greet(who: string): Greeting {`,
        `  return { text: \`hello, \${who}\` };`,
        `}`,
        ``,
      ].join("\n"),
    ],
  ]);
}

Deno.test("bundles an entry, a relative helper and TS types into one module the host imports from a data: URL", async () => {
  const { code } = await bundlePlugin({ entry: ENTRY, files: helloGraph() });
  assert.match(code, /from "@ivpm\/plugin"/);
  assert.doesNotMatch(code, /greet\.ts"/, "the helper is inlined, not imported");
  assert.doesNotMatch(code, /: string/, "type annotations are stripped");
  const mod = await import(dataUrl(code));
  const handler: { say(who: string): unknown } = new mod.Hello();
  assert.deepEqual(handler.say("ivpm"), { text: "hello, ivpm" });
  assert.ok(handler instanceof PackageHandler, "the plugin extends the host's own PackageHandler");
  assert.equal(mod.Hello.name, "hello");
});

Deno.test("rewrites jsr:@ivpm/plugin imports to the host's @ivpm/plugin", async () => {
  const files = helloGraph("jsr:@ivpm/plugin");
  files.set(
    `${BASE}lib/extra.ts`,
    `import { PackageHandler } from "jsr:@ivpm/plugin@^0.1.0";\nexport const Base = PackageHandler;\n`,
  );
  files.set(ENTRY, `${files.get(ENTRY)}export { Base } from "./lib/extra.ts";\n`);
  const { code } = await bundlePlugin({ entry: ENTRY, files });
  assert.doesNotMatch(code, /jsr:/);
  assert.match(code, /from "@ivpm\/plugin"/);
  const mod = await import(dataUrl(code));
  assert.ok(new mod.Hello() instanceof PackageHandler);
  assert.equal(mod.Base, PackageHandler);
});

Deno.test("keeps node: built-ins external", async () => {
  const files = new Map([[
    ENTRY,
    `import { posix } from "node:path";\nexport const joined = posix.join("a", "b");\n`,
  ]]);
  const { code } = await bundlePlugin({ entry: ENTRY, files });
  assert.match(code, /from "node:path"/);
  assert.equal((await import(dataUrl(code))).joined, "a/b");
});

Deno.test("refuses a relative import that is not among the fetched files, naming importer and specifier", async () => {
  const files = helloGraph();
  files.delete(`${BASE}lib/greet.ts`);
  const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry: ENTRY, files }));
  assert.match(
    err.message,
    /^Plugin file https:\/\/plugins\.example\/@acme\/hello\/1\.0\.0\/mod\.ts imports/,
  );
  assert.match(
    err.message,
    /'\.\/lib\/greet\.ts' \(https:\/\/plugins\.example\/@acme\/hello\/1\.0\.0\/lib\/greet\.ts\)/,
  );
  assert.ok(err.hint);
});

Deno.test("refuses a bare import other than the plugin API", async () => {
  const files = new Map([[ENTRY, `import YAML from "yaml";\nexport const y = YAML;\n`]]);
  const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry: ENTRY, files }));
  assert.match(err.message, /^Plugin \S+mod\.ts imports 'yaml' in \S+mod\.ts$/);
  assert.match(err.hint ?? "", /self-contained: import only '@ivpm\/plugin' and its own files/);
});

Deno.test("never reads a plugin import from disk, even when the file exists there", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-bundle-test-" });
  try {
    await Deno.writeTextFile(join(dir, "helper.ts"), "export const onDisk = true;\n");
    const entry = toFileUrl(join(dir, "mod.ts"));
    const files = new Map([[entry, `export { onDisk } from "./helper.ts";\n`]]);
    await Deno.writeTextFile(join(dir, "mod.ts"), files.get(entry)!);
    const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry, files }));
    assert.match(err.message, /imports '\.\/helper\.ts'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refuses an entry that is not among the files", async () => {
  const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry: `${BASE}main.ts`, files: helloGraph() }));
  assert.match(
    err.message,
    /^Plugin entry https:\/\/plugins\.example\/@acme\/hello\/1\.0\.0\/main\.ts is not/,
  );
});

Deno.test("refuses a plugin file of a type esbuild cannot bundle", async () => {
  const files = new Map([[ENTRY, `import t from "./notes.txt";\nexport const n = t;\n`], [
    `${BASE}notes.txt`,
    "hi",
  ]]);
  const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry: ENTRY, files }));
  assert.match(err.message, /notes\.txt has a file type a plugin cannot use/);
});

Deno.test("names the file and line of a syntax error in plugin code", async () => {
  const files = helloGraph();
  files.set(
    `${BASE}lib/greet.ts`,
    `export const a = 1;\nexport function greet(who: string {\n  return who;\n}\n`,
  );
  const err = await catchIvpmErrorAsync(() => bundlePlugin({ entry: ENTRY, files }));
  assert.match(
    err.message,
    /^Cannot bundle plugin: https:\/\/plugins\.example\/@acme\/hello\/1\.0\.0\/lib\/greet\.ts:2:\d+: /,
  );
  assert.doesNotMatch(err.message, /\n/);
});

Deno.test("gives the same bytes and hash for the same input", async () => {
  const first = await bundlePlugin({ entry: ENTRY, files: helloGraph() });
  const again = await bundlePlugin({ entry: ENTRY, files: helloGraph() });
  const reordered = await bundlePlugin({ entry: ENTRY, files: new Map([...helloGraph()].reverse()) });
  assert.equal(again.code, first.code);
  assert.equal(reordered.code, first.code);
  assert.equal(again.sha256, first.sha256);
  assert.equal(first.sha256, `sha256-${createHash("sha256").update(first.code, "utf8").digest("hex")}`);
  const changed = helloGraph();
  changed.set(`${BASE}lib/greet.ts`, changed.get(`${BASE}lib/greet.ts`)!.replace("hello", "hi"));
  assert.notEqual((await bundlePlugin({ entry: ENTRY, files: changed })).sha256, first.sha256);
});

Deno.test("encodes non-ASCII source in the data: URL", async () => {
  const files = new Map([[ENTRY, `export const word: string = "größe ✓";\n`]]);
  const { code } = await bundlePlugin({ entry: ENTRY, files });
  assert.match(dataUrl(code), /^data:application\/javascript;base64,[A-Za-z0-9+/=]+$/);
  assert.equal((await import(dataUrl(code))).word, "größe ✓");
});

/**
 * Source of `esbuildChildren()`: live (non-zombie) child processes of this
 * process running esbuild, as pid → executable. Used in subprocesses, since
 * `deno test --parallel` runs other test files in this same process.
 */
const ESBUILD_CHILDREN = `
  function esbuildChildren() {
    const found = {};
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\\d+$/.test(e.name)) continue;
      try {
        const status = Deno.readTextFileSync("/proc/" + e.name + "/status");
        if (!status.includes("\\nPPid:\\t" + Deno.pid + "\\n") || /^State:\\s+[ZX]/m.test(status)) continue;
        const exe = Deno.readLinkSync("/proc/" + e.name + "/exe");
        if (exe.includes("esbuild")) found[e.name] = exe;
      } catch { /* it ended while we looked */ }
    }
    return found;
  }
`;

/** Runs `script` (which may call `esbuildChildren()`) with the project's config; returns its last stdout line as JSON. */
async function evalInSubprocess(script: string): Promise<Record<string, unknown>> {
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const env = Deno.env.toObject();
  delete env.ESBUILD_BINARY_PATH;
  const bundleModule = JSON.stringify(import.meta.resolve("../../core/plugin_host/bundle.ts"));
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "--config",
      config,
      "--quiet",
      `const BUNDLE = ${bundleModule};\n${ESBUILD_CHILDREN}\n${script}`,
    ],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout).trim().split("\n").at(-1)!);
}

Deno.test({
  name: "stops esbuild's service when bundling is done, also after concurrent bundles",
  ignore: !IS_LINUX,
  fn: async () => {
    const got = await evalInSubprocess(`
      const { bundlePlugin } = await import(BUNDLE);
      const files = new Map([["https://p.example/mod.ts", "export const a: number = 1;"]]);
      await Promise.all([1, 2, 3].map(() => bundlePlugin({ entry: "https://p.example/mod.ts", files })));
      // child.kill() is asynchronous: wait (bounded) for the child to go; a leaked service never does.
      for (let i = 0; i < 100 && Object.keys(esbuildChildren()).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      console.log(JSON.stringify({ children: esbuildChildren() }));
    `);
    assert.deepEqual(got.children, {});
  },
});

Deno.test({
  name: "in a compiled binary, runs esbuild from a private copy of its executable and removes it at exit",
  ignore: !IS_LINUX,
  fn: async () => {
    // importWithExtractedBinary is what a standalone binary uses; exercise it under deno run.
    const got = await evalInSubprocess(`
      const { importWithExtractedBinary } = await import(BUNDLE);
      const esbuild = await importWithExtractedBinary();
      const envAfter = Deno.env.get("ESBUILD_BINARY_PATH") ?? null;
      const ctx = await esbuild.context({ stdin: { contents: "export const a: number = 1", loader: "ts" }, write: false });
      const out = (await ctx.rebuild()).outputFiles[0].text;
      const exes = Object.values(esbuildChildren());
      await ctx.dispose();
      await esbuild.stop();
      console.log(JSON.stringify({ exes, envAfter, out }));
    `);
    assert.equal((got.exes as string[]).length, 1, "one esbuild service ran");
    const exe = (got.exes as string[])[0];
    assert.match(exe, /\/ivpm-esbuild-[^/]+\/esbuild$/, "esbuild ran from the extracted copy");
    assert.equal(got.envAfter, null, "ESBUILD_BINARY_PATH is not left set for later child processes");
    assert.match(got.out as string, /export const a = 1/);
    const dir = exe.slice(0, exe.lastIndexOf("/"));
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound, "the private copy is removed at exit");
  },
});
