/** CLI conventions: completions from the command tree, did-you-mean below `show`, JSON errors, help. */

import assert from "node:assert/strict";
import { buildProgram } from "../../core/cli/program.ts";
import { completionScript } from "../../core/cli/completions.ts";
import { runIvpm } from "../_helpers/cli.ts";
import type { Command } from "commander";

Deno.test("bash completion completes commands, sub-commands and options from the command tree", async () => {
  const script = completionScript(buildProgram(), "bash");
  const complete = async (words: string[]) => {
    const r = await new Deno.Command("bash", {
      args: [
        "-c",
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
          words.length - 1
        }; _ivpm; echo "\${COMPREPLY[@]}"`,
      ],
      stdout: "piped",
    }).output();
    return new TextDecoder().decode(r.stdout).trim().split(" ");
  };
  assert.deepEqual(await complete(["ivpm", "upd"]), ["update"]);
  assert.deepEqual(await complete(["ivpm", "show", "de"]), ["deps"]);
  assert.ok((await complete(["ivpm", "update", "--re"])).includes("--refresh-all"));
  assert.deepEqual(await complete(["ivpm", "plugin", "ad"]), ["add"]);
});

Deno.test("ivpm completions prints a script for each shell, and refuses an unknown shell", async () => {
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    const r = await runIvpm(["completions", shell]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /update/);
    assert.match(r.stdout, /deps/);
  }
  const bad = await runIvpm(["completions", "tcsh"]);
  assert.equal(bad.code, 2);
});

Deno.test("an unknown word after 'show' is a usage error with a suggestion", async () => {
  const r = await runIvpm(["show", "dep"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown command 'dep' for 'ivpm show'; did you mean 'deps'\?/);
});

Deno.test("under --json an error is also one JSON object on stdout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-json-err-" });
  try {
    await Deno.writeTextFile(`${dir}/ivpm.yaml`, "package:\n  name: p\n  dep-set: []\n");
    const r = await runIvpm(["update", "--json"], { cwd: dir });
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1]);
    assert.equal(last.type, "error");
    assert.equal(last.exitCode, 1);
    assert.match(last.diagnostics[0].message, /Unknown key 'dep-set'/);
    assert.equal(last.diagnostics[0].line, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every command's help ends with examples and a docs link", () => {
  const visit = (c: Command, path: string) => {
    let help = "";
    c.configureOutput({ writeOut: (s) => void (help += s) });
    c.outputHelp();
    assert.match(help, /\nExamples:\n {2}\$ ivpm /, `help of '${path}'`);
    assert.match(help, /\nDocs: https:\/\/\S+\.md\n/, `help of '${path}'`);
    for (const s of c.commands) visit(s as Command, `${path} ${s.name()}`);
  };
  visit(buildProgram(), "ivpm");
});
