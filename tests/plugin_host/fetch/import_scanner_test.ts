import assert from "node:assert/strict";
import { scanImports } from "../../../core/plugin_host/fetch/import_scanner.ts";

const specs = (src: string) => scanImports(src).map((r) => r.specifier);

Deno.test("finds static, side-effect, re-export and dynamic imports in order", () => {
  const src = `
import def from "./a.ts";
import * as ns from './b.ts';
import def2, { x as y, z } from "./c.ts";
import {
  multi,
  line,
} from "./d.ts";
import "./side.ts";
export * from "./e.ts";
export * as f from "./f.ts";
export { g, h as i } from "./g.ts";
const lazy = await import("./lazy.ts");
import json from "./data.json" with { type: "json" };
`;
  assert.deepEqual(scanImports(src).map((r) => [r.specifier, r.kind]), [
    ["./a.ts", "static"],
    ["./b.ts", "static"],
    ["./c.ts", "static"],
    ["./d.ts", "static"],
    ["./side.ts", "side-effect"],
    ["./e.ts", "re-export"],
    ["./f.ts", "re-export"],
    ["./g.ts", "re-export"],
    ["./lazy.ts", "dynamic"],
    ["./data.json", "static"],
  ]);
});

Deno.test("ignores imports inside comments, strings, templates and regular expressions", () => {
  const src = `
// import a from "./line-comment.ts";
/* import b from "./block-comment.ts"; */
const s1 = "import c from './string.ts'";
const s2 = 'export * from "./string2.ts"';
const t = \`import d from "./template.ts" \${ "x" } import("./template2.ts")\`;
const re = /import e from "\\.\\/regex.ts"/g;
const ratio = total / count; const other = "import f from './after-division.ts'";
import real from "./real.ts";
`;
  assert.deepEqual(specs(src), ["./real.ts"]);
});

Deno.test("finds an import inside a template literal's expression", () => {
  const src = 'const s = `${await import("./in-template.ts")}`;\nimport x from "./after.ts";';
  assert.deepEqual(specs(src), ["./in-template.ts", "./after.ts"]);
});

Deno.test("ignores import.meta, property names and non-literal dynamic imports", () => {
  const src = `
const u = new URL("./x.ts", import.meta.url);
obj.import("./not-an-import.ts");
obj?.import("./nor-this.ts");
const o = { import: "./key.ts", export: "./key2.ts" };
const name = "./m.ts"; await import(name);
export { local };
export const v = 1;
`;
  assert.deepEqual(specs(src), []);
});

Deno.test("flags type-only imports and exports", () => {
  const src = `
import type { A } from "./types.ts";
import type B from "./b.ts";
import type from "./default-named-type.ts";
export type { C } from "./c.ts";
import { type D, e } from "./mixed.ts";
type T = typeof import("./typeof.ts");
`;
  assert.deepEqual(scanImports(src).map((r) => [r.specifier, r.typeOnly]), [
    ["./types.ts", true],
    ["./b.ts", true],
    ["./default-named-type.ts", false],
    ["./c.ts", true],
    ["./mixed.ts", false],
    ["./typeof.ts", true],
  ]);
});

Deno.test("decodes escapes in specifiers and survives a hashbang and unterminated strings", () => {
  const src =
    '#!/usr/bin/env -S deno run\nimport a from "./\\u0061.ts";\nconst bad = "oops\nimport b from "./b.ts";';
  assert.deepEqual(specs(src), ["./a.ts", "./b.ts"]);
});

Deno.test("keeps bare and scheme specifiers as written", () => {
  const src =
    `import { PackageHandler } from "@ivpm/plugin";\nimport x from "jsr:@std/path@^1";\nimport y from "npm:left-pad";`;
  assert.deepEqual(specs(src), ["@ivpm/plugin", "jsr:@std/path@^1", "npm:left-pad"]);
});
