import assert from "node:assert/strict";
import { join } from "node:path";
import { addPluginEntry, listedPluginSpecs, removePluginEntry } from "../../core/plugin_host/config_edit.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";

const SPEC = "jsr:@acme/fusesoc@^1";

/** Adds SPEC and a granted local plugin, checks the result, removes both, checks the file is back. */
async function roundTrip(name: string, text: string, added: string, back = text): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, name);
    await Deno.writeTextFile(file, text);
    await addPluginEntry(file, SPEC, {});
    await addPluginEntry(file, "./t.ts", { write: ["out"] });
    assert.equal(await Deno.readTextFile(file), added);
    assert.deepEqual(await listedPluginSpecs(file), [
      ...(text.includes("- keep") ? ["keep"] : []),
      SPEC,
      "./t.ts",
    ]);
    assert.equal(await removePluginEntry(file, (s) => s === SPEC), SPEC);
    assert.equal(await removePluginEntry(file, (s) => s === "./t.ts"), "./t.ts");
    assert.equal(await Deno.readTextFile(file), back);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("adds a plugins list after package.name, keeping every other byte, and removes it again", async () => {
  const text = `# keep me
package:
  name: soc     # aligned
  # deps follow
  dep-sets: []
`;
  await roundTrip(
    "ivpm.yaml",
    text,
    `# keep me
package:
  name: soc     # aligned
  plugins:
    - ${SPEC}
    - spec: ./t.ts
      allow-write:
        - out
  # deps follow
  dep-sets: []
`,
  );
});

Deno.test("appends to an existing block list at its indentation, keeping comments between items", async () => {
  const text = `package:
  name: soc
  plugins:
      - keep   # indented deeper than usual
      # a comment line
  dep-sets: []
`;
  await roundTrip(
    "ivpm.yaml",
    text,
    `package:
  name: soc
  plugins:
      - keep   # indented deeper than usual
      - ${SPEC}
      - spec: ./t.ts
        allow-write:
          - out
      # a comment line
  dep-sets: []
`,
  );
});

Deno.test("a user config gets a top-level plugins list, after its comments", async () => {
  await roundTrip(
    "config.yaml",
    "# user config\nsite-config: acme # the site\n",
    `# user config\nsite-config: acme # the site\nplugins:\n  - ${SPEC}\n  - spec: ./t.ts\n    allow-write:\n      - out\n`,
  );
});

Deno.test("a flow list stays a flow list", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "ivpm.yaml");
    await Deno.writeTextFile(file, "package:\n  name: soc\n  plugins: [keep]   # flow\n");
    await addPluginEntry(file, SPEC, {});
    assert.equal(
      await Deno.readTextFile(file),
      `package:\n  name: soc\n  plugins: [keep, "${SPEC}"]   # flow\n`,
    );
    assert.deepEqual(await listedPluginSpecs(file), ["keep", SPEC]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("refuses a spec listed twice, a non-list, and a missing ivpm.yaml", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "ivpm.yaml");
    await Deno.writeTextFile(file, `package:\n  name: soc\n  plugins:\n    - ${SPEC}\n`);
    assert.match((await catchIvpmErrorAsync(() => addPluginEntry(file, SPEC, {}))).message, /already listed/);
    await Deno.writeTextFile(file, "package:\n  name: soc\n  plugins: nope\n");
    assert.match(
      (await catchIvpmErrorAsync(() => addPluginEntry(file, SPEC, {}))).message,
      /'package\.plugins' in .* is not a list/,
    );
    const missing = join(dir, "sub", "ivpm.yaml");
    assert.match(
      (await catchIvpmErrorAsync(() => addPluginEntry(missing, SPEC, {}))).message,
      /no ivpm\.yaml at/,
    );
    assert.equal(await removePluginEntry(missing, () => true), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
