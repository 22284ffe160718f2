/**
 * The benchmark's workspace: N bare git repositories and a root project whose
 * ivpm.yaml declares them. About one repository in ten carries an ivpm.yaml of
 * its own declaring 1–3 others (a few of those nest once more), so the resolver
 * has to descend; the root declares every repository nobody else declares, so
 * the graph holds exactly N packages.
 *
 * Repositories are written with one `git fast-import` each (two processes per
 * repository instead of the five or so of init/add/commit/clone --bare).
 *
 * @module
 */

import { join } from "node:path";
import { pool } from "./pool.ts";

/** The generated workspace. */
export interface BenchSet {
  /** Directory holding the bare repositories. */
  reposDir: string;
  /** The root project (its ivpm.yaml declares the top-level packages). */
  projectDir: string;
  /** `file://` URL of every repository, by package name, in creation order. */
  urls: Map<string, string>;
  /** Packages that declare dependencies of their own. */
  parents: number;
  /** Packages declared by another package rather than by the root. */
  nested: number;
}

const encoder = new TextEncoder();

/** Package name of repository `i` (zero-padded so names sort like indices). */
export function pkgName(i: number): string {
  return `p${String(i).padStart(4, "0")}`;
}

/** Who declares whom: parent index → child indices (children never appear in the root). */
export function nestingPlan(n: number): Map<number, number[]> {
  const plan = new Map<number, number[]>();
  for (let i = 0; i + 4 < n; i += 10) {
    const k = 1 + ((i / 10) % 3); // 1, 2 or 3 children: i+1 .. i+k
    plan.set(i, Array.from({ length: k }, (_, j) => i + 1 + j));
    // Every fifth parent's first child declares one more (depth 2): i+5 is never anyone else's child.
    if ((i / 10) % 5 === 0 && i + 5 < n) plan.set(i + 1, [i + 5]);
  }
  return plan;
}

/** One dependency entry of an ivpm.yaml. */
function depYaml(name: string, url: string): string {
  return `        - name: ${name}\n          src: git\n          url: ${url}\n`;
}

/** An ivpm.yaml declaring `deps` in dep-set `default`. */
function ivpmYaml(name: string, deps: [string, string][]): string {
  return `package:\n  name: ${name}\n  dep-sets:\n    - name: default\n      deps:\n` +
    deps.map(([n, u]) => depYaml(n, u)).join("");
}

/** The fast-import stream of a one-commit repository holding `files`. */
function importStream(name: string, files: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  const data = (s: string) => `data ${encoder.encode(s).length}\n${s}\n`;
  parts.push("commit refs/heads/main\n");
  parts.push("committer ivpm bench <bench@ivpm.invalid> 1700000000 +0000\n");
  parts.push(data(`initial ${name}`));
  for (const [path, content] of Object.entries(files)) {
    parts.push(`M 100644 inline ${path}\n`, data(content));
  }
  parts.push("done\n");
  return encoder.encode(parts.join(""));
}

/** Files of repository `name`: a handful of small sources, like a typical IP/library repo. */
function repoFiles(name: string): Record<string, string> {
  const body = Array.from({ length: 40 }, (_, i) => `int ${name}_f${i}(int x) { return x * ${i} + 1; }\n`)
    .join("");
  return {
    "README.md": `# ${name}\n\nBenchmark package ${name}.\n`,
    [`src/${name}.c`]: `#include "${name}.h"\n${body}`,
    [`include/${name}.h`]: `#pragma once\nint ${name}_f0(int x);\n`,
    "LICENSE": "Apache-2.0\n",
  };
}

async function run(cmd: string, args: string[], stdin?: Uint8Array): Promise<void> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin ? "piped" : "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Creates the N repositories and the root project under `root`. */
export async function makeBenchSet(root: string, n: number, jobs: number): Promise<BenchSet> {
  const reposDir = join(root, "repos");
  const projectDir = join(root, "project");
  await Deno.mkdir(reposDir, { recursive: true });
  await Deno.mkdir(projectDir, { recursive: true });
  const plan = nestingPlan(n);
  const urls = new Map<string, string>();
  for (let i = 0; i < n; i++) urls.set(pkgName(i), `file://${join(reposDir, `${pkgName(i)}.git`)}`);
  const entry = (i: number): [string, string] => [pkgName(i), urls.get(pkgName(i))!];

  await pool(Array.from({ length: n }, (_, i) => i), jobs * 2, async (i) => {
    const name = pkgName(i);
    const bare = join(reposDir, `${name}.git`);
    const files = repoFiles(name);
    const children = plan.get(i);
    if (children) files["ivpm.yaml"] = ivpmYaml(name, children.map(entry));
    await run("git", ["-c", "init.defaultBranch=main", "init", "-q", "--bare", bare]);
    await run("git", ["--git-dir", bare, "fast-import", "--quiet"], importStream(name, files));
  });

  const nestedSet = new Set([...plan.values()].flat());
  const top = Array.from({ length: n }, (_, i) => i).filter((i) => !nestedSet.has(i));
  await Deno.writeTextFile(join(projectDir, "ivpm.yaml"), ivpmYaml("bench-root", top.map(entry)));
  return { reposDir, projectDir, urls, parents: plan.size, nested: nestedSet.size };
}
