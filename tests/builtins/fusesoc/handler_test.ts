import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HandlerRegistry } from "../../../core/engine/registry.ts";
import type { HandlerEvent } from "../../../core/plugin_api/events.ts";
import { ENVRC_HEADER } from "../../../core/plugin_api/envrc.ts";
import { runDestroy } from "../../../core/update/destroy.ts";
import { runUpdate } from "../../../core/update/update.ts";
import { FusesocHandler } from "../../../plugins/fusesoc/mod.ts";
import { capi2Core } from "../../_helpers/fusesoc_fixtures.ts";
import { backdate, writeTree } from "../../_helpers/temp.ts";
import { toFileUrl } from "../../_helpers/file_url.ts";
import { depSets, exists, ivpmYaml, tempRoot } from "../../_helpers/update_project.ts";

const MODULE = new URL("../../../plugins/fusesoc/mod.ts", import.meta.url);
const PLUGIN_DIR = dirname(fileURLToPath(MODULE));
const CAPI1 = "CAPI=1\n[main]\nname = ::beta:1.0\n";

/** The files under the deps dir the handler writes: a plugin must be granted them by name. */
function fusesocOutputs(projectDir: string): string[] {
  const deps = join(projectDir, "packages");
  return ["fusesoc-cores.txt", "fusesoc-cores.envrc", "packages.envrc"].map((f) => join(deps, f));
}

/** The handler as a sandboxed plugin (the trusted worker only knows registered built-ins). */
function registry(root: string, projectDir: string): HandlerRegistry {
  const r = new HandlerRegistry();
  r.register(FusesocHandler, {
    origin: "test",
    moduleUrl: MODULE.href,
    exportName: "FusesocHandler",
    grant: { read: [PLUGIN_DIR, root], write: [projectDir, ...fusesocOutputs(projectDir)] },
  });
  return r;
}

/**
 * A project with its own core and four dir packages: alpha (CAPI=2 core at its root), beta (a CAPI=1
 * core only), gamma (globs in its own ivpm.yaml; its root core is not searched), delta (a glob
 * matching nothing).
 */
async function project(withFusesoc?: Record<string, unknown>) {
  const tmp = await tempRoot("ivpm-fusesoc-");
  const src = join(tmp.path, "src");
  await writeTree(join(src, "alpha"), { "alpha.core": capi2Core("::alpha:1.0"), "rtl.v": "" });
  await writeTree(join(src, "beta"), { "beta.core": CAPI1 });
  await writeTree(join(src, "gamma"), {
    "ivpm.yaml": ivpmYaml({
      name: "gamma",
      "dep-sets": depSets({ default: [] }),
      with: { fusesoc: { cores: ["rtl/**/*.core", "ip"] } },
    }),
    "gamma.core": capi2Core("::gamma:1.0"),
    "rtl/a/a.core": capi2Core("::a:1.0"),
    "rtl/b/deep/b.core": capi2Core("::b:1.0"),
    "rtl/c/c.core": CAPI1,
    "ip/ip.core": capi2Core("::ip:1.0"),
  });
  await writeTree(join(src, "delta"), {
    "ivpm.yaml": ivpmYaml({
      name: "delta",
      "dep-sets": depSets({ default: [] }),
      with: { fusesoc: { cores: ["nothing/*.core"] } },
    }),
    "delta.core": capi2Core("::delta:1.0"),
  });
  const dir = join(tmp.path, "proj");
  const write = (w?: Record<string, unknown>) =>
    Deno.writeTextFile(
      join(dir, "ivpm.yaml"),
      ivpmYaml({
        name: "proj",
        ...(w ? { with: { fusesoc: w } } : {}),
        "dep-sets": depSets({
          default: ["alpha", "beta", "gamma", "delta"].map((n) => ({
            name: n,
            url: toFileUrl(join(src, n)),
          })),
        }),
      }),
    );
  await writeTree(dir, { "proj.core": capi2Core("::proj:0.1") });
  await write(withFusesoc);
  // The direnv handler's file: the fusesoc section is added to it only because it exists.
  await writeTree(join(dir, "packages"), { "packages.envrc": `${ENVRC_HEADER}\n` });
  const handlers = registry(tmp.path, dir);
  const events: HandlerEvent[] = [];
  const diags: string[] = [];
  const deps = join(dir, "packages");
  return {
    tmp,
    dir,
    deps,
    events,
    handlers,
    setWith: write,
    update: () =>
      runUpdate({
        projectDir: dir,
        cacheDir: null,
        handlers,
        reporter: {
          handlerEvent: (e) => void events.push(e),
          // The handler's warnings arrive through info.warn, prefixed with its name.
          diagnostic: (d) =>
            void (d.severity === "warning" && d.message.startsWith("fusesoc: ") &&
              diags.push(`warning: ${d.message.slice("fusesoc: ".length)}`)),
        },
      }),
    destroy: (dryRun = false) => runDestroy({ projectDir: dir, handlers, dryRun }),
    messages:
      () => [...events.filter((e) => e.type === "task-progress").map((e) => e.message ?? ""), ...diags],
  };
}

