/**
 * An update of an unchanged project reuses what the previous one learnt about each
 * package (kept in packages/ivpm.json): no leaf callback runs and no package ivpm.yaml
 * is parsed, yet the handlers produce the same outputs. Whatever changed — a package's
 * ivpm.yaml, its lock entry, a handler's `with:` config, the set of handlers — runs again.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { builtinHandlerRegistry } from "../../core/plugin_host/builtin_registry.ts";
import type { HandlerClass } from "../../core/plugin_api/handler.ts";
import { runUpdate } from "../../core/update/update.ts";
import { UpdateTimings } from "../../core/update/timings.ts";
import { capi2Core } from "../_helpers/fusesoc_fixtures.ts";
import { addCommit, makeRepo } from "../_helpers/git_fixture.ts";
import { runIvpm } from "../_helpers/cli.ts";
import { toFileUrl } from "../_helpers/file_url.ts";
import { type DepEntry, depSets, recorder, tempRoot, writeIvpmYaml } from "../_helpers/update_project.ts";
import { CountingHandler, OtherCountingHandler } from "./counting_handler.ts";

const HANDLER_MODULE = new URL("./counting_handler.ts", import.meta.url).href;

/** The built-ins plus the counting handler(s), in the trusted pool. */
function handlers(extra: HandlerClass[] = []) {
  const r = builtinHandlerRegistry();
  const exportName = new Map<HandlerClass, string>([
    [CountingHandler, "CountingHandler"],
    [OtherCountingHandler, "OtherCountingHandler"],
  ]);
  for (const cls of [CountingHandler, ...extra]) {
    r.register(cls, { origin: "test", moduleUrl: HANDLER_MODULE, exportName: exportName.get(cls) });
  }
  return r;
}

/**
 * Three git packages: `cores` (a FuseSoC core and an export.envrc), `lib` (an export.envrc, and an
 * ivpm.yaml declaring `sub`), and `sub`.
 */
async function workspace() {
  const tmp = await tempRoot("ivpm-reuse-");
  const repos = join(tmp.path, "repos");
  const sub = await makeRepo(repos, "sub", { files: { "README.md": "sub\n" } });
  const cores = await makeRepo(repos, "cores", {
    files: { "ip.core": capi2Core("::ip:1.0"), "rtl.v": "", "export.envrc": "export CORES=1\n" },
  });
  const lib = await makeRepo(repos, "lib", {
    files: {
      "export.envrc": "export LIB=1\n",
      "ivpm.yaml":
        `package:\n  name: lib\n  dep-sets:\n    - name: default\n      deps:\n        - name: sub\n          url: ${sub.url}\n`,
    },
  });
  const log = join(tmp.path, "leaf.log");
  const projectDir = join(tmp.path, "proj");
  const write = (
    deps: DepEntry[] = [{ name: "cores", url: cores.url }, { name: "lib", url: lib.url }],
    flavor = 1,
    other = false,
  ) =>
    writeIvpmYaml(projectDir, {
      name: "proj",
      "dep-sets": depSets({ default: deps }),
      with: { counting: { log, flavor }, ...(other ? { "other-counting": { log } } : {}) },
    });
  await write();
  const deps = join(projectDir, "packages");
  const update = async (extra: HandlerClass[] = []) => {
    const timings = new UpdateTimings();
    const rec = recorder();
    const result = await runUpdate({
      projectDir,
      cacheDir: null,
      handlers: handlers(extra),
      reporter: rec,
      timings,
      env: {},
    });
    return { timings, result, rec };
  };
  /** Leaf calls logged so far (sorted, so worker order does not matter). */
  const calls = async () => (await Deno.readTextFile(log).catch(() => "")).split("\n").filter(Boolean).sort();
  const outputs = async () => ({
    envrc: await Deno.readTextFile(join(deps, "packages.envrc")),
    cores: await Deno.readTextFile(join(deps, "fusesoc-cores.txt")),
    counting: JSON.parse(await Deno.readTextFile(join(deps, "counting.json"))),
  });
  return { tmp, cores, lib, sub, log, projectDir, deps, write, update, calls, outputs };
}

