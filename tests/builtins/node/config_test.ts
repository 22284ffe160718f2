import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../../core/base/errors.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { runDestroy } from "../../../core/update/destroy.ts";
import { nodeProject, nodeRegistry, updateWithNode } from "../../_helpers/node_project.ts";
import { envWith } from "../../_helpers/env.ts";
import { installToolShim } from "../../_helpers/tool_shim.ts";
import { exists, listDir, readLockJson, recorder } from "../../_helpers/update_project.ts";

const EMPTY_PACKAGE_JSON = '{\n  "name": "ivpm-node-env",\n  "version": "1.0.0",\n  "private": true\n}\n';

Deno.test("with.node alone makes an environment: .nvmrc, no envrc with env: false, a link: false package is not linked, an unreadable package.json warns", async () => {
  const p = await nodeProject();
  const shim = await installToolShim(["npm"]);
  try {
    const tool = await p.sourcePackage("tool", { name: "tool", version: "1.0.0" });
    await p.writeYaml(
      [
        { name: "tool", url: `file://${tool}`, type: { node: { link: false } } },
        { name: "web-deps", src: "package.json", path: "missing/package.json" },
      ],
      { node: { version: "20.11.1", env: false } },
    );
    const first = await updateWithNode(p.dir, { env: shim.env });
    assert.deepEqual(first.warnings, [
      `node: package.json source 'web-deps': cannot read ${join(p.dir, "missing", "package.json")}; ` +
      "its dependencies are not installed",
    ]);
    assert.equal(await Deno.readTextFile(join(p.nodeDir, ".nvmrc")), "20.11.1\n");
    assert.equal(await Deno.readTextFile(join(p.nodeDir, "package.json")), EMPTY_PACKAGE_JSON);
    assert.deepEqual(await shim.calls(), [`npm install --prefix ${p.nodeDir} --ignore-scripts`]); // no link for link: false
    assert.ok((await Deno.stat(join(p.nodeDir, "node_modules"))).isDirectory);
    assert.equal(await exists(join(p.nodeDir, "export.envrc")), false);
    assert.equal(await exists(join(p.deps, "packages.envrc")), false);
    const state = JSON.parse(await Deno.readTextFile(join(p.deps, "ivpm.json"))).handlers.node;
    assert.deepEqual(state.installed, ["tool"]);
    assert.deepEqual(state.linked, {});
    assert.deepEqual((await readLockJson(p.dir)).node_packages, {});

    // Unchanged: no install; switching env on adds the envrc without reinstalling.
    await updateWithNode(p.dir, { env: shim.env });
    assert.equal((await shim.calls()).length, 1);
    await p.writeYaml([{ name: "tool", url: `file://${tool}`, type: { node: { link: false } } }], {
      node: { version: "20.11.1" },
    });
    await updateWithNode(p.dir, { env: shim.env });
    assert.equal((await shim.calls()).length, 1);
    assert.ok(await exists(join(p.nodeDir, "export.envrc")));
    assert.match(await Deno.readTextFile(join(p.deps, "packages.envrc")), /# --- ivpm:node begin ---/);
    // …and off again: the section goes, and with it the packages.envrc the handler created.
    await p.writeYaml([{ name: "tool", url: `file://${tool}`, type: { node: { link: false } } }], {
      node: { version: "20.11.1", env: false },
    });
    await updateWithNode(p.dir, { env: shim.env });
    assert.equal(await exists(join(p.nodeDir, "export.envrc")), false);
    assert.equal(await exists(join(p.deps, "packages.envrc")), false);
    assert.equal((await shim.calls()).length, 1);

    await runDestroy({ projectDir: p.dir, handlers: nodeRegistry() });
    assert.equal(await exists(p.deps), false);
    assert.deepEqual(await listDir(tool), ["index.js", "package.json"]);
  } finally {
    await shim.dispose();
    await p.dispose();
  }
});

Deno.test("a package manager that is not installed fails the update with a hint to install it", async () => {
  const p = await nodeProject();
  const empty = await Deno.makeTempDir({ prefix: "ivpm-empty-path-" });
  try {
    await p.writeYaml([{ name: "is-number", src: "npm" }], { node: { manager: "pnpm" } });
    await assert.rejects(
      () =>
        runUpdate({
          projectDir: p.dir,
          cacheDir: null,
          handlers: nodeRegistry(),
          reporter: recorder(),
          env: envWith({ PATH: empty }),
        }),
      (e: Error) => {
        assert.equal(
          e.message,
          "handler 'node' failed: 'pnpm' not found on PATH — install Node.js and pnpm (https://nodejs.org), " +
            "or pick another manager in package.with.node.manager",
        );
        return true;
      },
    );
    // What it would have installed is on disk for the next attempt; nothing claims success.
    assert.match(await Deno.readTextFile(join(p.nodeDir, "package.json")), /"is-number": "\*"/);
    assert.equal(await exists(join(p.deps, "ivpm.json")), false);
  } finally {
    await Deno.remove(empty);
    await p.dispose();
  }
});

Deno.test("an unknown with.node key or manager is a configuration error with a suggestion", async () => {
  const p = await nodeProject();
  try {
    await p.writeYaml([], { node: { manger: "yarn" } });
    await assert.rejects(
      () => runUpdate({ projectDir: p.dir, cacheDir: null, handlers: nodeRegistry() }),
      (e: Error) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(
          e.diagnostics[0].message,
          "Unknown key 'manger' in package.with.node; did you mean 'manager'?",
        );
        assert.deepEqual(e.diagnostics[0].notes, ["valid keys: allow-scripts, env, manager, version"]);
        return true;
      },
    );
    await p.writeYaml([], { node: { manager: "pnmp" } });
    await assert.rejects(
      () => runUpdate({ projectDir: p.dir, cacheDir: null, handlers: nodeRegistry() }),
      /must be one of npm, pnpm, yarn, not 'pnmp'; did you mean 'pnpm'\?/,
    );
    assert.equal(await exists(p.deps), false);
  } finally {
    await p.dispose();
  }
});

Deno.test("a project without Node packages or with.node gets no node environment and no node state", async () => {
  const p = await nodeProject();
  const shim = await installToolShim(["npm"]);
  try {
    const docs = await p.sourcePackage("docs", null);
    await p.writeYaml([{ name: "docs", url: `file://${docs}` }]);
    const r = await updateWithNode(p.dir, { env: shim.env });
    assert.deepEqual(r.warnings, []);
    assert.equal(await exists(p.nodeDir), false);
    assert.deepEqual(await shim.calls(), []);
    const state = JSON.parse(await Deno.readTextFile(join(p.deps, "ivpm.json")));
    assert.equal(state.handlers?.node, undefined);
    assert.equal((await readLockJson(p.dir)).node_packages, undefined);
    const destroyed = await runDestroy({ projectDir: p.dir, handlers: nodeRegistry() });
    assert.deepEqual(destroyed.handlers, [{ handler: "node", paths: [] }]);
  } finally {
    await shim.dispose();
    await p.dispose();
  }
});
