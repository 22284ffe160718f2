import assert from "node:assert/strict";
import { join } from "node:path";
import YAML from "yaml";
import { HandlerPhase, PackageHandler, type RootInfo } from "../../../core/plugin_api/mod.ts";
import { handlerMeta } from "../../../core/engine/registry.ts";
import { computeOrder } from "../../../core/engine/order.ts";
import { AgentsHandler } from "../../../plugins/agents/mod.ts";
import {
  agentsRegistry,
  agentsState,
  agentsTree,
  skillEntries,
  skillMd,
  updateWith,
  writeFile,
} from "../../_helpers/agents_fixture.ts";

Deno.test("dependency skills at the root and under skills/ become relative links; invalid ones are skipped with a warning", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await writeFile(join(t.src("uvm"), "skills/review/SKILL.md"), skillMd("review"));
    await writeFile(join(t.src("uvm"), "skills/lint/SKILL.md"), "---\nname: lint\n---\nno description\n");
    await writeFile(join(t.src("plain"), "README.md"), "no skills here\n");
    await t.project(["uvm", "plain"]);

    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.lines, [
      "warning: package 'uvm': skills/lint/SKILL.md front-matter lacks 'description'; skipped",
      "Populated .agents/skills/ with 2 skill(s) (symlinks)",
    ]);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), {
      uvm: "../../packages/uvm",
      "uvm-review": "../../packages/uvm/skills/review",
    });
    assert.equal(
      await Deno.readTextFile(join(t.proj, ".agents/skills/uvm-review/SKILL.md")),
      skillMd("review"),
    );
    assert.deepEqual(await agentsState(t.proj), {
      agents_skills: ["uvm", "uvm-review"],
      claude_skills: [],
      mode: "symlinks",
      created: [".agents", ".agents/skills"],
    });
    await assert.rejects(() => Deno.lstat(join(t.proj, ".claude")), Deno.errors.NotFound);
  } finally {
    await t.dispose();
  }
});

Deno.test("the consumer's agents.skills beats the package's own with.agents.skills, which beats the auto-probe", async () => {
  const t = await agentsTree();
  try {
    for (const name of ["multi", "multi2"]) {
      await writeFile(
        join(t.src(name), "ivpm.yaml"),
        YAML.stringify({
          package: {
            name,
            with: { agents: { skills: ["tools/*/SKILL.md"] } },
            "dep-sets": [{ name: "default", deps: [] }],
          },
        }),
      );
      await writeFile(join(t.src(name), "SKILL.md"), skillMd(name));
      await writeFile(join(t.src(name), "tools/a/SKILL.md"), skillMd("a"));
      await writeFile(join(t.src(name), "tools/b/SKILL.md"), skillMd("b"));
      await writeFile(join(t.src(name), "skills/c/SKILL.md"), skillMd("c"));
    }
    await t.project(["multi", { name: "multi2", agents: { skills: ["SKILL.md", "missing/SKILL.md"] } }]);

    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.lines, [
      "warning: package 'multi2': skill pattern 'missing/SKILL.md' matched no files",
      "Populated .agents/skills/ with 3 skill(s) (symlinks)",
    ]);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), {
      "multi-a": "../../packages/multi/tools/a",
      "multi-b": "../../packages/multi/tools/b",
      multi2: "../../packages/multi2",
    });
  } finally {
    await t.dispose();
  }
});

Deno.test("names collide across packages and the project: golden names", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("lib"), "skills/review/SKILL.md"), skillMd("review"));
    await writeFile(join(t.src("lib-review"), "SKILL.md"), skillMd("lib-review"));
    await writeFile(join(t.src("x"), "SKILL.md"), skillMd("x"));
    await writeFile(join(t.proj, "x/SKILL.md"), skillMd("project-x"));
    await writeFile(join(t.proj, "skills/review/SKILL.md"), skillMd("project-review"));
    await t.project(["x", "lib-review", "lib"], { agents: { skills: ["x/SKILL.md", "skills/**/SKILL.md"] } });

    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), {
      "lib-review": "../../packages/lib-review",
      "lib-skills-review": "../../packages/lib/skills/review",
      review: "../../skills/review",
      x: "../../packages/x",
      "x-2": "../../x",
    });
    assert.equal(await Deno.readTextFile(join(t.proj, ".agents/skills/x-2/SKILL.md")), skillMd("project-x"));
  } finally {
    await t.dispose();
  }
});

Deno.test("a project SKILL.md at the root is named after the project directory", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.proj, "SKILL.md"), skillMd("proj"));
    await writeFile(join(t.proj, "skills/deep/er/SKILL.md"), skillMd("deeper"));
    await t.project([]);
    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.lines, ["Populated .agents/skills/ with 2 skill(s) (symlinks)"]);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), {
      er: "../../skills/deep/er",
      proj: "../..",
    });
  } finally {
    await t.dispose();
  }
});

