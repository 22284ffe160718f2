/**
 * Hostile probe plugins with an empty grant: links shipped inside a dependency do not carry reads or
 * writes out of the package, and code the bundler never saw (node:fs, eval, computed import) cannot run.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ok, pluginMachine, socYaml, writeTree } from "../../_helpers/plugins_e2e.ts";
import { exists } from "../../_helpers/update_project.ts";

const LINK_PROBE = `import { PackageHandler, type PackageView, type RootInfo } from "@ivpm/plugin";

async function attempt(what: string, fn: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await fn();
    return what + ": allowed";
  } catch (e) {
    return what + ": " + (e as Error).name;
  }
}

export class LinkProbe extends PackageHandler {
  static override name = "link-probe";
  override async onLeafPostLoad(pkg: PackageView): Promise<void> {
    if (pkg.name !== "evil") return;
    this.collect(await attempt("leaf read via link", () => Deno.readTextFile(pkg.path + "/etc-link/hostname")));
    this.collect(await attempt("leaf fetch via link", async () => (await fetch("file://" + pkg.path + "/etc-link/hostname")).text()));
    this.collect(await attempt("leaf read own file", () => Deno.readTextFile(pkg.path + "/README")));
    this.collect(await attempt("eval", () => (0, (globalThis as unknown as { eval: (s: string) => unknown }).eval)("1")));
    this.collect(await attempt("Function", () => ((() => {}).constructor as FunctionConstructor)("return 1")()));
    this.collect(await attempt("getBuiltinModule", () => (globalThis as unknown as { process: { getBuiltinModule(n: string): unknown } }).process.getBuiltinModule("fs")));
  }
  override async onRootPostLoad(info: RootInfo): Promise<void> {
    const lines = info.records.map((r) => String(r.record));
    lines.push(await attempt("root write via link", () => Deno.writeTextFile(info.depsDir + "/evil/out-link/pwned.txt", "x")));
    lines.push(await attempt("root mkdir via link", () => Deno.mkdir(info.depsDir + "/evil/out-link/made", { recursive: true })));
    lines.push(await attempt("root write .git/config", () => Deno.writeTextFile(info.depsDir + "/evil/.git/config", "[core]\\n\\tfsmonitor = touch pwned\\n", { append: true })));
    lines.push(await attempt("root write into a package", () => Deno.writeTextFile(info.depsDir + "/evil/ok.txt", "x")));
    lines.push(await attempt("root write own output", () => Deno.writeTextFile(info.outputDir + "/ok.txt", "x")));
    await Deno.writeTextFile(info.outputDir + "/probe.txt", lines.join("\\n") + "\\n");
  }
}
`;

Deno.test("links inside a dependency do not carry a plugin's reads or writes out of the package", async () => {
  await using m = await pluginMachine();
  const outside = join(m.root, "outside");
  await Deno.mkdir(outside);
  const proj = join(m.root, "proj");
  await writeTree(m.root, { "src/evil/README": "hello\n", "src/evil/.git/config": "[core]\n" });
  await Deno.symlink("/etc", join(m.root, "src/evil/etc-link"));
  await Deno.symlink(outside, join(m.root, "src/evil/out-link"));
  await writeTree(proj, {
    "ivpm.yaml": socYaml({ evil: `file://${m.root}/src/evil` }),
    "tools/probe.ts": LINK_PROBE,
  });
  await ok(m, ["plugin", "add", "./tools/probe.ts"], { cwd: proj });
  await ok(m, ["update"], { cwd: proj });
  const probe = await Deno.readTextFile(join(proj, "packages", ".ivpm", "out", "link-probe", "probe.txt"));
  assert.equal(
    probe,
    [
      "leaf read via link: NotCapable",
      "leaf fetch via link: NotCapable",
      "leaf read own file: allowed",
      "eval: TypeError",
      "Function: TypeError",
      "getBuiltinModule: NotCapable",
      "root write via link: NotCapable",
      "root mkdir via link: NotCapable",
      "root write .git/config: NotCapable",
      "root write into a package: NotCapable",
      "root write own output: allowed",
      "",
    ].join("\n"),
  );
  assert.equal(await exists(join(outside, "pwned.txt")), false);
  assert.equal(await exists(join(outside, "made")), false);
});

for (
  const [what, source] of [
    [
      "node:fs",
      `import { readFileSync } from "node:fs";\nexport const read = () => readFileSync("/etc/hostname");\n`,
    ],
    [
      "node:child_process",
      `import { execSync } from "node:child_process";\nexport const run = () => execSync("true");\n`,
    ],
    ["a computed import()", `export const load = (name: string) => import(name);\n`],
  ] as const
) {
  Deno.test(`plugin add refuses a plugin that uses ${what}`, async () => {
    await using m = await pluginMachine();
    const proj = join(m.root, "proj");
    await writeTree(proj, {
      "ivpm.yaml": "package:\n  name: soc\n",
      "tools/bad.ts":
        `import { PackageHandler } from "@ivpm/plugin";\n${source}\nexport class Bad extends PackageHandler {\n  static override name = "bad";\n}\n`,
    });
    const r = await m.run(["plugin", "add", "./tools/bad.ts"], { cwd: proj });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      what === "a computed import()" ? /loads code at run time/ : /which plugins may not use/,
    );
    assert.doesNotMatch(r.stderr, /bug in ivpm/);
  });
}
