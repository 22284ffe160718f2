/**
 * Trust round 3, item 2: what ivpm reads back from `packages/ivpm.json` is untrusted. A remembered
 * parse of ivpm.yaml edited behind ivpm's back (by hand, or by a program racing the update) is not
 * obeyed, and handler state naming paths outside what the handler writes makes destroy remove nothing
 * of them.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { runDestroy } from "../../core/update/destroy.ts";
import { runUpdate } from "../../core/update/update.ts";
import { backdate, writeTree } from "../_helpers/temp.ts";
import { depSets, exists, tempRoot, writeIvpmYaml } from "../_helpers/update_project.ts";

async function project(root: string): Promise<string> {
  await writeTree(join(root, "src", "ip"), { "README": "ip\n" });
  const proj = await writeIvpmYaml(join(root, "proj"), {
    name: "proj",
    "dep-sets": depSets({ default: [{ name: "ip", src: "dir", url: join(root, "src", "ip") }] }),
  });
  // An old mtime: the stamp of ivpm.yaml is then stable across the runs below.
  await backdate(join(proj, "ivpm.yaml"));
  return proj;
}

async function editState(proj: string, edit: (state: Record<string, unknown>) => void): Promise<void> {
  const file = join(proj, "packages", "ivpm.json");
  const state = JSON.parse(await Deno.readTextFile(file));
  edit(state);
  await Deno.writeTextFile(file, JSON.stringify(state, null, 2));
}

Deno.test("a remembered parse of ivpm.yaml edited in ivpm.json is ignored: the next update re-reads ivpm.yaml", async () => {
  const t = await tempRoot("ivpm-state-");
  try {
    const proj = await project(t.path);
    await runUpdate({ projectDir: proj, cacheDir: null });
    const evil = join(t.path, "evil");
    await writeTree(evil, { "README": "evil\n" });
    await editState(proj, (state) => {
      const root = state.root as {
        seal: string;
        value: { config: { depSets: { deps: { url: string }[] }[] } };
      };
      assert.equal(typeof root.seal, "string", "the remembered parse is sealed");
      root.value.config.depSets[0].deps[0].url = evil;
    });
    const notes: string[] = [];
    await runUpdate({
      projectDir: proj,
      cacheDir: null,
      reporter: { diagnostic: (d) => void notes.push(d.message) },
    });
    assert.ok(notes.some((n) => /ignoring the remembered 'root' section/.test(n)), notes.join("\n"));
    assert.equal(await Deno.realPath(join(proj, "packages", "ip")), join(t.path, "src", "ip"));
    assert.doesNotMatch(await Deno.readTextFile(join(proj, "packages", "package-lock.json")), /evil/);

    // A section without its seal (as an older ivpm wrote it) is not obeyed either.
    await editState(proj, (state) => {
      const root = state.root as { value: { config: { depSets: { deps: { url: string }[] }[] } } };
      root.value.config.depSets[0].deps[0].url = evil;
      state.root = root.value;
    });
    await runUpdate({ projectDir: proj, cacheDir: null });
    assert.equal(await Deno.realPath(join(proj, "packages", "ip")), join(t.path, "src", "ip"));
  } finally {
    await t.dispose();
  }
});

Deno.test("destroy removes only files a handler writes, whatever its state in ivpm.json names", async () => {
  const t = await tempRoot("ivpm-state-");
  try {
    const proj = await project(t.path);
    await runUpdate({ projectDir: proj, cacheDir: null });
    const victim = join(t.path, "victim");
    await writeTree(victim, { "work.txt": "precious\n" });
    await editState(proj, (state) => {
      state.handlers = {
        ...(state.handlers as Record<string, unknown> ?? {}),
        python: { windowsFiles: ["../../victim", "packages_activate.bat"], files: ["../../victim"] },
      };
    });
    await runDestroy({ projectDir: proj });
    assert.equal(await Deno.readTextFile(join(victim, "work.txt")), "precious\n");
    assert.equal(await exists(join(proj, "packages")), false);
  } finally {
    await t.dispose();
  }
});
