// deno-lint-ignore-file no-control-regex -- these tests assert on terminal escape sequences
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeRepo } from "../../_helpers/git_fixture.ts";
import { runIvpm } from "../../_helpers/cli.ts";

async function project() {
  const root = await Deno.makeTempDir({ prefix: "ivpm-out-" });
  const a = await makeRepo(root, "a", { files: { "f.txt": "a\n" } });
  const b = await makeRepo(root, "b", { files: { "f.txt": "b\n" } });
  const dir = join(root, "proj");
  await Deno.mkdir(dir);
  await Deno.writeTextFile(
    join(dir, "ivpm.yaml"),
    `package:\n  name: proj\n  dep-sets:\n    - name: default\n      deps:\n` +
      `        - name: a\n          url: ${a.url}\n        - name: b\n          url: ${b.url}\n` +
      `        - name: tool\n          src: pypi\n`,
  );
  return { dir, cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("update --json prints one event per line and a final summary, nothing else on stdout", async () => {
  const p = await project();
  try {
    const r = await runIvpm(["update", "-a", "--skip-py-install", "--json"], {
      cwd: p.dir,
      env: { IVPM_CACHE: "" },
    });
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const starts = events.filter((e) => e.type === "package-start").map((e) => e.name).sort();
    const done = events.filter((e) => e.type === "package-complete");
    assert.deepEqual(starts, ["a", "b", "tool"]);
    assert.deepEqual(done.map((e) => e.name).sort(), ["a", "b", "tool"]);
    assert.equal(done.find((e) => e.name === "a").status, "fetched");
    const last = events.at(-1);
    assert.equal(last.type, "update-complete");
    assert.equal(last.packages.length, 3);
  } finally {
    await p.cleanup();
  }
});

Deno.test("update output without a terminal is plain lines with no escape codes", async () => {
  const p = await project();
  try {
    const r = await runIvpm(["update", "-a", "--skip-py-install"], { cwd: p.dir, env: { IVPM_CACHE: "" } });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /\x1b\[/);
    assert.match(r.stderr, /^<< a \(\d+\.\ds\) [0-9a-f]{7}$/m);
    assert.match(r.stderr, /Updated 3 packages \(2 fetched, 0 up to date, 1 for handlers\)/);
    const again = await runIvpm(["update", "-a", "--skip-py-install"], {
      cwd: p.dir,
      env: { IVPM_CACHE: "" },
    });
    assert.match(again.stderr, /Updated 3 packages \(0 fetched, 2 up to date, 1 for handlers\)/);
  } finally {
    await p.cleanup();
  }
});

Deno.test("on a terminal, update shows a live status line and clears it at the end", async () => {
  const p = await project();
  try {
    const { ivpmCommandArgs } = await import("../../_helpers/cli.ts");
    const cmd = [Deno.execPath(), ...ivpmCommandArgs(["update", "-a", "--skip-py-install"])].map((a) =>
      `'${a}'`
    ).join(" ");
    // `script` gives the child a real pseudo-terminal.
    const r = await new Deno.Command("script", {
      args: ["-qec", cmd, "/dev/null"],
      cwd: p.dir,
      env: { IVPM_CACHE: "", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, text);
    assert.match(text, /\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \d+ landed/);
    assert.match(text, /Updated 3 packages/);
    // The status line is cleared before the summary is printed.
    assert.match(text, /\r\x1b\[2KUpdated 3 packages/);
  } finally {
    await p.cleanup();
  }
});
