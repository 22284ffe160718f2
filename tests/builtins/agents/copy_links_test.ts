// The copy fallback and symbolic links inside skills: a copy never takes a file from outside the package.
import assert from "node:assert/strict";
import { join } from "node:path";
import { FORCE_COPY_ENV } from "../../../plugins/agents/mod.ts";
import {
  agentsRegistry,
  agentsTree,
  skillEntries,
  skillMd,
  updateWith,
  writeFile,
} from "../../_helpers/agents_fixture.ts";
import { envWith } from "../../_helpers/env.ts";

/** Every file path below `dir`, relative, sorted (directories end in `/`; links are not followed). */
async function tree(dir: string, base = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory) out.push(`${rel}/`, ...(await tree(join(dir, e.name), rel)));
    else out.push(e.isSymlink ? `${rel} -> link` : rel);
  }
  return out.sort();
}

Deno.test("copy mode: a link leaving the package is not followed (warning); a link inside it is copied as its content", async () => {
  const t = await agentsTree();
  const env = envWith({ [FORCE_COPY_ENV]: "1" });
  try {
    const outside = join(t.root, "outside");
    await writeFile(join(outside, "secret.txt"), "not yours\n");
    await writeFile(join(outside, "SKILL.md"), skillMd("borrowed"));
    const uvm = t.src("uvm");
    await writeFile(join(uvm, "docs/guide.md"), "guide\n");
    await writeFile(join(uvm, "tools/run.sh"), "echo run\n");
    // a: its references are a directory outside the package (absolute link).
    await writeFile(join(uvm, "skills/a/SKILL.md"), skillMd("a"));
    await Deno.symlink(outside, join(uvm, "skills/a/references"));
    // b: links that stay inside the package, and one file link that leaves it.
    await writeFile(join(uvm, "skills/b/SKILL.md"), skillMd("b"));
    await Deno.symlink("../../docs", join(uvm, "skills/b/references"));
    await Deno.mkdir(join(uvm, "skills/b/scripts"));
    await Deno.symlink("../../../tools/run.sh", join(uvm, "skills/b/scripts/run.sh"));
    await Deno.symlink("../../../../../outside/secret.txt", join(uvm, "skills/b/scripts/secret.txt"));
    // c: its SKILL.md itself is a file outside the package.
    await Deno.mkdir(join(uvm, "skills/c"));
    await Deno.symlink(join(outside, "SKILL.md"), join(uvm, "skills/c/SKILL.md"));
    await t.project(["uvm"]);

    const r = await updateWith(t.proj, agentsRegistry(), env);
    const pkg = join(t.proj, "packages", "uvm");
    const real = await Deno.realPath(outside);
    assert.deepEqual(r.lines, [
      `warning: skill 'uvm-a': ${pkg}/skills/a/references links outside its package (to ${real}); not copied`,
      `warning: skill 'uvm-b': ${pkg}/skills/b/scripts/secret.txt links outside its package ` +
      `(to ${real}/secret.txt); not copied`,
      `warning: skill 'uvm-c': ${pkg}/skills/c/SKILL.md links outside its package (to ${real}/SKILL.md); ` +
      "not copied",
      `warning: skill 'uvm-c': ${pkg}/skills/c/SKILL.md cannot be copied, so the skill is not placed`,
      "Populated .agents/skills/ with 2 skill(s) (copies)",
    ]);
    const skills = join(t.proj, ".agents/skills");
    assert.deepEqual(await skillEntries(skills), { "uvm-a": "dir", "uvm-b": "dir" });
    assert.deepEqual(await tree(join(skills, "uvm-a")), ["SKILL.md"]);
    assert.deepEqual(await tree(join(skills, "uvm-b")), [
      "SKILL.md",
      "references/",
      "references/guide.md",
      "scripts/",
      "scripts/run.sh",
    ]);
    assert.equal(await Deno.readTextFile(join(skills, "uvm-b/references/guide.md")), "guide\n");
    assert.equal(await Deno.readTextFile(join(skills, "uvm-b/scripts/run.sh")), "echo run\n");

    // A re-run finds the copies current (the left-out parts do not count as missing) and says so again.
    const ino = (await Deno.lstat(join(skills, "uvm-b/references/guide.md"))).ino;
    const again = await updateWith(t.proj, agentsRegistry(), env);
    assert.deepEqual(again.lines, r.lines);
    assert.equal((await Deno.lstat(join(skills, "uvm-b/references/guide.md"))).ino, ino);
  } finally {
    await t.dispose();
  }
});

Deno.test("copy mode: a link to a directory that contains it is left out with a warning (the copy never recurses forever)", async () => {
  const t = await agentsTree();
  try {
    const uvm = t.src("uvm");
    await writeFile(join(uvm, "SKILL.md"), skillMd("uvm"));
    await writeFile(join(uvm, "assets/logo.txt"), "logo\n");
    await Deno.symlink("..", join(uvm, "assets/loop"));
    await Deno.symlink(".", join(uvm, "references"));
    await t.project(["uvm"]);
    const r = await updateWith(t.proj, agentsRegistry(), envWith({ [FORCE_COPY_ENV]: "1" }));
    const pkg = join(t.proj, "packages", "uvm");
    assert.deepEqual(r.lines, [
      `warning: skill 'uvm': ${pkg}/references links to a directory that contains it; not copied`,
      `warning: skill 'uvm': ${pkg}/assets/loop links to a directory that contains it; not copied`,
      "Populated .agents/skills/ with 1 skill(s) (copies)",
    ]);
    assert.deepEqual(await tree(join(t.proj, ".agents/skills/uvm")), [
      "SKILL.md",
      "assets/",
      "assets/logo.txt",
    ]);
  } finally {
    await t.dispose();
  }
});
