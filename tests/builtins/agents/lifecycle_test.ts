import assert from "node:assert/strict";
import { join } from "node:path";
import { FORCE_COPY_ENV } from "../../../plugins/agents/mod.ts";
import {
  agentsRegistry,
  agentsState,
  agentsTree,
  destroyWith,
  skillEntries,
  skillMd,
  updateWith,
  writeFile,
} from "../../_helpers/agents_fixture.ts";
import { backdateTree } from "../../_helpers/temp.ts";

/** Identity of every entry of a directory (and of the directory): a re-created entry differs. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const id = (st: Deno.FileInfo) => `${st.ino}:${st.mtime?.getTime()}`;
  const out: Record<string, string> = { ".": id(await Deno.lstat(dir)) };
  for await (const e of Deno.readDir(dir)) out[e.name] = id(await Deno.lstat(join(dir, e.name)));
  return out;
}

Deno.test("a second update changes nothing: same entries, same inodes and mtimes, same state", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await writeFile(join(t.src("uvm"), "skills/review/SKILL.md"), skillMd("review"));
    await writeFile(join(t.proj, "skills/local/SKILL.md"), skillMd("local"));
    await writeFile(join(t.proj, ".claude/settings.json"), "{}\n");
    await t.project(["uvm"]);
    await updateWith(t.proj, agentsRegistry());
    // Backdated, anything re-created (or any entry added to a directory) shows a different mtime.
    await backdateTree(join(t.proj, ".agents/skills"));
    await backdateTree(join(t.proj, ".claude/skills"));
    const before = {
      agents: await snapshot(join(t.proj, ".agents/skills")),
      claude: await snapshot(join(t.proj, ".claude/skills")),
      state: await agentsState(t.proj),
    };
    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.lines, ["Populated .agents/skills/ with 3 skill(s) (symlinks)"]);
    assert.deepEqual({
      agents: await snapshot(join(t.proj, ".agents/skills")),
      claude: await snapshot(join(t.proj, ".claude/skills")),
      state: await agentsState(t.proj),
    }, before);
  } finally {
    await t.dispose();
  }
});

Deno.test("entries of a removed package are cleaned up on the next update; the rest stay untouched", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await writeFile(join(t.src("lib"), "skills/a/SKILL.md"), skillMd("a"));
    await t.project(["uvm", "lib"]);
    await updateWith(t.proj, agentsRegistry());
    const skills = join(t.proj, ".agents/skills");
    assert.deepEqual(Object.keys(await skillEntries(skills)), ["lib-a", "uvm"]);
    await backdateTree(skills);
    const uvmBefore = (await snapshot(skills)).uvm;

    await t.project(["uvm"]);
    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.lines, ["Populated .agents/skills/ with 1 skill(s) (symlinks)"]);
    assert.deepEqual(await skillEntries(skills), { uvm: "../../packages/uvm" });
    assert.equal((await snapshot(skills)).uvm, uvmBefore);
    assert.deepEqual((await agentsState(t.proj))?.agents_skills, ["uvm"]);

    // The last skill goes: the directories ivpm created go too, unless they hold something else.
    await Deno.symlink("/tmp", join(skills, "mine"));
    await t.project([]);
    await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(await skillEntries(skills), { mine: "/tmp" });
    assert.deepEqual(await agentsState(t.proj), {
      agents_skills: [],
      claude_skills: [],
      created: [".agents", ".agents/skills"],
    });
    await Deno.remove(join(skills, "mine"));
    await updateWith(t.proj, agentsRegistry());
    await assert.rejects(() => Deno.lstat(join(t.proj, ".agents")), Deno.errors.NotFound);
    assert.equal(await agentsState(t.proj), undefined);
  } finally {
    await t.dispose();
  }
});

Deno.test("state written by the Python original (no mode) is honoured: its links and copies are removed", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await t.project(["uvm"]);
    await updateWith(t.proj, agentsRegistry());
    const skills = join(t.proj, ".agents/skills");
    await writeFile(join(skills, "old-copy/SKILL.md"), skillMd("old"));
    await Deno.symlink("../../packages/uvm", join(skills, "old-link"));
    const file = join(t.proj, "packages/ivpm.json");
    const j = JSON.parse(await Deno.readTextFile(file));
    j.handlers.agents = { agents_skills: ["old-copy", "old-link", "uvm"], claude_skills: ["old-copy"] };
    await Deno.writeTextFile(file, JSON.stringify(j));

    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.lines, ["Populated .agents/skills/ with 1 skill(s) (symlinks)"]);
    assert.deepEqual(await skillEntries(skills), { uvm: "../../packages/uvm" });
  } finally {
    await t.dispose();
  }
});

Deno.test("entries ivpm did not make are left alone with a warning; a link into the deps dir is replaced", async () => {
  const t = await agentsTree();
  try {
    for (const n of ["lib", "uvm", "x"]) await writeFile(join(t.src(n), "SKILL.md"), skillMd(n));
    await t.project(["lib", "uvm", "x"]);
    const skills = join(t.proj, ".agents/skills");
    await Deno.mkdir(join(t.proj, "elsewhere"));
    await writeFile(join(skills, "lib"), "user file\n");
    await Deno.symlink("../../elsewhere", join(skills, "uvm"));
    await Deno.symlink("../../packages/lib", join(skills, "x"));

    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.lines, [
      "warning: .agents/skills/lib exists and is not a symlink; skipped",
      `warning: .agents/skills/uvm is a symlink to ${join(t.proj, "elsewhere")}, not to ${
        join(t.proj, "packages/uvm")
      }; left as is`,
      "Populated .agents/skills/ with 1 skill(s) (symlinks)",
    ]);
    assert.deepEqual(await skillEntries(skills), {
      lib: "file",
      uvm: "../../elsewhere",
      x: "../../packages/x",
    });
    assert.deepEqual(await agentsState(t.proj), {
      agents_skills: ["x"],
      claude_skills: [],
      mode: "symlinks",
      created: [],
    });

    const d = await destroyWith(t.proj, agentsRegistry());
    assert.deepEqual(d.handlers.find((h) => h.handler === "agents")?.paths, [join(skills, "x")]);
    assert.deepEqual(await skillEntries(skills), { lib: "file", uvm: "../../elsewhere" });
  } finally {
    await t.dispose();
  }
});

Deno.test("copy fallback: SKILL.md, scripts/, references/ and assets/ are copied, kept when current, refreshed when not", async () => {
  const t = await agentsTree();
  const env = { ...Deno.env.toObject(), [FORCE_COPY_ENV]: "1" };
  try {
    const uvm = t.src("uvm");
    await writeFile(join(uvm, "SKILL.md"), skillMd("uvm"));
    await writeFile(join(uvm, "scripts/run.sh"), "echo run\n");
    await writeFile(join(uvm, "references/api.md"), "api\n");
    await writeFile(join(uvm, "assets/img/logo.txt"), "logo\n");
    await writeFile(join(uvm, "notes.txt"), "not copied\n");
    await writeFile(join(t.src("lib"), "SKILL.md"), skillMd("lib"));
    await writeFile(join(t.proj, ".agents/skills/lib/SKILL.md"), "the user's own\n");
    await Deno.mkdir(join(t.proj, ".claude"));
    await t.project(["uvm", "lib"]);

    const r = await updateWith(t.proj, agentsRegistry(), env);
    assert.deepEqual(r.lines, [
      "warning: .agents/skills/lib already exists; skipped",
      "Populated .agents/skills/ with 1 skill(s) (copies)",
    ]);
    for (const base of [".agents/skills/uvm", ".claude/skills/uvm"]) {
      const dest = join(t.proj, base);
      assert.deepEqual(await skillEntries(dest), {
        "SKILL.md": "file",
        assets: "dir",
        references: "dir",
        scripts: "dir",
      });
      assert.equal(await Deno.readTextFile(join(dest, "assets/img/logo.txt")), "logo\n");
      assert.equal(await Deno.readTextFile(join(dest, "scripts/run.sh")), "echo run\n");
    }
    assert.deepEqual(await skillEntries(join(t.proj, ".claude/skills")), { lib: "dir", uvm: "dir" });
    assert.equal(await Deno.readTextFile(join(t.proj, ".agents/skills/lib/SKILL.md")), "the user's own\n");
    assert.deepEqual(await agentsState(t.proj), {
      agents_skills: ["uvm"],
      claude_skills: ["lib", "uvm"],
      mode: "copies",
      created: [".claude/skills"],
    });

    const copied = join(t.proj, ".agents/skills/uvm/SKILL.md");
    await backdateTree(join(t.proj, ".agents/skills/uvm"));
    const before = await snapshot(join(t.proj, ".agents/skills/uvm"));
    const fileBefore = (await Deno.lstat(copied)).mtime?.getTime();
    await updateWith(t.proj, agentsRegistry(), env);
    assert.deepEqual(await snapshot(join(t.proj, ".agents/skills/uvm")), before);
    assert.equal((await Deno.lstat(copied)).mtime?.getTime(), fileBefore);

    await Deno.writeTextFile(join(uvm, "SKILL.md"), skillMd("uvm", "changed"));
    await Deno.remove(join(uvm, "references"), { recursive: true });
    await updateWith(t.proj, agentsRegistry(), env);
    assert.equal(await Deno.readTextFile(copied), skillMd("uvm", "changed"));
    assert.deepEqual(Object.keys(await skillEntries(join(t.proj, ".agents/skills/uvm"))), [
      "SKILL.md",
      "assets",
      "scripts",
    ]);

    const d = await destroyWith(t.proj, agentsRegistry());
    assert.deepEqual(d.handlers.find((h) => h.handler === "agents")?.paths, [
      join(t.proj, ".agents/skills/uvm"),
      join(t.proj, ".claude/skills/lib"),
      join(t.proj, ".claude/skills/uvm"),
      join(t.proj, ".claude/skills"),
    ]);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), { lib: "dir" });
    assert.deepEqual(await skillEntries(join(t.proj, ".claude")), {});
    assert.equal(await Deno.readTextFile(join(uvm, "notes.txt")), "not copied\n");
  } finally {
    await t.dispose();
  }
});

Deno.test("destroy removes exactly the entries and directories ivpm created; dry run only reports them", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await writeFile(join(t.src("uvm"), "skills/review/SKILL.md"), skillMd("review"));
    await writeFile(join(t.proj, ".claude/settings.json"), "{}\n");
    await t.project(["uvm"]);
    await updateWith(t.proj, agentsRegistry());
    await Deno.symlink("../../mine", join(t.proj, ".agents/skills/mine"));

    const expected = [
      join(t.proj, ".agents/skills/uvm"),
      join(t.proj, ".agents/skills/uvm-review"),
      join(t.proj, ".claude/skills/uvm"),
      join(t.proj, ".claude/skills/uvm-review"),
      join(t.proj, ".claude/skills"),
    ];
    const dry = await destroyWith(t.proj, agentsRegistry(), true);
    assert.deepEqual(dry.handlers.find((h) => h.handler === "agents")?.paths, expected);
    assert.deepEqual(Object.keys(await skillEntries(join(t.proj, ".agents/skills"))), [
      "mine",
      "uvm",
      "uvm-review",
    ]);
    assert.deepEqual(Object.keys(await skillEntries(join(t.proj, ".claude/skills"))), ["uvm", "uvm-review"]);

    const done = await destroyWith(t.proj, agentsRegistry());
    assert.deepEqual(done.handlers.find((h) => h.handler === "agents")?.paths, expected);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), { mine: "../../mine" });
    assert.deepEqual(await skillEntries(join(t.proj, ".claude")), { "settings.json": "file" });
    assert.ok(
      await Deno.stat(join(t.src("uvm"), "skills/review/SKILL.md")),
      "the package source is untouched",
    );

    // And back: a fresh update recreates everything.
    const again = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(again.lines, ["Populated .agents/skills/ with 2 skill(s) (symlinks)"]);
    assert.deepEqual(Object.keys(await skillEntries(join(t.proj, ".claude/skills"))), ["uvm", "uvm-review"]);
  } finally {
    await t.dispose();
  }
});
