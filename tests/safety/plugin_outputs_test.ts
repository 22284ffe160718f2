/**
 * Trust round 3, hostile plugins with an empty grant, through the real CLI:
 * - a root callback cannot plant what trusted code later runs or reads (the venv, the node env,
 *   packages.envrc, ivpm's state, another handler's outputs, a package tree), through any guarded
 *   `Deno.*` call (a table over the whole surface), sync or async; its own output directory works;
 * - records a plugin forges for built-in handlers are dropped with a warning naming the plugin;
 * - `console.clear()` writes nothing to stdout (a `--json` stream stays clean).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, pluginMachine, socYaml, writeTree } from "../_helpers/plugins_e2e.ts";
import { exists } from "../_helpers/update_project.ts";

/** Each guarded call, aimed at `T` (a path the plugin must not write), as plugin source text. */
const WRITE_CALLS: [string, string][] = [
  ["writeTextFile", `Deno.writeTextFile(T, "x")`],
  ["writeTextFileSync", `Deno.writeTextFileSync(T, "x")`],
  ["writeFile", `Deno.writeFile(T, new Uint8Array([1]))`],
  ["writeFileSync", `Deno.writeFileSync(T, new Uint8Array([1]))`],
  ["create", `Deno.create(T).then((f) => f.close())`],
  ["createSync", `Deno.createSync(T).close()`],
  ["open write", `Deno.open(T, { write: true, create: true }).then((f) => f.close())`],
  ["openSync write", `Deno.openSync(T, { write: true, create: true }).close()`],
  ["mkdir", `Deno.mkdir(T, { recursive: true })`],
  ["mkdirSync", `Deno.mkdirSync(T, { recursive: true })`],
  ["copyFile", `Deno.copyFile(OWN, T)`],
  ["copyFileSync", `Deno.copyFileSync(OWN, T)`],
  ["rename", `Deno.rename(OWN, T)`],
  ["renameSync", `Deno.renameSync(OWN, T)`],
  ["link", `Deno.link(OWN, T)`],
  ["symlink", `Deno.symlink(OWN, T)`],
  ["truncate", `Deno.truncate(T)`],
  ["chmod", `Deno.chmod(T, 0o755)`],
  ["utime", `Deno.utime(T, 0, 0)`],
  ["remove", `Deno.remove(T)`],
  ["makeTempFile", `Deno.makeTempFile({ dir: DIR })`],
  ["makeTempDirSync", `Deno.makeTempDirSync({ dir: DIR })`],
];

/** Paths (relative to the deps dir) that trusted code runs, sources or reads back. */
const TARGETS: [string, string][] = [
  ["venv", "python/bin/python"],
  ["venv config", "python/pyvenv.cfg"],
  ["node env", "node/.npmrc"],
  ["packages.envrc", "packages.envrc"],
  ["state", "ivpm.json"],
  ["lock", "package-lock.json"],
  ["other handler's output", ".ivpm/out/direnv/x"],
  ["package tree", "ip/injected.sh"],
  ["git spelling", "ip/.GIT/config"],
];

function planter(): string {
  const calls = WRITE_CALLS.map(([name, code]) =>
    `  [${JSON.stringify(name)}, (T: string, DIR: string) => ${code}],`
  ).join("\n");
  return `import { HandlerPhase, PackageHandler, type RootInfo } from "@ivpm/plugin";

const CALLS: [string, (T: string, DIR: string) => unknown][] = [
${calls}
];
const TARGETS: [string, string][] = ${JSON.stringify(TARGETS)};
let OWN = "";

async function attempt(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "allowed";
  } catch (e) {
    return (e as Error).name;
  }
}

export class Planter extends PackageHandler {
  static override name = "planter";
  static override phase = HandlerPhase.PREPARE;
  static override rootWhen = null;
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const lines: string[] = [];
    for (const [what, rel] of TARGETS) {
      const target = info.depsDir + "/" + rel;
      const dir = target.slice(0, target.lastIndexOf("/"));
      for (const [call, fn] of CALLS) {
        OWN = info.outputDir + "/own-" + lines.length;
        Deno.writeTextFileSync(OWN, "#!/bin/sh\\necho pwned\\n");
        lines.push(what + " " + call + ": " + await attempt(() => fn(target, dir)));
      }
    }
    lines.push("own output: " + await attempt(() => Deno.writeTextFile(info.outputDir + "/ok.txt", "x")));
    lines.push("own temp dir: " + await attempt(() => Deno.makeTempDir({ dir: info.outputDir })));
    lines.push("chdir: " + await attempt(() => Deno.chdir("/")));
    lines.push("umask: " + await attempt(() => Deno.umask(0)));
    console.clear();
    Deno.writeTextFileSync(info.outputDir + "/report.txt", lines.join("\\n") + "\\n");
  }
}
`;
}