Deno.test("reuse: a second update of an unchanged project runs no leaf callback and gives the same outputs", async () => {
  const w = await workspace();
  try {
    const first = await w.update();
    assert.deepEqual(await w.calls(), ["counting cores", "counting lib", "counting sub"]);
    assert.equal(first.timings.leafRan, 3);
    const before = await w.outputs();
    assert.match(before.envrc, /cores/);
    assert.match(before.envrc, /lib/);
    assert.match(before.cores, /cores/);
    assert.deepEqual(before.counting.map((r: { package: string }) => r.package), ["cores", "lib", "sub"]);

    const second = await w.update();
    assert.deepEqual(await w.calls(), ["counting cores", "counting lib", "counting sub"], "no leaf call");
    assert.equal(second.timings.leafRan, 0);
    assert.equal(second.timings.leafReused, 3);
    assert.equal(second.timings.leafWorkers, 0, "no leaf worker started");
    assert.equal(second.timings.configsParsed, 0, "lib's ivpm.yaml was not parsed again");
    assert.equal(second.timings.rootConfigReused, true, "nor the project's");
    // lib's own dependency still comes from its (remembered) ivpm.yaml.
    assert.deepEqual(second.result.graph.packages.map((p) => [p.name, p.resolvedBy]), [
      ["cores", "root"],
      ["lib", "root"],
      ["sub", "lib"],
    ]);
    assert.deepEqual(await w.outputs(), before);
    // fusesoc's type, added by its leaf callback, is there for the root pass too.
    const cores = second.result.graph.byName.get("cores")!;
    assert.ok(cores.typeData?.some((t) => t.name === "fusesoc"));
  } finally {
    await w.tmp.dispose();
  }
});

Deno.test("reuse: a touched package ivpm.yaml is read again; a changed one re-runs that package's leaf callbacks", async () => {
  const w = await workspace();
  try {
    await w.update();
    const file = join(w.deps, "lib", "ivpm.yaml");
    const later = new Date(Date.now() + 5_000);
    await Deno.utime(file, later, later);
    const touched = await w.update();
    assert.equal(touched.timings.configsParsed, 1);
    // Same content, same view: the leaf results still hold.
    assert.equal(touched.timings.leafRan, 0);

    // A changed `with:` in the package's own ivpm.yaml reaches its handlers (and only its).
    await Deno.writeTextFile(
      file,
      (await Deno.readTextFile(file)) + "  with:\n    direnv:\n      envrc: lib.envrc\n",
    );
    await Deno.writeTextFile(join(w.deps, "lib", "lib.envrc"), "export LIB=2\n");
    const changed = await w.update();
    assert.equal(changed.timings.configsParsed, 1);
    assert.equal(changed.timings.leafRan, 1);
    assert.equal(changed.timings.leafReused, 2);
    assert.deepEqual((await w.calls()).filter((c) => c === "counting lib"), ["counting lib", "counting lib"]);
    assert.match(await Deno.readTextFile(join(w.deps, "packages.envrc")), /lib\.envrc/);
  } finally {
    await w.tmp.dispose();
  }
});

Deno.test("reuse: a new lock entry (another commit) re-runs the leaf callbacks of that package", async () => {
  const w = await workspace();
  try {
    await w.update();
    const next = await addCommit(w.cores.path, { "more.txt": "more\n" }, { push: true });
    await w.write([{ name: "cores", url: w.cores.url, commit: next }, { name: "lib", url: w.lib.url }]);
    const r = await w.update();
    assert.equal(r.timings.leafRan, 1);
    assert.equal((await w.calls()).filter((c) => c === "counting cores").length, 2);
    const filesOfCores = async () =>
      (await w.outputs()).counting.find((x: { package: string }) => x.package === "cores").record.files;
    assert.ok((await filesOfCores()).includes("more.txt"));
    // And the run after that reuses the new results.
    const again = await w.update();
    assert.equal(again.timings.leafRan, 0);
    assert.ok((await filesOfCores()).includes("more.txt"));
  } finally {
    await w.tmp.dispose();
  }
});

Deno.test("reuse: changing a handler's with: config or adding a handler re-runs every leaf callback", async () => {
  const w = await workspace();
  try {
    await w.update();
    await w.write(undefined, 2);
    const r = await w.update();
    assert.equal(r.timings.leafRan, 3);
    assert.deepEqual(
      (await w.outputs()).counting.map((x: { record: { flavor: number } }) => x.record.flavor),
      [
        2,
        2,
        2,
      ],
    );
    await w.write(undefined, 2, true);
    const added = await w.update([OtherCountingHandler]);
    assert.equal(added.timings.leafRan, 3);
    assert.deepEqual((await w.calls()).filter((c) => c.startsWith("other ")), [
      "other cores",
      "other lib",
      "other sub",
    ]);
  } finally {
    await w.tmp.dispose();
  }
});

