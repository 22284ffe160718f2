/**
 * Resolution through `runUpdate`: recursive sub-dependencies, first declaration
 * wins (independent of fetch timing), dep-set propagation, `deps: skip`,
 * cycles and dep-set factories.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runUpdate } from "../../core/update/update.ts";
import { builtinSourceRegistry, SourceRegistry } from "../../core/fetch/sources/registry.ts";
import type { Source } from "../../core/fetch/sources/types.ts";
import { catchIvpmErrorAsync } from "../_helpers/catch_ivpm_error.ts";
import { makeRepo } from "../_helpers/git_fixture.ts";
import {
  depSets,
  exists,
  ivpmYaml,
  readLockJson,
  recorder,
  tempRoot,
  updateRecorded,
  writeIvpmYaml,
  writeProjectDeps,
} from "../_helpers/update_project.ts";
import { NO_PY_INSTALL } from "../_helpers/no_py_install.ts";

/** A leaf package directory with one marker file and no ivpm.yaml. */
async function leaf(dir: string, marker = "leaf"): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "marker.txt"), marker);
  return dir;
}

const dir = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
  name,
  src: "dir",
  url: path,
  ...extra,
});

/** The built-in sources, with `git` fetches held until `gate` resolves for the named packages. */
function gatedRegistry(gate: Promise<void>, names: string[]): SourceRegistry {
  const r = new SourceRegistry();
  for (const s of builtinSourceRegistry().list()) {
    if (s.name !== "git") {
      r.register(s);
      continue;
    }
    const gated: Source = {
      ...s,
      fetch: async (dep, ctx) => {
        if (names.includes(dep.name)) await gate;
        return await s.fetch(dep, ctx);
      },
    };
    r.register(gated);
  }
  return r;
}