async function mtime(path: string): Promise<number | undefined> {
  return (await Deno.stat(path)).mtime?.getTime();
}

Deno.test("fusesoc-cores.txt/.envrc list the project's and packages' CAPI=2 core dirs; globs come from the package's own ivpm.yaml", async () => {
  const p = await project();
  try {
    const r = await p.update();
    assert.deepEqual(r.handlersRun, ["fusesoc"]);
    const pk = (...s: string[]) => join(p.deps, ...s);
    assert.equal(
      await Deno.readTextFile(join(p.deps, "fusesoc-cores.txt")),
      [
        "# Generated by IVPM fusesoc handler — do not edit manually",
        "# from: __project__",
        p.dir,
        "# from: alpha",
        pk("alpha"),
        "# from: gamma",
        pk("gamma", "ip"),
        "# from: gamma",
        pk("gamma", "rtl", "a"),
        "# from: gamma",
        pk("gamma", "rtl", "b", "deep"),
        "",
      ].join("\n"),
    );
    assert.equal(
      await Deno.readTextFile(join(p.deps, "fusesoc-cores.envrc")),
      `export FUSESOC_CORES="${
        [p.dir, pk("alpha"), pk("gamma", "ip"), pk("gamma", "rtl", "a"), pk("gamma", "rtl", "b", "deep")]
          .join(":")
      }"\n`,
    );
    assert.equal(
      await Deno.readTextFile(join(p.deps, "packages.envrc")),
      `${ENVRC_HEADER}\n# --- ivpm:fusesoc begin ---\nsource_env ./fusesoc-cores.envrc\n# --- ivpm:fusesoc end ---\n`,
    );
    const msgs = p.messages();
    assert.ok(
      msgs.includes("Generated fusesoc-cores.envrc with 5 core directories from 3 package(s)"),
      String(msgs),
    );
    assert.ok(
      msgs.some((m) =>
        /^warning: package 'delta': fusesoc cores 'nothing\/\*\.core' matched no CAPI=2/.test(m)
      ),
    );
    // Packages with cores get the fusesoc type (not pkgType, which would hide them from python/node
    // auto-detection); beta (CAPI=1 only) does not.
    const types = Object.fromEntries(
      r.graph.packages.map((x) => [x.name, (x.typeData ?? []).some((t) => t.name === "fusesoc")]),
    );
    assert.deepEqual(types, { alpha: true, beta: false, gamma: true, delta: false });
    assert.ok(r.graph.packages.every((x) => x.pkgType === undefined));
    const state = JSON.parse(await Deno.readTextFile(join(p.deps, "ivpm.json"))).handlers.fusesoc;
    assert.deepEqual(state.core_dirs, {
      __project__: [p.dir],
      alpha: [pk("alpha")],
      gamma: [pk("gamma", "ip"), pk("gamma", "rtl", "a"), pk("gamma", "rtl", "b", "deep")],
    });
  } finally {
    await p.tmp.dispose();
  }
});

