import { deepEqual, equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { schemaText } from "../../core/cli/commands/show.ts";
import { loadConfigFile } from "../../core/config/load.ts";
import { VERSION } from "../../core/base/version.ts";
import { ivpmCommandArgs, runIvpm } from "../_helpers/cli.ts";
import { tempProject } from "../_helpers/config_fixture.ts";

const DRIVER = fileURLToPath(new URL("../_helpers/cli_load_driver.ts", import.meta.url));
const COMMANDS = [
  "activate",
  "build",
  "cache",
  "clone",
  "destroy",
  "init",
  "pkg-info",
  "plugin",
  "share",
  "show",
  "snapshot",
  "status",
  "sync",
  "update",
];
const ESC = "\x1b[";
const lines = (s: string) => s.split("\n").filter((l) => l !== "");
const hasStack = (s: string) => s.split("\n").some((l) => l.startsWith("    at "));

Deno.test("--version and -V print version, commit, Deno version and target, and exit 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const r = await runIvpm([flag]);
    equal(r.code, 0, flag);
    const m = r.stdout.trim().match(/^ivpm (\S+) \(commit ([0-9a-f]{12}|unknown), deno (\S+), (\S+)\)$/);
    ok(m, r.stdout);
    equal(m[1], VERSION);
    equal(m[3], Deno.version.deno);
    equal(m[4], Deno.build.target);
    equal(r.stderr, "");
  }
});

Deno.test("--help lists every sub-command, and each sub-command's --help exits 0", async () => {
  const top = await runIvpm(["--help"]);
  equal(top.code, 0);
  const listed = top.stdout.split("Commands:")[1].split("\n").map((l) => l.trim().split(/\s/)[0]).filter(
    Boolean,
  );
  for (const c of COMMANDS) ok(listed.includes(c), `'${c}' missing from --help:\n${top.stdout}`);
  ok(/\nAgent skill documentation: .+\/skill\.md\n/.test(top.stdout), top.stdout);
  const subs = await Promise.all(COMMANDS.map((c) => runIvpm([c, "--help"])));
  subs.forEach((r, i) => {
    equal(r.code, 0, `${COMMANDS[i]} --help: ${r.stderr}`);
    ok(r.stdout.startsWith(`Usage: ivpm ${COMMANDS[i]}`), r.stdout);
  });
});

Deno.test("sub-command lists are alphabetical at every level (as in the original)", async () => {
  for (const args of [["--help"], ["show", "--help"], ["cache", "--help"], ["plugin", "--help"]]) {
    const r = await runIvpm(args);
    const listed = r.stdout.split("Commands:")[1].split("\n\n")[0].split("\n").map((l) =>
      l.trim().split(/[\s|]/)[0]
    )
      .filter((n) => n && n !== "help");
    deepEqual(listed, [...listed].sort(), args.join(" "));
    ok(listed.length >= 3, args.join(" "));
  }
});

Deno.test("an unknown option exits 2 with one line of error and a hint on stderr", async () => {
  const r = await runIvpm(["--bogus"]);
  equal(r.code, 2);
  equal(r.stdout, "");
  deepEqual(lines(r.stderr), ["ivpm: error: Unknown option '--bogus'", "hint: run 'ivpm --help' for usage"]);
});

Deno.test("an unknown option of a sub-command names the sub-command", async () => {
  const r = await runIvpm(["init", "--bogus", "x"]);
  equal(r.code, 2);
  deepEqual(lines(r.stderr), [
    "ivpm init: error: Unknown option '--bogus'",
    "hint: run 'ivpm init --help' for usage",
  ]);
});

Deno.test("an unknown command exits 2 and suggests the closest one", async () => {
  const r = await runIvpm(["updte"]);
  equal(r.code, 2);
  deepEqual(lines(r.stderr), [
    "ivpm: error: Unknown command 'updte'; did you mean 'update'?",
    "hint: run 'ivpm --help' for usage",
  ]);
});

Deno.test("a malformed number option is a usage error (exit 2), not a crash", async () => {
  const r = await runIvpm(["update", "-j", "many"]);
  equal(r.code, 2, r.stderr);
  equal(
    lines(r.stderr)[0],
    "ivpm update: error: Option '-j, --jobs <n>' argument 'many' is invalid. --jobs must be a whole number, got 'many'",
  );
});

Deno.test("no command prints the help on stderr and exits 2", async () => {
  const r = await runIvpm([]);
  equal(r.code, 2);
  ok(r.stderr.startsWith("Usage: ivpm"), r.stderr);
  ok(!r.stderr.includes("(outputHelp)"), r.stderr);
});

Deno.test("a configuration error exits 1 with located diagnostics and no stack trace", async () => {
  await using p = await tempProject({
    "ivpm.yaml": "package:\n  name: x\n  dep-set: []\n  with: {pyton: {}}\n",
  });
  const r = await runIvpm(["load-config"], { cwd: p.dir, script: DRIVER });
  equal(r.code, 1);
  equal(r.stdout, "");
  ok(!hasStack(r.stderr), r.stderr);
  deepEqual(lines(r.stderr), [
    `${p.file}:3:3: error: Unknown key 'dep-set' in package; did you mean 'dep-sets'?`,
    "  dep-set: []",
    "  ^",
    "note: valid keys: default-dep-set, dep-sets, deps-dir, env, env-sets, include, name, paths, plugins, setup-deps, type, vars, version, with",
    `${p.file}:4:10: error: Unknown key 'pyton' in package.with; did you mean 'python'?`,
    "  with: {pyton: {}}",
    "         ^",
    "note: valid keys: agents, direnv, fusesoc, modules, node, python",
    "2 errors in configuration; nothing was changed",
  ]);
});