Deno.test(".claude/skills mirrors .agents/skills when .claude exists or claude: true, never with claude: false", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    await writeFile(join(t.proj, ".claude/settings.json"), "{}\n");
    await t.project(["uvm"]);
    await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(await skillEntries(join(t.proj, ".claude/skills")), { uvm: "../../packages/uvm" });
    assert.deepEqual((await agentsState(t.proj))?.created, [".agents", ".agents/skills", ".claude/skills"]);

    // claude: false wins over an existing .claude/: the mirror (and the dir ivpm made) go away.
    await t.project(["uvm"], { agents: { claude: false } });
    await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(await skillEntries(join(t.proj, ".claude")), { "settings.json": "file" });
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), { uvm: "../../packages/uvm" });
    assert.deepEqual(await agentsState(t.proj), {
      agents_skills: ["uvm"],
      claude_skills: [],
      mode: "symlinks",
      created: [".agents", ".agents/skills"],
    });

    // claude: true creates .claude/ when it is missing.
    await Deno.remove(join(t.proj, ".claude"), { recursive: true });
    await t.project(["uvm"], { agents: { claude: true } });
    await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(await skillEntries(join(t.proj, ".claude/skills")), { uvm: "../../packages/uvm" });
    assert.deepEqual((await agentsState(t.proj))?.created, [
      ".agents",
      ".agents/skills",
      ".claude",
      ".claude/skills",
    ]);
  } finally {
    await t.dispose();
  }
});

/** Stands in for the python handler: publishes skill directories of entry points. */
class FakePython extends PackageHandler {
  static override name = "python";
  static override phase = HandlerPhase.INSTALL;
  static dirs: unknown[] = [];
  override onRootPostLoad(info: RootInfo): void {
    info.exchange.pythonSkillDirs = FakePython.dirs;
  }
}

Deno.test("skill dirs the python handler publishes are linked (absolute outside the project), checked and deduplicated", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("uvm"), "SKILL.md"), skillMd("uvm"));
    const site = join(t.root, "venv-site");
    await writeFile(join(site, "pss/SKILL.md"), skillMd("pss"));
    await writeFile(join(site, "tool-data/SKILL.md"), skillMd("tool"));
    await writeFile(join(site, "broken/SKILL.md"), "not a skill\n");
    FakePython.dirs = [
      join(site, "pss"),
      { name: "tool", dir: join(site, "tool-data") },
      join(site, "broken"),
      { name: "uvm-ep", dir: t.src("uvm") }, // the dependency's own dir, reached through its real path
      "relative/ignored",
    ];
    await t.project(["uvm"]);

    const r = await updateWith(t.proj, agentsRegistry([FakePython]));
    assert.deepEqual(r.result.handlersRun, ["python", "agents"]);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.lines, [
      `warning: python entry point 'broken': ${
        join(site, "broken/SKILL.md")
      } has missing or malformed front-matter; skipped`,
      "Populated .agents/skills/ with 3 skill(s) (symlinks)",
    ]);
    assert.deepEqual(await skillEntries(join(t.proj, ".agents/skills")), {
      pss: join(site, "pss"),
      tool: join(site, "tool-data"),
      uvm: "../../packages/uvm",
    });
  } finally {
    FakePython.dirs = [];
    await t.dispose();
  }
});

Deno.test("nothing to link creates no directory and no state", async () => {
  const t = await agentsTree();
  try {
    await writeFile(join(t.src("plain"), "README.md"), "x\n");
    await t.project(["plain"]);
    const r = await updateWith(t.proj, agentsRegistry());
    assert.deepEqual(r.lines, []);
    await assert.rejects(() => Deno.lstat(join(t.proj, ".agents")), Deno.errors.NotFound);
    assert.equal(await agentsState(t.proj), undefined);
  } finally {
    await t.dispose();
  }
});

Deno.test("with.agents is validated: an unknown key fails the update with a suggestion", async () => {
  const t = await agentsTree();
  try {
    await t.project([], { agents: { clade: true } });
    await assert.rejects(() => updateWith(t.proj, agentsRegistry()), /clade.*did you mean 'claude'/s);
  } finally {
    await t.dispose();
  }
});

Deno.test("agents runs in the integrate phase after python and before node", () => {
  class Node extends PackageHandler {
    static override name = "node";
    static override phase = HandlerPhase.INTEGRATE;
  }
  assert.equal(handlerMeta(AgentsHandler, "built-in").phase, "integrate");
  const order = computeOrder([AgentsHandler, Node, FakePython].map((c) => handlerMeta(c, "built-in")));
  assert.deepEqual(order.order, ["python", "agents", "node"]);
  assert.deepEqual(order.warnings, []);
  assert.deepEqual(computeOrder([handlerMeta(AgentsHandler, "built-in")]).warnings, [
    "handler 'agents': runAfter 'python' is not installed; constraint ignored",
  ]);
});