Deno.test("resolves three levels; root and earlier parents win even when a later parent lands first", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    const xFromA = await leaf(join(t, "x_a"), "x from a");
    const xFromB = await leaf(join(t, "x_b"), "x from b");
    const yRoot = await leaf(join(t, "y_root"), "y from root");
    const yFromA = await leaf(join(t, "y_a"), "y from a");
    const dLeaf = await leaf(join(t, "d"), "d");
    // Level 2 (C, a git repo) declares level 3 (D).
    const c = await makeRepo(t, "c", {
      files: { "ivpm.yaml": ivpmYaml({ name: "c", "dep-sets": depSets({ default: [dir("D", dLeaf)] }) }) },
    });
    // A (git, declared first) and B (dir, declared second) both declare X; A also declares Y.
    const a = await makeRepo(t, "a", {
      files: {
        "ivpm.yaml": ivpmYaml({
          name: "a",
          "dep-sets": depSets({ default: [dir("X", xFromA), dir("Y", yFromA), { name: "C", url: c.url }] }),
        }),
      },
    });
    const b = await writeIvpmYaml(join(t, "b"), {
      name: "b",
      "dep-sets": depSets({ default: [dir("X", xFromB)] }),
    });
    const project = await writeIvpmYaml(join(t, "proj"), {
      name: "proj",
      "dep-sets": depSets({ default: [{ name: "A", url: a.url }, dir("B", b), dir("Y", yRoot)] }),
    });

    // A's fetch is held until B has landed: B's declarations are ready first.
    let releaseA!: () => void;
    const bLanded = new Promise<void>((r) => releaseA = r);
    const order: string[] = [];
    const rec = recorder((pkg) => {
      order.push(pkg.name);
      if (pkg.name === "B") releaseA();
    });
    const result = await runUpdate({
      handlerArgs: NO_PY_INSTALL,
      projectDir: project,
      cacheDir: null,
      jobs: 4,
      reporter: rec,
      sources: gatedRegistry(bLanded, ["A"]),
    });
    assert.ok(order.indexOf("B") < order.indexOf("A"), `B should land before A: ${order.join(",")}`);

    const lock = await readLockJson(project);
    const by = Object.fromEntries(Object.entries(lock.packages).map(([n, e]) => [n, e.resolved_by]));
    assert.deepEqual(by, { A: "root", B: "root", Y: "root", X: "A", C: "A", D: "C" });
    assert.equal(await Deno.readTextFile(join(project, "packages/X/marker.txt")), "x from a");
    assert.equal(await Deno.readTextFile(join(project, "packages/Y/marker.txt")), "y from root");
    assert.equal(await Deno.readTextFile(join(project, "packages/D/marker.txt")), "d");
    assert.deepEqual(result.graph.byName.get("X")!.alsoRequestedBy, ["B"]);
    assert.deepEqual(result.graph.byName.get("Y")!.alsoRequestedBy, ["A"]);
    assert.equal(lock.packages.C.commit_resolved, c.head);
    // Claim order is breadth-first in declaration order, whatever the timing.
    assert.deepEqual(result.graph.packages.map((p) => p.name), ["A", "B", "Y", "X", "C", "D"]);
    void xFromB;
    void yFromA;
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a dependency's dep-set, a dep-set's default-dep-set and uses: inheritance choose sub-dep-sets", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    // Each sub-package names its dependency after the dep-set it was loaded with.
    const sub = async (name: string) => {
      const sets: Record<string, unknown>[] = [];
      for (const ds of ["default", "full", "dev", "base", "ext"]) {
        sets.push({ name: ds, deps: [dir(`${name}-${ds}`, await leaf(join(t, `${name}-${ds}`)))] });
      }
      return await writeIvpmYaml(join(t, name), { name, "dep-sets": sets });
    };
    const p = await sub("p"), q = await sub("q"), r = await sub("r"), s = await sub("s");
    const project = await writeIvpmYaml(join(t, "proj"), {
      name: "proj",
      "dep-sets": [
        { name: "base", deps: [dir("S", s)] },
        // R has no dep-set of its own: the dep-set's default-dep-set (dev) applies; P asks for full.
        {
          name: "ext",
          uses: "base",
          "default-dep-set": "dev",
          deps: [dir("P", p, { "dep-set": "full" }), dir("R", r)],
        },
        { name: "other", deps: [dir("Q", q)] },
      ],
    });
    const result = await runUpdate({
      handlerArgs: NO_PY_INSTALL,
      projectDir: project,
      depSet: "ext",
      cacheDir: null,
    });
    assert.equal(result.depSet, "ext");
    const lock = await readLockJson(project);
    assert.deepEqual(Object.keys(lock.packages).sort(), ["P", "R", "S", "p-full", "r-dev", "s-base"]);
    assert.equal(lock.packages.P.dep_set, "full");
    assert.equal(lock.packages.R.dep_set, "dev");
    // Inherited through uses: S keeps the base dep-set's name.
    assert.equal(lock.packages.S.dep_set, "base");
    assert.equal(lock.packages["p-full"].resolved_by, "P");
    // The chosen dep-set is remembered for the next update.
    const state = JSON.parse(await Deno.readTextFile(join(project, "packages/ivpm.json")));
    assert.equal(state["dep-set"], "ext");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("deps: skip leaves a package's own dependencies (and a broken ivpm.yaml) alone", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    const declared = await writeIvpmYaml(join(t, "declares"), {
      name: "declares",
      "dep-sets": depSets({ default: [dir("never", await leaf(join(t, "never")))] }),
    });
    const broken = join(t, "broken");
    await Deno.mkdir(broken);
    await Deno.writeTextFile(join(broken, "ivpm.yaml"), "package: [not: valid\n");
    const project = await writeIvpmYaml(join(t, "proj"), {
      name: "proj",
      "dep-sets": depSets({
        default: [dir("declares", declared, { deps: "skip" }), dir("broken", broken, { deps: "skip" })],
      }),
    });
    await runUpdate({ handlerArgs: NO_PY_INSTALL, projectDir: project, cacheDir: null });
    const lock = await readLockJson(project);
    assert.deepEqual(Object.keys(lock.packages).sort(), ["broken", "declares"]);
    assert.equal(await exists(join(project, "packages/never")), false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a sub-package without the requested dep-set fails naming the package and the dep-set", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    const sub = await writeIvpmYaml(join(t, "sub"), {
      name: "sub",
      "dep-sets": depSets({ default: [], extra: [] }),
    });
    const project = await writeIvpmYaml(join(t, "proj"), {
      name: "proj",
      "dep-sets": depSets({ default: [dir("sub", sub, { "dep-set": "nightly" })] }),
    });
    const e = await catchIvpmErrorAsync(() =>
      runUpdate({ handlerArgs: NO_PY_INSTALL, projectDir: project, cacheDir: null })
    );
    assert.match(e.message, /'sub'/);
    assert.match(e.message, /'nightly'/);
    assert.match(e.message, /default, extra/);
    assert.match(e.hint ?? "", /deps: skip|dep-set/);
    // A failed update writes no lock.
    assert.equal(await exists(join(project, "packages/package-lock.json")), false);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a dependency cycle A -> B -> A is a warning showing the chain, and both are fetched once", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    const aDir = join(t, "a"), bDir = join(t, "b");
    await writeIvpmYaml(aDir, { name: "a", "dep-sets": depSets({ default: [dir("B", bDir)] }) });
    await writeIvpmYaml(bDir, { name: "b", "dep-sets": depSets({ default: [dir("A", aDir)] }) });
    const project = await writeProjectDeps(join(t, "proj"), [dir("A", aDir)]);
    const { result, rec } = await updateRecorded(project);
    const cycles = rec.messages("warning").filter((m) => m.includes("cycle"));
    assert.equal(cycles.length, 1, rec.messages().join("\n"));
    assert.match(cycles[0], /A -> B -> A/);
    assert.deepEqual(result.graph.packages.map((p) => `${p.name}<${p.resolvedBy}`), ["A<root", "B<A"]);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a dep-set factory (src: ivpm.yaml) supplies dependencies recorded with from_ivpm_source", async () => {
  const tmp = await tempRoot();
  try {
    const t = tmp.path;
    const toolDir = await leaf(join(t, "tool"), "tool");
    const project = join(t, "proj");
    await Deno.mkdir(project);
    const factoryText = ivpmYaml({
      name: "tools",
      "dep-sets": depSets({
        core: [{ name: "pyyaml", src: "pypi", version: "6.0" }, dir("tool", toolDir)],
        other: [{ name: "unused", src: "pypi" }],
      }),
    });
    await Deno.writeTextFile(join(project, "tools.yaml"), factoryText);
    await writeIvpmYaml(project, {
      name: "proj",
      "dep-sets": depSets({
        default: [{ name: "core-tools", src: "ivpm.yaml", url: "tools.yaml", "dep-set": "core" }],
      }),
    });
    await runUpdate({ handlerArgs: NO_PY_INSTALL, projectDir: project, cacheDir: null });
    const lock = await readLockJson(project);
    // The factory itself creates nothing: it is listed under ivpm_sources, not packages.
    assert.deepEqual(Object.keys(lock.packages).sort(), ["pyyaml", "tool"]);
    assert.equal(await exists(join(project, "packages/core-tools")), false);
    for (const name of ["pyyaml", "tool"]) {
      assert.equal(lock.packages[name].from_ivpm_source, "tools.yaml#core");
      assert.equal(lock.packages[name].resolved_by, "core-tools");
    }
    assert.equal(lock.packages.pyyaml.version_requested, "6.0");
    const hex = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(factoryText))),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    assert.deepEqual(lock.ivpm_sources, {
      "tools.yaml": {
        src: "ivpm.yaml",
        dep_set: "core",
        fingerprint: `sha256:${hex}`,
        reproducible: true,
        virtual: true,
      },
    });
    assert.equal(await Deno.readTextFile(join(project, "packages/tool/marker.txt")), "tool");
  } finally {
    await tmp.dispose();
  }
});