Deno.test("the real update and show deps commands report a configuration error the same way", async () => {
  await using p = await tempProject({ "ivpm.yaml": "package:\n  name: x\n  dep-set: []\n" });
  for (const args of [["update"], ["show", "deps"]]) {
    const r = await runIvpm(args, { cwd: p.dir });
    equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    ok(!hasStack(r.stderr), r.stderr);
    deepEqual(lines(r.stderr).slice(0, 3), [
      `${p.file}:3:3: error: Unknown key 'dep-set' in package; did you mean 'dep-sets'?`,
      "  dep-set: []",
      "  ^",
    ]);
    equal(lines(r.stderr).at(-1), "1 error in configuration; nothing was changed");
  }
});

Deno.test("-D of an undeclared variable exits 1 naming it, before or after the command", async () => {
  await using p = await tempProject({ "ivpm.yaml": "package:\n  name: x\n  vars: {ref: main}\n" });
  for (const args of [["update", "-D", "reff=1"], ["-D", "reff=1", "update"]]) {
    const r = await runIvpm(args, { cwd: p.dir });
    equal(r.code, 1, r.stderr);
    deepEqual(lines(r.stderr), [
      "error: Variable 'reff' given with -D is not declared in the vars: block of ivpm.yaml (did you mean 'ref'?)",
      "hint: declare it under package.vars, e.g. vars: { reff: default }",
    ]);
  }
});

Deno.test("--log-level DEBUG adds the stack trace to a configuration error", async () => {
  await using p = await tempProject({ "ivpm.yaml": "package:\n  nme: x\n" });
  const r = await runIvpm(["--log-level", "DEBUG", "load-config"], { cwd: p.dir, script: DRIVER });
  equal(r.code, 1);
  ok(r.stderr.includes(`${p.file}:2:3: error: Unknown key 'nme' in package; did you mean 'name'?`), r.stderr);
  ok(hasStack(r.stderr), r.stderr);
});

Deno.test("init writes a file that loads, refuses to overwrite without -f, and -f overwrites", async () => {
  await using p = await tempProject({});
  const first = await runIvpm(["init", "alpha"], { cwd: p.dir });
  equal(first.code, 0, first.stderr);
  equal(loadConfigFile(p.file).name, "alpha");

  const again = await runIvpm(["init", "beta"], { cwd: p.dir });
  equal(again.code, 1);
  deepEqual(lines(again.stderr), [`error: ${p.file} already exists`, "hint: use -f/--force to overwrite it"]);
  ok(!hasStack(again.stderr));
  equal(loadConfigFile(p.file).name, "alpha");

  const forced = await runIvpm(["init", "-f", "beta", "-v", "2.0"], { cwd: p.dir });
  equal(forced.code, 0, forced.stderr);
  const cfg = loadConfigFile(p.file);
  equal(cfg.name, "beta");
  equal(cfg.version, "2.0");
});

Deno.test("show --schema prints the JSON Schema as valid JSON", async () => {
  const r = await runIvpm(["show", "--schema"]);
  equal(r.code, 0, r.stderr);
  equal(r.stdout, schemaText());
  equal(JSON.parse(r.stdout).title, "ivpm.yaml");
});

Deno.test("output piped (not a TTY) has no escape codes, even without NO_COLOR", async () => {
  await using p = await tempProject({ "ivpm.yaml": "package:\n  nme: x\n" });
  const runs = [
    await runIvpm(["load-config"], { cwd: p.dir, script: DRIVER, unsetEnv: ["NO_COLOR"] }),
    await runIvpm(["init", "x"], { cwd: p.dir, unsetEnv: ["NO_COLOR"] }),
    await runIvpm(["--help"], { unsetEnv: ["NO_COLOR"] }),
  ];
  for (const r of runs) {
    ok(r.stdout + r.stderr !== "");
    ok(!(r.stdout + r.stderr).includes(ESC), JSON.stringify(r));
  }
});

const script = await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
  .output()
  .then((o) => o.success, () => false);

Deno.test({
  name: "on a terminal, errors are coloured unless NO_COLOR is set",
  ignore: !script,
  fn: async () => {
    await using p = await tempProject({ "ivpm.yaml": "package:\n  nme: x\n" });
    // `script` gives the child a pseudo-terminal, so the CLI sees a TTY.
    const onTty = async (env: Record<string, string>, unset: string[]) => {
      const child = Object.fromEntries(
        Object.entries(Deno.env.toObject()).filter(([k]) => !unset.includes(k)),
      );
      const cmd = [Deno.execPath(), ...ivpmCommandArgs(["load-config"], DRIVER)].map((a) => `'${a}'`).join(
        " ",
      );
      const out = await new Deno.Command("script", {
        args: ["-qec", cmd, "/dev/null"],
        cwd: p.dir,
        env: { ...child, ...env },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout);
    };
    const coloured = await onTty({}, ["NO_COLOR"]);
    ok(coloured.includes(`${ESC}31merror:`), JSON.stringify(coloured));
    const plain = await onTty({ NO_COLOR: "1" }, []);
    ok(plain.includes("error: Unknown key 'nme'"), JSON.stringify(plain));
    ok(!plain.includes(ESC), JSON.stringify(plain));
  },
});