/** A leaf plugin that answers the host's leaf request itself, with records for built-in handlers. */
const FORGER = `import { PackageHandler, type PackageView } from "@ivpm/plugin";

const post = globalThis.postMessage.bind(globalThis);
globalThis.addEventListener("message", (e: MessageEvent) => {
  const m = e.data;
  if (m?.type !== "leaf") return;
  post({
    type: "result",
    id: m.id,
    typeData: [],
    records: [
      { handler: "direnv", records: [{ file: "../../../../etc/profile" }] },
      { handler: "agents", records: [{ skill: { root: "/", dir: "/etc" } }] },
    ],
    warnings: [],
  });
});

export class Forger extends PackageHandler {
  static override name = "forger";
  override onLeafPostLoad(_pkg: PackageView): void {}
}
`;

async function project(root: string, plugins: Record<string, string>): Promise<string> {
  const src = join(root, "src", "ip");
  await writeTree(src, { "README": "ip\n", "export.envrc": "export IP=1\n", ".git/config": "[core]\n" });
  const proj = join(root, "proj");
  const files: Record<string, string> = { "ivpm.yaml": socYaml({ ip: `file://${src}` }) };
  for (const [name, text] of Object.entries(plugins)) files[`tools/${name}`] = text;
  await writeTree(proj, files);
  return proj;
}

Deno.test("a root callback with no grant cannot write what trusted code runs or reads back, by any guarded call", async () => {
  await using m = await pluginMachine();
  const proj = await project(m.root, { "planter.ts": planter() });
  await ok(m, ["plugin", "add", "./tools/planter.ts"], { cwd: proj });
  const r = await ok(m, ["update", "--json"], { cwd: proj });
  const deps = join(proj, "packages");
  const report = (await Deno.readTextFile(join(deps, ".ivpm", "out", "planter", "report.txt")))
    .trim().split("\n");
  const allowed = report.filter((l) => / allowed$/.test(l));
  assert.deepEqual(allowed, ["own output: allowed", "own temp dir: allowed"]);
  assert.equal(report.length, TARGETS.length * WRITE_CALLS.length + 4);
  for (const l of report.slice(0, -4)) assert.match(l, /: (NotCapable|PermissionDenied)$/, l);
  assert.match(report.at(-2)!, /^chdir: NotCapable$/);
  assert.match(report.at(-1)!, /^umask: NotCapable$/);
  // Nothing was planted: no venv, no node env, the package and ivpm's files untouched.
  assert.equal(await exists(join(deps, "python")), false);
  assert.equal(await exists(join(deps, "node")), false);
  assert.equal(await exists(join(deps, "ip", "injected.sh")), false);
  assert.equal(await exists(join(deps, ".ivpm", "out", "direnv", "x")), false);
  assert.doesNotMatch(await Deno.readTextFile(join(deps, "ivpm.json")), /pwned/);
  assert.doesNotMatch(await Deno.readTextFile(join(deps, "package-lock.json")), /pwned/);
  // console.clear() wrote no escape sequence into the JSON stream.
  assert.ok(!r.stdout.includes("\x1b"), "no escape sequence on stdout");
  for (const line of r.stdout.trim().split("\n")) JSON.parse(line);
});

Deno.test("records a plugin forges for built-in handlers are dropped with a warning naming the plugin", async () => {
  await using m = await pluginMachine();
  const proj = await project(m.root, { "forger.ts": FORGER });
  await ok(m, ["plugin", "add", "./tools/forger.ts"], { cwd: proj });
  const r = await ok(m, ["update"], { cwd: proj });
  assert.match(
    r.stderr,
    /plugin \.\/tools\/forger\.ts.* sent records for handler 'direnv', which is not its own, on package 'ip'; dropped/,
  );
  const envrc = await Deno.readTextFile(join(proj, "packages", "packages.envrc"));
  assert.doesNotMatch(envrc, /etc\/profile/);
  const skills = join(proj, ".agents", "skills");
  if (await exists(skills)) {
    for await (const e of Deno.readDir(skills)) {
      assert.notEqual(await Deno.realPath(join(skills, e.name)), "/etc", e.name);
    }
  }
});