Deno.test("reuse: a package whose leaf callback warned runs again (the warning shows every time); src: dir always runs", async () => {
  const tmp = await tempRoot("ivpm-reuse-");
  try {
    const warned = await makeRepo(join(tmp.path, "repos"), "warned", {
      files: {
        "ivpm.yaml":
          "package:\n  name: warned\n  with:\n    direnv:\n      envrc: missing.envrc\n  dep-sets:\n    - name: default\n      deps: []\n",
      },
    });
    const clean = await makeRepo(join(tmp.path, "repos"), "clean", { files: { "README.md": "clean\n" } });
    const local = join(tmp.path, "local");
    await Deno.mkdir(local);
    const projectDir = await writeIvpmYaml(join(tmp.path, "proj"), {
      name: "proj",
      "dep-sets": depSets({
        default: [
          { name: "warned", url: warned.url },
          { name: "clean", url: clean.url },
          { name: "local", src: "dir", url: toFileUrl(local) },
        ],
      }),
    });
    for (let i = 0; i < 3; i++) {
      const rec = recorder();
      const timings = new UpdateTimings();
      await runUpdate({ projectDir, cacheDir: null, reporter: rec, timings, env: {} });
      // Run 1: all three; later runs: the package that warned and the live directory, not `clean`.
      assert.equal(timings.leafRan, i === 0 ? 3 : 2, `run ${i + 1}`);
      assert.ok(rec.messages("warning").some((m) => /missing\.envrc/.test(m)), `run ${i + 1} warns`);
    }
  } finally {
    await tmp.dispose();
  }
});

Deno.test("reuse: the project's ivpm.yaml is remembered until it, -D or IVPM_VAR_* change", async () => {
  const w = await workspace();
  try {
    // `flavor` becomes a variable the counting handler's config uses.
    const file = join(w.projectDir, "ivpm.yaml");
    const text = (await Deno.readTextFile(file)).replace("flavor: 1", 'flavor: "${{ flavor }}"')
      .replace("package:\n", "package:\n  vars:\n    flavor: one\n");
    await Deno.writeTextFile(file, text);
    const flavors = async () =>
      (await w.outputs()).counting.map((x: { record: { flavor: unknown } }) => x.record.flavor);
    const run = async (definitions?: Record<string, string>, env: Record<string, string> = {}) => {
      const timings = new UpdateTimings();
      await runUpdate({
        projectDir: w.projectDir,
        cacheDir: null,
        handlers: handlers(),
        timings,
        definitions,
        env,
      });
      return timings;
    };
    assert.equal((await run()).rootConfigReused, false);
    assert.deepEqual(await flavors(), ["one", "one", "one"]);
    // The first run persisted the variable's value, which the next parse depends on: that run parses too.
    assert.equal((await run()).rootConfigReused, false);
    const again = await run();
    assert.equal(again.rootConfigReused, true);
    assert.equal(again.leafRan, 0);
    assert.deepEqual(await flavors(), ["one", "one", "one"]);

    const defined = await run({ flavor: "two" });
    assert.equal(defined.rootConfigReused, false);
    assert.deepEqual(await flavors(), ["two", "two", "two"]);

    const fromEnv = await run(undefined, { IVPM_VAR_FLAVOR: "three" });
    assert.equal(fromEnv.rootConfigReused, false);
    assert.deepEqual(await flavors(), ["three", "three", "three"]);

    // An edit within the same second still changes the file's stamp (size, mtime in ms, ctime).
    await Deno.writeTextFile(file, text.replace('"${{ flavor }}"', '"x${{ flavor }}"'));
    const edited = await run(undefined, { IVPM_VAR_FLAVOR: "three" });
    assert.equal(edited.rootConfigReused, false);
    assert.deepEqual(await flavors(), ["xthree", "xthree", "xthree"]);
  } finally {
    await w.tmp.dispose();
  }
});

Deno.test("reuse: ivpm update --timings prints where the time went", async () => {
  const tmp = await tempRoot("ivpm-timings-");
  try {
    const repo = await makeRepo(join(tmp.path, "repos"), "a", { files: { "README.md": "a\n" } });
    const projectDir = await writeIvpmYaml(join(tmp.path, "proj"), {
      name: "proj",
      "dep-sets": depSets({ default: [{ name: "a", url: repo.url }] }),
    });
    for (const run of ["fresh", "no-op"]) {
      const r = await runIvpm(["update", "--timings"], { cwd: projectDir });
      assert.equal(r.code, 0, r.stderr);
      for (
        const phase of [
          "start-up",
          "config load",
          "prepare",
          "resolve + fetch",
          "leaf",
          "root handlers",
          "lock + state",
          "total",
        ]
      ) {
        assert.match(
          r.stderr,
          new RegExp(`^  ${phase.replace("+", "\\+")} +\\d+ ms`, "m"),
          `${run}: ${phase}`,
        );
      }
      assert.match(r.stderr, /^Timings:$/m);
    }
    const quiet = await runIvpm(["update"], { cwd: projectDir });
    assert.doesNotMatch(quiet.stderr, /Timings:/);
  } finally {
    await tmp.dispose();
  }
});
