import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG = join(ROOT, "deno.json");
const GUIDE = join(ROOT, "docs", "writing-plugins.md");

async function deno(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, output: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** The ```ts blocks of a markdown file whose first line is `// <file>.ts`, by file name. */
function namedBlocks(markdown: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of markdown.matchAll(/^```ts[^\n]*\n\/\/ ([\w.-]+\.ts)\n([\s\S]*?)^```$/gm)) {
    out.set(m[1], m[2]);
  }
  return out;
}

Deno.test("every example in the plugin API's JSDoc and in the handler docs type-checks", async () => {
  const r = await deno(
    [
      "test",
      "--doc",
      "--no-run",
      "--config",
      CONFIG,
      "core/plugin_api/",
      "core/config/schema.ts",
      "docs/writing-plugins.md",
      "docs/handlers.md",
    ],
    ROOT,
  );
  assert.equal(r.code, 0, r.output);
});

Deno.test("the plugin guide's handler and its tests run as written, through the real engine", async () => {
  const blocks = namedBlocks(await Deno.readTextFile(GUIDE));
  assert.deepEqual([...blocks.keys()].sort(), ["engine_test.ts", "mod.ts", "mod_test.ts"]);
  const dir = await Deno.makeTempDir({ prefix: "ivpm-guide-" });
  try {
    for (const [file, source] of blocks) {
      // The guide imports ivpm's engine from a checkout next to the plugin: point that at this repository.
      await Deno.writeTextFile(
        join(dir, file),
        source.replaceAll('"../ivpm/', `"${new URL("../../", import.meta.url)}`),
      );
    }
    const r = await deno(
      ["test", "--allow-all", "--config", CONFIG, join(dir, "mod_test.ts"), join(dir, "engine_test.ts")],
      ROOT,
    );
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /ok \| 2 passed \| 0 failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
