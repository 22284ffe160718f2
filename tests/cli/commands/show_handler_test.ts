import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runIvpm } from "../../_helpers/cli.ts";

const DRIVER = fileURLToPath(new URL("../../_helpers/cli_plugins_driver.ts", import.meta.url));

Deno.test("show handler lists handlers, one handler's metadata, and the resolved order with reasons", async () => {
  const list = await runIvpm(["show", "handler"], { script: DRIVER });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^marker-detector +phase=prepare +Marks packages/m);
  assert.match(list.stdout, /^summary-writer +phase=integrate/m);
  const order = await runIvpm(["show", "handler", "--order"], { script: DRIVER });
  assert.equal(order.code, 0, order.stderr);
  const lines = order.stdout.trim().split("\n");
  assert.match(order.stdout, /\d\. marker-detector +phase=prepare/);
  assert.match(
    order.stdout,
    /\d\. summary-writer[\s\S]*after marker-detector +\(summary-writer\.runAfter marker-detector\)/,
  );
  const names = lines.filter((l) => /^\s*\d+\./.test(l)).map((l) => l.trim().split(/\s+/)[1]);
  assert.ok(names.indexOf("marker-detector") < names.indexOf("summary-writer"));
  assert.equal(names.at(-1), "shouter");
  const one = await runIvpm(["show", "handler", "summary-writer", "--json"], { script: DRIVER });
  const meta = JSON.parse(one.stdout);
  assert.deepEqual(meta.rootWhen, ["hasType('marked')"]);
  assert.equal(meta.origin, "examples/plugins/summary_writer.ts");
  const typo = await runIvpm(["show", "handler", "sumary-writer"], { script: DRIVER });
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /did you mean 'summary-writer'/);
});

Deno.test("a handler's CLI option appears in --help and reaches the handler as info.args", async () => {
  const help = await runIvpm(["update", "--help"], { script: DRIVER });
  assert.match(help.stdout, /--shout <word> +word to write \[shouter\]/);
  const dir = await Deno.makeTempDir({ prefix: "ivpm-shout-" });
  try {
    await Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      "package:\n  name: s\n  dep-sets:\n    - name: default\n      deps: []\n",
    );
    const r = await runIvpm(["update", "--shout", "hello"], {
      script: DRIVER,
      cwd: dir,
      env: { IVPM_CACHE: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "packages", "shout.txt"))), {
      shout: "hello",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
