import assert from "node:assert/strict";
import { join } from "node:path";
import { addCommit } from "../../_helpers/git_fixture.ts";
import { runIvpm } from "../../_helpers/cli.ts";
import { makeSyncWorkspace, pushUpstream } from "../../_helpers/sync_workspace.ts";
import { cliEnv, readLockJson } from "../../_helpers/update_project.ts";

const env = cliEnv();

Deno.test("sync prints the transcript and summary line, and exits 1 with a conflict", async () => {
  const w = await makeSyncWorkspace({
    lib: { repo: { files: { "a.txt": "1\n" }, tags: ["v1"] } },
    clash: { repo: { files: { "a.txt": "1\n" } } },
    pinned: { sameRepoAs: "lib", entry: { tag: "v1" } },
    requests: { entry: { src: "pypi" } },
  });
  try {
    const tip = await pushUpstream(w.repos.lib, { "b.txt": "b\n" });
    await pushUpstream(w.repos.clash, { "a.txt": "theirs\n" });
    await addCommit(w.pkg("clash"), { "a.txt": "mine\n" });
    const r = await runIvpm(["sync", "-j", "1"], { cwd: w.project, env });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: sync stopped on merge conflicts in 1 package: clash$/m);
    const lines = r.stdout.split("\n");
    assert.deepEqual(lines.filter((l) => l.startsWith(">> ")), [">> clash", ">> lib", ">> pinned"]);
    assert.ok(
      lines.includes(`<< lib  ↑  synced  ${w.repos.lib.head.slice(0, 7)} → ${tip.slice(0, 7)} (1 commit)`),
      r.stdout,
    );
    assert.ok(lines.includes("<< pinned  —  skipped  pinned to tag v1"), r.stdout);
    assert.match(r.stdout, /^<< clash {2}✗ {2}conflict {2}merging origin\/main conflicts in 1 file\(s\)/m);
    assert.doesNotMatch(r.stdout, /requests/, "pypi rows are hidden");
    assert.ok(lines.includes("Sync: 1 synced · 1 conflict · 1 skipped · 1 pypi (hidden)"), r.stdout);
    assert.ok(lines.includes("Lock: commit_resolved updated for 1 package"), r.stdout);
    assert.doesNotMatch(r.stdout, /Attention/, "details only with -v");
    assert.equal((await readLockJson(w.project)).packages.lib.commit_resolved, tip);
  } finally {
    await w.dispose();
  }
});

