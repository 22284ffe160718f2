// Real npm, offline: dependencies are tarballs made here with `npm pack` and a local source package.
import assert from "node:assert/strict";
import { join } from "node:path";
import { nodeProject, updateWithNode } from "../../_helpers/node_project.ts";
import { envWith } from "../../_helpers/env.ts";
import { installToolShim } from "../../_helpers/tool_shim.ts";
import { exists } from "../../_helpers/update_project.ts";
import { describeScripted, scriptedPackages } from "../../../plugins/node/scripts.ts";

/** A script writing the file `name` into the package's own directory (npm runs scripts there). */
function marker(name: string): string {
  return `node -e "require('fs').writeFileSync('${name}', '')"`;
}

/** Packs a package with these manifest fields into `<dir>/<name>-1.0.0.tgz`; returns the tarball's path. */
async function packed(dir: string, name: string, extra: Record<string, unknown>): Promise<string> {
  const src = join(dir, `${name}-src`);
  await Deno.mkdir(src, { recursive: true });
  await Deno.writeTextFile(join(src, "package.json"), JSON.stringify({ name, version: "1.0.0", ...extra }));
  await Deno.writeTextFile(join(src, "index.js"), `module.exports = "${name}";\n`);
  const r = await new Deno.Command("npm", {
    args: ["pack", "--ignore-scripts", "--pack-destination", dir],
    cwd: src,
    env: envWith({ npm_config_offline: "true", npm_config_cache: join(dir, "npm-cache") }),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return join(dir, `${name}-1.0.0.tgz`);
}

Deno.test("dependencies' install scripts run only when with.node.allow-scripts names them; the others are named in a warning", async () => {
  const p = await nodeProject();
  const shim = await installToolShim(["npm"]);
  // Offline, with a cache of its own: nothing here may need the registry.
  const env = { ...shim.env, npm_config_offline: "true", npm_config_cache: join(p.root, "npm-cache") };
  try {
    const tarballs = join(p.root, "tarballs");
    await Deno.mkdir(tarballs);
    const inner = await packed(tarballs, "ivpm-inner", { scripts: { postinstall: marker("ran") } });
    const outer = await packed(tarballs, "ivpm-outer", {
      dependencies: { "ivpm-inner": `file:${inner}` },
      scripts: { postinstall: marker("ran") },
    });
    const lib = await p.sourcePackage("mylib", {
      name: "my-lib",
      version: "1.0.0",
      scripts: { prepare: marker("ran-prepare"), postinstall: marker("ran-postinstall") },
    });
    const deps = [
      { name: "ivpm-outer", src: "npm", version: `file:${outer}` },
      { name: "mylib", url: `file://${lib}` },
    ];
    const nm = join(p.nodeDir, "node_modules");
    const ranOuter = join(nm, "ivpm-outer", "ran");
    const ranInner = join(nm, "ivpm-inner", "ran");
    const ranLib = [join(lib, "ran-prepare"), join(lib, "ran-postinstall")];

    await p.writeYaml(deps);
    const first = await updateWithNode(p.dir, { env });
    assert.deepEqual(first.warnings, [
      "node: install scripts of dependencies not run: ivpm-inner (postinstall), ivpm-outer (postinstall), " +
      "my-lib (postinstall, prepare). To run them, list the packages you trust in package.with.node.allow-scripts",
    ]);
    assert.equal(
      await Deno.readTextFile(join(nm, "ivpm-outer", "index.js")),
      'module.exports = "ivpm-outer";\n',
    );
    for (const f of [ranOuter, ranInner, ...ranLib]) assert.equal(await exists(f), false, f);
    assert.deepEqual(await shim.calls(), [
      `npm install --prefix ${p.nodeDir} --ignore-scripts`,
      `npm link ${join(p.deps, "mylib")} --prefix ${p.nodeDir} --ignore-scripts`,
    ]);

    // Allowing two of them re-installs (the list is in the generated package.json) and runs just theirs.
    await p.writeYaml(deps, { node: { "allow-scripts": ["ivpm-outer", "my-lib"] } });
    const second = await updateWithNode(p.dir, { env });
    assert.deepEqual(second.warnings, [
      "node: install scripts of dependencies not run: ivpm-inner (postinstall). " +
      "To run them, list the packages you trust in package.with.node.allow-scripts",
    ]);
    for (const f of [ranOuter, ...ranLib]) assert.ok(await exists(f), f);
    assert.equal(await exists(ranInner), false);
    const calls = await shim.calls();
    assert.equal(calls[2], `npm install --prefix ${p.nodeDir} --ignore-scripts`);
    assert.equal(calls.at(-1), `npm rebuild --ignore-scripts=false --prefix ${p.nodeDir} ivpm-outer my-lib`);
    assert.deepEqual(
      JSON.parse(await Deno.readTextFile(join(p.nodeDir, "package.json"))).ivpm,
      { allowScripts: ["ivpm-outer", "my-lib"] },
    );

    // Nothing new: no npm, nothing run again, nothing to warn about.
    const n = calls.length;
    const third = await updateWithNode(p.dir, { env });
    assert.deepEqual(third.warnings, []);
    assert.equal((await shim.calls()).length, n);
  } finally {
    await shim.dispose();
    await p.dispose();
  }
});

Deno.test("a failing allowed install script fails the update with the command and the script's output", async () => {
  const p = await nodeProject();
  const env = envWith({ npm_config_offline: "true", npm_config_cache: join(p.root, "npm-cache") });
  try {
    const tgz = await packed(p.root, "ivpm-broken", {
      scripts: { postinstall: `node -e "console.error('boom from postinstall'); process.exit(3)"` },
    });
    await p.writeYaml([{ name: "ivpm-broken", src: "npm", version: `file:${tgz}` }], {
      node: { "allow-scripts": ["ivpm-broken"] },
    });
    await assert.rejects(() => updateWithNode(p.dir, { env }), (e: Error) => {
      const [head, ...tail] = e.message.split("\n");
      assert.equal(
        head,
        "handler 'node' failed: Install scripts of ivpm-broken failed (exit 3): " +
          `npm rebuild --ignore-scripts=false --prefix ${p.nodeDir} ivpm-broken`,
      );
      assert.ok(tail.some((l) => l.includes("boom from postinstall")), tail.join("\n"));
      return true;
    });
    assert.equal(await exists(join(p.deps, "ivpm.json")), false); // nothing claims success
  } finally {
    await p.dispose();
  }
});

Deno.test("a malformed allow-scripts name fails the update before npm runs", async () => {
  const p = await nodeProject();
  const shim = await installToolShim(["npm"]);
  try {
    await p.writeYaml([{ name: "is-number", src: "npm" }], { node: { "allow-scripts": ["--foreground"] } });
    await assert.rejects(
      () => updateWithNode(p.dir, { env: shim.env }),
      /Invalid package name '--foreground' in package\.with\.node\.allow-scripts/,
    );
    assert.deepEqual(await shim.calls(), []);
  } finally {
    await shim.dispose();
    await p.dispose();
  }
});

Deno.test("the tree scan finds install scripts as npm does: nested and scoped packages, prepare of links only, implicit node-gyp", async () => {
  const p = await nodeProject();
  try {
    const nm = join(p.root, "node_modules");
    const pkg = async (dir: string, manifest: Record<string, unknown>, files: string[] = []) => {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(join(dir, "package.json"), JSON.stringify(manifest));
      for (const f of files) await Deno.writeTextFile(join(dir, f), "");
    };
    await pkg(join(nm, "a"), { name: "a", scripts: { preinstall: "x", prepare: "y", test: "z" } });
    await pkg(join(nm, "a", "node_modules", "b"), { name: "b", scripts: { install: "x" } });
    await pkg(join(nm, "@s", "c"), { name: "claims-another-name", scripts: { postinstall: "x" } });
    await pkg(join(nm, "gyp"), { name: "gyp" }, ["binding.gyp"]);
    await pkg(join(nm, "nogyp"), { name: "nogyp", gypfile: false }, ["binding.gyp"]);
    await pkg(join(nm, "plain"), { name: "plain", scripts: { postinstall: "  " } });
    await pkg(join(nm, ".bin", "hidden"), { name: "hidden", scripts: { install: "x" } });
    const src = join(p.root, "linked-src");
    await pkg(src, { name: "l", scripts: { prepare: "y" } });
    await pkg(join(src, "node_modules", "inside-link"), { name: "inside-link", scripts: { install: "x" } });
    await Deno.symlink(src, join(nm, "l"));

    const found = await scriptedPackages(nm);
    assert.deepEqual(found, [
      { name: "@s/c", scripts: ["postinstall"], linked: false },
      { name: "a", scripts: ["preinstall"], linked: false },
      { name: "b", scripts: ["install"], linked: false },
      { name: "gyp", scripts: ["install (node-gyp)"], linked: false },
      { name: "l", scripts: ["prepare"], linked: true },
    ]);
    assert.equal(
      describeScripted([...found, { name: "a", scripts: ["postinstall"], linked: false }]),
      "@s/c (postinstall), a (preinstall, postinstall), b (install), gyp (install (node-gyp)), l (prepare)",
    );
  } finally {
    await p.dispose();
  }
});
