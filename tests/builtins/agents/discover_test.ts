import assert from "node:assert/strict";
import { join } from "node:path";
import { findSkills, skillPatterns } from "../../../plugins/agents/discover.ts";
import { parseFrontMatter, skillFileProblem } from "../../../plugins/agents/front_matter.ts";
import { glob } from "../../../plugins/agents/glob.ts";
import { skillMd, writeFile } from "../../_helpers/agents_fixture.ts";
import { withTempDir } from "../../_helpers/temp.ts";

Deno.test("front-matter needs a leading --- block with non-empty name and description", () => {
  assert.deepEqual(parseFrontMatter("---\nname: x\ndescription: does y\n---\nbody\n"), {
    name: "x",
    description: "does y",
  });
  assert.deepEqual(parseFrontMatter("---\r\nname: x\r\ndescription: y\r\n---\r\n"), {
    name: "x",
    description: "y",
  });
  assert.deepEqual(parseFrontMatter("---\nname: x\ndescription: y\n---"), { name: "x", description: "y" });
  assert.equal(parseFrontMatter("# Title\n---\nname: x\n---\n"), undefined);
  assert.equal(parseFrontMatter("---\nname: x\n"), undefined);
  // An empty `name:` does not take the next line as its value (the original's \s* did).
  assert.deepEqual(parseFrontMatter("---\nname:\ndescription: y\n---\n"), { description: "y" });
});

Deno.test("skillFileProblem names what is wrong with a SKILL.md", async () => {
  await withTempDir("ivpm-agents-unit-", async (dir) => {
    const f = join(dir, "SKILL.md");
    await Deno.writeTextFile(f, skillMd("ok"));
    assert.equal(await skillFileProblem(f), undefined);
    await Deno.writeTextFile(f, "just text\n");
    assert.equal(await skillFileProblem(f), "has missing or malformed front-matter");
    await Deno.writeTextFile(f, "---\nname: x\n---\n");
    assert.equal(await skillFileProblem(f), "front-matter lacks 'description'");
    await Deno.writeTextFile(f, "---\ntitle: x\n---\n");
    assert.equal(await skillFileProblem(f), "front-matter lacks 'name' and 'description'");
    assert.match((await skillFileProblem(join(dir, "nope.md")))!, /^cannot be read/);
  });
});

Deno.test("glob: ** spans zero or more directories, skips hidden names and does not follow symlinks", async () => {
  await withTempDir("ivpm-agents-unit-", async (dir) => {
    for (
      const p of ["skills/SKILL.md", "skills/a/SKILL.md", "skills/a/b/SKILL.md", "skills/.hidden/SKILL.md"]
    ) {
      await writeFile(join(dir, p), "x");
    }
    await Deno.mkdir(join(dir, "elsewhere/z"), { recursive: true });
    await Deno.writeTextFile(join(dir, "elsewhere/z/SKILL.md"), "x");
    await Deno.symlink(join(dir, "elsewhere"), join(dir, "skills/link"));
    assert.deepEqual(await glob(dir, "skills/**/SKILL.md"), [
      "skills/SKILL.md",
      "skills/a/SKILL.md",
      "skills/a/b/SKILL.md",
    ]);
    // A single wildcard follows the link; a literal hidden segment matches.
    assert.deepEqual(await glob(dir, "skills/*/*/SKILL.md"), [
      "skills/a/b/SKILL.md",
      "skills/link/z/SKILL.md",
    ]);
    assert.deepEqual(await glob(dir, "skills/.hidden/SKILL.md"), ["skills/.hidden/SKILL.md"]);
    assert.deepEqual(await glob(dir, "skills/[!l]*/SKILL.md"), ["skills/a/SKILL.md"]);
    assert.deepEqual(await glob(dir, "skills/[a-k]/b/SKILL.md"), ["skills/a/b/SKILL.md"]);
    assert.deepEqual(await glob(dir, "skills/?/SKILL.md"), ["skills/a/SKILL.md"]);
    assert.deepEqual(await glob(dir, "**/SKILL.md", { skipDirs: [join(dir, "skills")] }), [
      "elsewhere/z/SKILL.md",
    ]);
    assert.deepEqual(await glob(dir, "nothing/**/SKILL.md"), []);
  });
});

Deno.test("findSkills validates matches, dedupes overlapping patterns and warns about the rest", async () => {
  await withTempDir("ivpm-agents-unit-", async (dir) => {
    await writeFile(join(dir, "SKILL.md"), skillMd("root"));
    await writeFile(join(dir, "skills/a/SKILL.md"), skillMd("a"));
    await writeFile(join(dir, "skills/bad/SKILL.md"), "no front-matter\n");
    await writeFile(join(dir, "docs/c/SKILL.md"), skillMd("c"));
    await writeFile(join(dir, "docs/README.md"), skillMd("readme"));

    const auto = await findSkills(dir, undefined, "package 'p'");
    assert.deepEqual(auto.dirs, [dir, join(dir, "skills/a")]);
    assert.deepEqual(auto.warnings, [
      "package 'p': skills/bad/SKILL.md has missing or malformed front-matter; skipped",
    ]);

    const chosen = await findSkills(
      dir,
      ["skills/*/SKILL.md", "skills/**/SKILL.md", "docs/c", "docs/*.md", "none/**/SKILL.md", "../x/SKILL.md"],
      "package 'p'",
    );
    assert.deepEqual(chosen.dirs, [join(dir, "skills/a"), join(dir, "docs/c")]);
    assert.deepEqual(chosen.warnings, [
      "package 'p': skills/bad/SKILL.md has missing or malformed front-matter; skipped",
      "package 'p': docs/README.md is not a SKILL.md file; skipped",
      "package 'p': skill pattern 'none/**/SKILL.md' matched no files",
      "package 'p': skill pattern '../x/SKILL.md' leaves the package directory; ignored",
    ]);
  });
});

Deno.test("skillPatterns reads a skills list, ignores absent blocks and rejects other shapes", () => {
  assert.deepEqual(skillPatterns({ skills: ["a/SKILL.md"] }), ["a/SKILL.md"]);
  assert.equal(skillPatterns(undefined), undefined);
  assert.equal(skillPatterns({ claude: true }), undefined);
  assert.deepEqual(skillPatterns({ skills: "SKILL.md" }), {
    invalid: "'skills' must be a list of glob patterns",
  });
});