Deno.test("sync -v lists files and next steps; -vv shows pypi rows; --dry-run says nothing changed", async () => {
  const w = await makeSyncWorkspace({
    clash: { repo: { files: { "a.txt": "1\n" } } },
    requests: { entry: { src: "pypi" } },
  });
  try {
    await pushUpstream(w.repos.clash, { "a.txt": "theirs\n" });
    await addCommit(w.pkg("clash"), { "a.txt": "mine\n" });
    const dry = await runIvpm(["sync", "-n", "-v"], { cwd: w.project, env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^<< clash {2}\? {2}dry:conflict/m);
    assert.match(
      dry.stdout,
      /^Attention:\n {2}clash: dry:conflict — diverged from origin\/main; merging would conflict\n {6}a\.txt$/m,
    );
    assert.match(dry.stdout, /\n\[dry-run — no changes made\]\n$/);

    const real = await runIvpm(["sync", "-vv"], { cwd: w.project, env });
    assert.equal(real.code, 1, real.stderr);
    assert.match(real.stdout, /^<< requests {2}— {2}skipped {2}pypi package/m);
    assert.match(real.stdout, /^ {4}next: cd packages\/clash && git merge origin\/main$/m);
    assert.match(real.stdout, /^Sync: 1 conflict · 1 skipped$/m);
  } finally {
    await w.dispose();
  }
});

Deno.test("sync exits 1 only when a package ends in error, naming it", async () => {
  const w = await makeSyncWorkspace({
    gone: { repo: { files: { "a.txt": "1\n" } } },
    fine: { repo: { files: { "a.txt": "1\n" } } },
  });
  try {
    await Deno.rename(w.repos.gone.bare, `${w.repos.gone.bare}.moved`);
    const r = await runIvpm(["sync"], { cwd: w.project, env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<< gone {2}! {2}error {2}git fetch failed: /m);
    assert.match(r.stdout, /^Sync: 1 up-to-date · 1 error$/m);
    assert.match(r.stderr, /^error: sync failed for 1 package: gone$/m);
    assert.match(r.stderr, /^hint: re-run with -v/m);
    assert.doesNotMatch(r.stderr, /\s+at /);
  } finally {
    await w.dispose();
  }
});

Deno.test("sync --json prints one document with every package; --summary appends a markdown table", async () => {
  const w = await makeSyncWorkspace({
    lib: { repo: { files: { "a.txt": "1\n" } } },
    requests: { entry: { src: "pypi" } },
  });
  try {
    const tip = await pushUpstream(w.repos.lib, { "b.txt": "b\n" });
    const summary = join(w.root, "step-summary.md");
    await Deno.writeTextFile(summary, "# earlier step\n");
    const r = await runIvpm(["sync", "--json", "--summary", summary], { cwd: w.project, env });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc).sort(), ["counts", "dryRun", "lockUpdated", "packages", "project"]);
    assert.equal(doc.dryRun, false);
    assert.equal(doc.lockUpdated, true);
    assert.deepEqual(doc.counts, { synced: 1, skipped: 1 });
    const lib = doc.packages.find((p: { name: string }) => p.name === "lib");
    assert.equal(lib.outcome, "synced");
    assert.equal(lib.after, tip);
    assert.equal(lib.branch, "main");
    assert.equal(lib.upstream, "origin/main");
    assert.equal(typeof lib.ms, "number");
    assert.equal(doc.packages.find((p: { name: string }) => p.name === "requests").outcome, "skipped");

    const md = await Deno.readTextFile(summary);
    assert.ok(md.startsWith("# earlier step\n### ivpm sync\n"), md);
    assert.match(md, /^\| \| Package \| Branch \| Outcome \| Details \|$/m);
    assert.match(
      md,
      new RegExp(
        `^\\| ↑ \\| lib \\| main \\| synced \\| ${w.repos.lib.head.slice(0, 7)} → ${tip.slice(0, 7)}`,
        "m",
      ),
    );
    assert.match(md, /^\*\*Sync: 1 synced · 1 pypi \(hidden\)\*\*$/m);
  } finally {
    await w.dispose();
  }
});

Deno.test("sync without a lock file says to run update first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ivpm-sync-nolock-" });
  try {
    await Deno.writeTextFile(join(dir, "ivpm.yaml"), "package:\n  name: p\n");
    const r = await runIvpm(["sync"], { cwd: dir, env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /package-lock\.json not found/);
    assert.match(r.stderr, /hint: run 'ivpm update' first/);
    const bad = await runIvpm(["sync", "--packages", " , "], { cwd: dir, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--packages needs at least one package name/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sync --json on a conflict writes exactly one JSON document, the failure a field of it", async () => {
  const w = await makeSyncWorkspace({ clash: { repo: { files: { "a.txt": "1\n" } } } });
  try {
    await pushUpstream(w.repos.clash, { "a.txt": "theirs\n" });
    await addCommit(w.pkg("clash"), { "a.txt": "mine\n" });
    const r = await runIvpm(["sync", "--json"], { cwd: w.project, env });
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout); // one document: a second one would make this throw
    assert.match(doc.error.message, /^sync stopped on merge conflicts in 1 package: clash$/);
    assert.equal(doc.error.exitCode, 1);
    assert.equal(doc.packages[0].outcome, "conflict");
    assert.match(r.stderr, /^error: sync stopped on merge conflicts/m);
  } finally {
    await w.dispose();
  }
});
