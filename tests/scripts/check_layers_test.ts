import assert from "node:assert/strict";
import { checkLayers } from "../../scripts/check_layers.ts";
import { tempTree } from "../_helpers/temp.ts";

const LAYERS = [["src/low"], ["src/mid"], ["src/top"]];

Deno.test("a tree that imports only downward passes the layer check", async () => {
  const { path: root, dispose } = await tempTree("ivpm-layers-", {
    "src/low/a.ts": "export const a = 1;\n",
    "src/mid/b.ts": 'import { a } from "../low/a.ts";\nexport const b = a;\n',
    "src/top/c.ts":
      'import { b } from "../mid/b.ts";\nimport type { a } from "../low/a.ts";\nexport const c = b;\n',
  });
  try {
    assert.deepEqual(await checkLayers(root, LAYERS, ["src"]), []);
  } finally {
    await dispose();
  }
});

Deno.test("a deliberately added back-edge is reported as an upward import and as a cycle", async () => {
  const { path: root, dispose } = await tempTree("ivpm-layers-", {
    "src/low/a.ts": 'import { b } from "../mid/b.ts";\nexport const a = b;\n',
    "src/mid/b.ts": 'export const b = 1;\nexport { a } from "../low/a.ts";\n',
    "src/top/c.ts": 'const m = await import("../mid/b.ts");\nexport const c = m;\n',
  });
  try {
    const problems = await checkLayers(root, LAYERS, ["src"]);
    assert.deepEqual(problems.map((p) => p.kind).sort(), ["cycle", "upward"]);
    assert.match(
      problems.find((p) => p.kind === "upward")!.message,
      /src\/low\/a\.ts imports src\/mid\/b\.ts/,
    );
    assert.match(
      problems.find((p) => p.kind === "cycle")!.message,
      /import cycle between src\/low, src\/mid/,
    );
  } finally {
    await dispose();
  }
});

Deno.test("a file in no layer is reported", async () => {
  const { path: root, dispose } = await tempTree("ivpm-layers-", {
    "src/low/a.ts": "export const a = 1;\n",
    "src/new/x.ts": "export {};\n",
  });
  try {
    const problems = await checkLayers(root, LAYERS, ["src"]);
    assert.deepEqual(problems.map((p) => p.kind), ["unplaced"]);
  } finally {
    await dispose();
  }
});
