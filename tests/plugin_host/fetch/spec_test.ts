import assert from "node:assert/strict";
import { formatPluginSpec, parsePluginSpec, type PluginSpec } from "../../../core/plugin_host/fetch/mod.ts";
import { catchIvpmError } from "../../_helpers/catch_ivpm_error.ts";

const base = "/proj";

Deno.test("parses every accepted spec form", () => {
  const table: [string, PluginSpec][] = [
    ["jsr:@acme/fusesoc", { kind: "jsr", scope: "acme", name: "fusesoc", range: "*" }],
    ["jsr:@acme/fusesoc@^1.2", { kind: "jsr", scope: "acme", name: "fusesoc", range: "^1.2" }],
    ["jsr:@acme/fusesoc@>=1 <2", { kind: "jsr", scope: "acme", name: "fusesoc", range: ">=1 <2" }],
    ["jsr:/@acme/x@1.1.0", { kind: "jsr", scope: "acme", name: "x", range: "1.1.0" }],
    ["jsr:@acme/x/sub", { kind: "jsr", scope: "acme", name: "x", range: "*", subpath: "./sub" }],
    ["jsr:@acme/x@~1.1/a/b", { kind: "jsr", scope: "acme", name: "x", range: "~1.1", subpath: "./a/b" }],
    ["https://example.com/ivpm/mod.ts", { kind: "url", url: "https://example.com/ivpm/mod.ts" }],
    ["http://127.0.0.1:8080/mod.ts", { kind: "url", url: "http://127.0.0.1:8080/mod.ts" }],
    ["http://localhost/mod.ts", { kind: "url", url: "http://localhost/mod.ts" }],
    ["./tools/my_handler.ts", { kind: "local", path: "/proj/tools/my_handler.ts" }],
    ["../shared/h.ts", { kind: "local", path: "/shared/h.ts" }],
    ["my_handler.ts", { kind: "local", path: "/proj/my_handler.ts" }],
    ["/abs/h.ts", { kind: "local", path: "/abs/h.ts" }],
    ["file:///abs/h.ts", { kind: "local", path: "/abs/h.ts" }],
    ["npm:left-pad", { kind: "npm", name: "left-pad", range: "*" }],
    ["npm:@acme/plug@^2/sub", { kind: "npm", name: "@acme/plug", range: "^2", subpath: "./sub" }],
    ["  jsr:@acme/x  ", { kind: "jsr", scope: "acme", name: "x", range: "*" }],
  ];
  for (const [text, want] of table) assert.deepEqual(parsePluginSpec(text, base), want, text);
});

Deno.test("refuses malformed specs with a message naming the spec and a hint", () => {
  const table: [string, RegExp][] = [
    ["", /Empty plugin spec/],
    ["jsr:acme/x", /JSR package names look like '@scope\/name'/],
    ["jsr:@acme", /'@scope\/name'/],
    ["jsr:@Acme/X", /not a JSR package name/],
    ["jsr:@acme/x@", /empty version range/],
    ["jsr:@acme/x@banana", /'banana' is not a version range/],
    ["jsr:@acme/x@1/", /invalid subpath/],
    ["jsr:@acme/x@1/../y", /invalid subpath/],
    ["http://example.com/mod.ts", /plain http/],
    ["ftp://example.com/mod.ts", /unknown scheme 'ftp:'/],
    ["@acme/x", /Ambiguous plugin spec '@acme\/x'/],
    ["~/h.ts", /does not expand/],
    ["fusesoc", /neither a package, a URL nor a path/],
    ["npm:Bad Name", /not an npm package name/],
  ];
  for (const [text, want] of table) {
    const err = catchIvpmError(() => parsePluginSpec(text, base));
    assert.match(err.message, want, text);
    assert.ok(err.hint, `hint for ${JSON.stringify(text)}`);
  }
});

Deno.test("formats a parsed spec back to its canonical text", () => {
  for (
    const text of [
      "jsr:@acme/x",
      "jsr:@acme/x@^1.2/sub",
      "npm:@a/b@2",
      "https://example.com/m.ts",
      "/abs/h.ts",
    ]
  ) {
    assert.equal(formatPluginSpec(parsePluginSpec(text, base)), text);
  }
});
