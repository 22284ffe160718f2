import assert from "node:assert/strict";
import {
  harvestPackageJson,
  npmDepKind,
  npmDepVersion,
  renderPackageJson,
} from "../../../plugins/node/package_json.ts";
import { commandText, installCommand, linkCommand, outputTail } from "../../../plugins/node/manager.ts";

Deno.test("package.json has the fixed header, then each non-empty map with keys sorted, indent 2 and a newline", () => {
  const text = renderPackageJson([
    { name: "zeta", version: "^1.0.0", kind: "dependencies" },
    { name: "@types/node", version: "*", kind: "devDependencies" },
    { name: "alpha", version: "2.0.0", kind: "dependencies" },
    { name: "fsevents", version: "^2", kind: "optionalDependencies" },
    { name: "Beta", version: "1", kind: "dependencies" },
  ]);
  assert.equal(
    text,
    `{
  "name": "ivpm-node-env",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "Beta": "1",
    "alpha": "2.0.0",
    "zeta": "^1.0.0"
  },
  "devDependencies": {
    "@types/node": "*"
  },
  "optionalDependencies": {
    "fsevents": "^2"
  }
}
`,
  );
});

Deno.test("an environment without packages gets a package.json without dependency maps", () => {
  assert.equal(
    renderPackageJson([]),
    '{\n  "name": "ivpm-node-env",\n  "version": "1.0.0",\n  "private": true\n}\n',
  );
});

Deno.test("src: npm options pick the map and default the version to *", () => {
  assert.equal(npmDepKind({}), "dependencies");
  assert.equal(npmDepKind({ dev: true }), "devDependencies");
  assert.equal(npmDepKind({ optional: true }), "optionalDependencies");
  assert.equal(npmDepKind({ dev: true, optional: true }), "optionalDependencies");
  assert.equal(npmDepVersion({}), "*");
  assert.equal(npmDepVersion({ version: "^7" }), "^7");
  assert.equal(npmDepVersion({ version: 7 }), "7");
});

Deno.test("harvesting takes dependencies and devDependencies; explicit names win and dependencies beat devDependencies", () => {
  const h = harvestPackageJson(
    JSON.stringify({
      name: "web",
      dependencies: { "is-number": "^6.0.0", left: "1.0.0" },
      devDependencies: { left: "2.0.0", jest: "^29" },
      peerDependencies: { react: "*" },
    }),
    new Set(["is-number"]),
  );
  assert.equal(h.problem, undefined);
  assert.deepEqual(h.deps, [
    { name: "left", version: "1.0.0", kind: "dependencies" },
    { name: "jest", version: "^29", kind: "devDependencies" },
  ]);
});

Deno.test("a package.json that is not JSON, or has a malformed map, contributes nothing and says why", () => {
  const bad = harvestPackageJson("{ nope", new Set());
  assert.deepEqual(bad.deps, []);
  assert.match(bad.problem!, /^not valid JSON/);
  const wrong = harvestPackageJson(
    JSON.stringify({ dependencies: { a: "1" }, devDependencies: ["b"] }),
    new Set(),
  );
  assert.deepEqual(wrong.deps, []);
  assert.equal(wrong.problem, "'devDependencies' is not an object");
  assert.equal(harvestPackageJson("[]", new Set()).problem, "not a JSON object");
  assert.equal(
    harvestPackageJson(JSON.stringify({ dependencies: { a: 1 } }), new Set()).problem,
    "'dependencies.a' is not a version string",
  );
});

Deno.test("install and link commands of each manager (npm runs no scripts)", () => {
  assert.deepEqual(installCommand("npm", "/p/node"), [
    "npm",
    "install",
    "--prefix",
    "/p/node",
    "--ignore-scripts",
  ]);
  assert.deepEqual(installCommand("pnpm", "/p/node"), ["pnpm", "install", "--dir", "/p/node"]);
  assert.deepEqual(installCommand("yarn", "/p/node"), ["yarn", "install", "--cwd", "/p/node"]);
  assert.deepEqual(linkCommand("npm", "/p/node", "/p/lib"), [
    "npm",
    "link",
    "/p/lib",
    "--prefix",
    "/p/node",
    "--ignore-scripts",
  ]);
  assert.deepEqual(linkCommand("pnpm", "/p/node", "/p/lib"), ["pnpm", "link", "/p/lib", "--dir", "/p/node"]);
  assert.deepEqual(linkCommand("yarn", "/p/node", "/p/lib"), ["yarn", "link", "--cwd", "/p/node", "/p/lib"]);
  assert.equal(commandText(["npm", "install", "--prefix", "/a b/node"]), 'npm install --prefix "/a b/node"');
});

Deno.test("allowed script packages are recorded, sorted, after the dependency maps; none, no key", () => {
  const deps = [{ name: "esbuild", version: "*", kind: "dependencies" as const }];
  assert.equal(
    renderPackageJson(deps, ["zx", "esbuild", "zx"]),
    '{\n  "name": "ivpm-node-env",\n  "version": "1.0.0",\n  "private": true,\n  "dependencies": {\n' +
      '    "esbuild": "*"\n  },\n  "ivpm": {\n    "allowScripts": [\n      "esbuild",\n      "zx"\n    ]\n  }\n}\n',
  );
  assert.equal(renderPackageJson(deps, []), renderPackageJson(deps));
});

Deno.test("the output tail keeps the last 20 non-blank lines, indented", () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
  lines.splice(25, 0, "", "   ");
  const tail = outputTail(lines).split("\n");
  assert.equal(tail.length, 20);
  assert.equal(tail[0], "  line 11");
  assert.equal(tail[19], "  line 30");
});
