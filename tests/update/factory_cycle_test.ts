import assert from "node:assert/strict";
import { runIvpm } from "../_helpers/cli.ts";
import { tempTree } from "../_helpers/temp.ts";

const factory = (deps: string) =>
  `package:\n  name: f\n  dep-sets:\n    - name: default\n      deps:\n${deps}`;
const ref = (name: string, url: string) =>
  `        - name: ${name}\n          src: ivpm.yaml\n          url: ${url}\n`;

for (
  const [what, files] of [
    ["references itself", { "f.yaml": factory(ref("again", "f.yaml")) }],
    ["references itself through another factory", {
      "a.yaml": factory(ref("b", "b.yaml")),
      "b.yaml": factory(ref("a-again", "a.yaml")),
    }],
  ] as const
) {
  Deno.test(`an ivpm.yaml factory that ${what} is a fatal error naming the chain`, async () => {
    const root = Object.keys(files)[0];
    const p = await tempTree("ivpm-factory-cycle-", {
      ...files,
      "ivpm.yaml": factory(ref("top", root)).replace("name: f", "name: proj"),
    });
    try {
      const r = await runIvpm(["update"], { cwd: p.path, env: { IVPM_CACHE: "" } });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cyclic ivpm\.yaml factory reference: .* -> /);
      assert.doesNotMatch(r.stderr, /bug in ivpm/);
    } finally {
      await p.dispose();
    }
  });
}