Deno.test("a factory without the requested dep-set names the factory and the dep-set", async () => {
  const tmp = await tempRoot();
  try {
    const project = join(tmp.path, "proj");
    await Deno.mkdir(project);
    await Deno.writeTextFile(
      join(project, "tools.yaml"),
      ivpmYaml({ name: "tools", "dep-sets": depSets({ core: [] }) }),
    );
    await writeIvpmYaml(project, {
      name: "proj",
      "dep-sets": depSets({
        default: [{ name: "ft", src: "ivpm.yaml", url: "tools.yaml", "dep-set": "full" }],
      }),
    });
    const e = await catchIvpmErrorAsync(() =>
      runUpdate({ handlerArgs: NO_PY_INSTALL, projectDir: project, cacheDir: null })
    );
    assert.match(e.message, /'ft'/);
    assert.match(e.message, /'full'/);
    assert.match(e.message, /core/);
  } finally {
    await tmp.dispose();
  }
});

Deno.test("no more than `jobs` packages land at once, even as new ones are claimed", async () => {
  const { resolveGraph } = await import("../../core/update/resolver.ts");
  let running = 0, peak = 0;
  const dep = (name: string) => ({
    name,
    src: "dir",
    options: {},
    types: [],
    depSet: "default",
    skipDeps: false,
    loc: { file: "x", line: 1, col: 1 },
  });
  const children = new Map<string, string[]>([["a", ["a1", "a2", "a3"]], ["b", ["b1", "b2"]], ["c", ["c1"]]]);
  await resolveGraph({
    rootName: "root",
    rootDeps: ["a", "b", "c", "d"].map(dep),
    jobs: 2,
    land: async (pkg) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      const kids = children.get(pkg.name);
      return kids ? { supplied: { deps: kids.map(dep), source: "t" } } : {};
    },
  });
  assert.equal(peak, 2);
});