const GRANTED = `import { PackageHandler, type RootInfo } from "@ivpm/plugin";

async function attempt(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "allowed";
  } catch (e) {
    return (e as Error).name;
  }
}

export class Granted extends PackageHandler {
  static override name = "granted";
  static override rootWhen = null;
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const lines = [
      "named package dir: " + await attempt(() => Deno.writeTextFile(info.depsDir + "/ip/generated/out.v", "x")),
      "other file in that package: " + await attempt(() => Deno.writeTextFile(info.depsDir + "/ip/README", "x")),
      "named file: " + await attempt(() => Deno.writeTextFile(info.depsDir + "/fusesoc-cores.txt", "x")),
      "venv through the deps dir grant: " +
      await attempt(() => Deno.mkdir(info.depsDir + "/python/bin", { recursive: true })),
      "project file: " + await attempt(() => Deno.writeTextFile(info.projectDir + "/tool.conf", "x")),
    ];
    await Deno.writeTextFile(info.outputDir + "/report.txt", lines.join("\\n") + "\\n");
  }
}
`;

Deno.test("allow-write opens under packages/ only the paths it names inside it, never the deps dir as a whole", async () => {
  await using m = await pluginMachine();
  const proj = await project(m.root, { "granted.ts": GRANTED });
  await Deno.mkdir(join(m.root, "src", "ip", "generated"));
  await ok(m, ["plugin", "add", "./tools/granted.ts"], { cwd: proj });
  const yaml = join(proj, "ivpm.yaml");
  const text = await Deno.readTextFile(yaml);
  await Deno.writeTextFile(
    yaml,
    text.replace(
      "- ./tools/granted.ts",
      "- spec: ./tools/granted.ts\n      allow-write: [packages, packages/ip/generated, packages/fusesoc-cores.txt, " +
        "tool.conf]",
    ),
  );
  assert.notEqual(await Deno.readTextFile(yaml), text, "the plugin entry was rewritten");
  await ok(m, ["update"], { cwd: proj });
  assert.deepEqual(
    (await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "granted", "report.txt"))).trim().split(
      "\n",
    ),
    [
      "named package dir: allowed",
      "other file in that package: NotCapable",
      "named file: allowed",
      "venv through the deps dir grant: NotCapable",
      "project file: allowed",
    ],
  );
  assert.equal(await Deno.readTextFile(join(m.root, "src", "ip", "README")), "ip\n");
  assert.equal(await exists(join(proj, "packages", "python")), false);
});

const PUBLISHER = `import { HandlerPhase, PackageHandler, type RootInfo } from "@ivpm/plugin";

export class Publisher extends PackageHandler {
  static override name = "publisher";
  static override phase = HandlerPhase.PREPARE;
  static override rootWhen = null;
  override onRootPostLoad(info: RootInfo): void {
    info.exchange.pythonSkillDirs = ["/etc", { name: "etc", dir: "/etc" }];
    info.exchange.publisherNote = "mine";
  }
}
`;

Deno.test("a plugin cannot set an exchange key a built-in handler publishes, even when that handler does not run", async () => {
  await using m = await pluginMachine();
  const proj = await project(m.root, { "publisher.ts": PUBLISHER });
  await ok(m, ["plugin", "add", "./tools/publisher.ts"], { cwd: proj });
  const r = await ok(m, ["update"], { cwd: proj });
  assert.match(
    r.stderr,
    /tried to set exchange key 'pythonSkillDirs', which belongs to handler 'python'; ignored/,
  );
  assert.doesNotMatch(r.stderr, /publisherNote/);
  const skills = join(proj, ".agents", "skills");
  if (await exists(skills)) {
    for await (const e of Deno.readDir(skills)) {
      assert.notEqual(await Deno.realPath(join(skills, e.name)), "/etc", e.name);
    }
  }
});