Deno.test("with.fusesoc.import limits the packages; an unknown name warns; nothing left removes the files and the section", async () => {
  const p = await project({ import: ["gamma", "nope"] });
  try {
    await p.update();
    const txt = await Deno.readTextFile(join(p.deps, "fusesoc-cores.txt"));
    assert.doesNotMatch(txt, /alpha/);
    assert.match(txt, /# from: gamma\n/);
    assert.match(txt, /# from: __project__\n/);
    assert.ok(
      p.messages().includes(
        "warning: with.fusesoc.import names 'nope', which is not a package of this project",
      ),
    );

    // No package imported and no project core: nothing is active.
    await Deno.remove(join(p.dir, "proj.core"));
    await p.setWith({ import: [] });
    await p.update();
    assert.equal(await exists(join(p.deps, "fusesoc-cores.txt")), false);
    assert.equal(await exists(join(p.deps, "fusesoc-cores.envrc")), false);
    assert.equal(await Deno.readTextFile(join(p.deps, "packages.envrc")), `${ENVRC_HEADER}\n`);
  } finally {
    await p.tmp.dispose();
  }
});

const USER_CONF = [
  "# my fusesoc config",
  "[main]",
  "cores_root = /opt/cores",
  "",
  "; a stale one from an older ivpm run",
  "[library.ivpm.old]",
  "location = /gone",
  "sync-type = local",
  "",
  "# the user's own library",
  "[library.mine]",
  "location = /home/me/cores  ; inline",
  "sync-type = local",
  "",
].join("\n");

Deno.test("update-conf keeps the user's sections and comments, drops stale ivpm ones; re-runs change nothing; destroy undoes it", async () => {
  const p = await project({ "update-conf": true });
  try {
    const conf = join(p.dir, "fusesoc.conf");
    await Deno.writeTextFile(conf, USER_CONF);
    await p.update();
    const user = USER_CONF.replace("[library.ivpm.old]\nlocation = /gone\nsync-type = local\n\n", "");
    const pk = (...s: string[]) => join(p.deps, ...s);
    const lib = (name: string, loc: string) =>
      `[library.ivpm.${name}]\nlocation = ${loc}\nsync-type = local\n`;
    assert.equal(
      await Deno.readTextFile(conf),
      user + "\n" + [
        lib("__project__", p.dir),
        lib("alpha", pk("alpha")),
        lib("gamma-0", pk("gamma", "ip")),
        lib("gamma-1", pk("gamma", "rtl", "a")),
        lib("gamma-2", pk("gamma", "rtl", "b", "deep")),
      ].join("\n"),
    );

    // Idempotent: nothing is rewritten.
    const files = [
      conf,
      join(p.deps, "fusesoc-cores.txt"),
      join(p.deps, "fusesoc-cores.envrc"),
      join(p.deps, "packages.envrc"),
    ];
    await backdate(...files); // a rewrite would show as a new mtime
    const before = await Promise.all(files.map(async (f) => [await Deno.readTextFile(f), await mtime(f)]));
    await p.update();
    const after = await Promise.all(files.map(async (f) => [await Deno.readTextFile(f), await mtime(f)]));
    assert.deepEqual(after, before);

    // Dry run reports and changes nothing.
    const dry = await p.destroy(true);
    assert.deepEqual(dry.handlers.find((h) => h.handler === "fusesoc")!.paths, [
      join(p.deps, "fusesoc-cores.txt"),
      join(p.deps, "fusesoc-cores.envrc"),
    ]);
    assert.ok(await exists(join(p.deps, "fusesoc-cores.txt")));

    await p.destroy();
    // The user's file is back to what it was, less the stale ivpm section.
    assert.equal(await Deno.readTextFile(conf), user);
    assert.equal(await exists(join(p.deps, "fusesoc-cores.txt")), false);
    assert.equal(await exists(join(p.deps, "fusesoc-cores.envrc")), false);
    // packages.envrc is not ivpm-destroy's to delete here (not recorded), but its section is gone.
    assert.equal(await Deno.readTextFile(join(p.deps, "packages.envrc")), `${ENVRC_HEADER}\n`);
    assert.ok(await exists(join(p.dir, "proj.core")));
  } finally {
    await p.tmp.dispose();
  }
});

Deno.test("a fusesoc.conf ivpm created is removed by destroy; turning update-conf off removes ivpm's sections", async () => {
  const p = await project({ "update-conf": true, import: ["alpha"] });
  try {
    const conf = join(p.dir, "fusesoc.conf");
    await p.update();
    assert.equal(
      await Deno.readTextFile(conf),
      `[library.ivpm.__project__]\nlocation = ${p.dir}\nsync-type = local\n\n` +
        `[library.ivpm.alpha]\nlocation = ${join(p.deps, "alpha")}\nsync-type = local\n`,
    );
    const r = await p.destroy();
    assert.ok(r.handlers.find((h) => h.handler === "fusesoc")!.paths.includes(conf));
    assert.equal(await exists(conf), false);

    await p.update();
    assert.ok(await exists(conf));
    await Deno.writeTextFile(conf, (await Deno.readTextFile(conf)) + "\n[main]\nx = 1\n");
    await p.setWith({ import: ["alpha"] });
    await p.update();
    assert.equal(await Deno.readTextFile(conf), "[main]\nx = 1\n");
  } finally {
    await p.tmp.dispose();
  }
});

Deno.test("a package holding a core and a setup.py is both a fusesoc package and a python one", async () => {
  const { HandlerRegistry } = await import("../../../core/engine/registry.ts");
  const { FusesocHandler } = await import("../../../plugins/fusesoc/mod.ts");
  const { PythonHandler } = await import("../../../plugins/python/mod.ts");
  const root = await Deno.makeTempDir({ prefix: "ivpm-fusesoc-py-" });
  try {
    const pkgDir = join(root, "ip");
    await Deno.mkdir(pkgDir);
    await Deno.writeTextFile(join(pkgDir, "ip.core"), "CAPI=2:\nname: acme:ip:ip:1.0\n");
    await Deno.writeTextFile(join(pkgDir, "setup.py"), "from setuptools import setup\nsetup(name='ip')\n");
    const proj = join(root, "proj");
    await Deno.mkdir(proj);
    await Deno.writeTextFile(
      join(proj, "ivpm.yaml"),
      `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n        - name: ip\n          url: file://${pkgDir}\n`,
    );
    const handlers = new HandlerRegistry();
    handlers.register(FusesocHandler, {
      origin: "test",
      moduleUrl: new URL("../../../plugins/fusesoc/mod.ts", import.meta.url).href,
      exportName: "FusesocHandler",
    });
    handlers.register(PythonHandler, {
      origin: "test",
      moduleUrl: new URL("../../../plugins/python/mod.ts", import.meta.url).href,
      exportName: "PythonHandler",
    });
    const r = await runUpdate({
      projectDir: proj,
      cacheDir: null,
      handlers,
      handlerArgs: { python: { skipPyInstall: true } },
    });
    const ip = r.graph.packages[0];
    assert.equal(ip.pkgType, "python");
    assert.ok(ip.typeData?.some((t) => t.name === "fusesoc"));
    assert.match(await Deno.readTextFile(join(proj, "packages", "fusesoc-cores.txt")), /\/packages\/ip$/m);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
