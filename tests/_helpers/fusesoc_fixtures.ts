/**
 * FuseSoC fixtures for tests: CAPI=2 core texts, a fake fusesoc-cores index (a
 * real bare git repository) whose github providers point at local bare
 * repositories through `IVPM_FUSESOC_GITHUB_BASE`, and a provider repository
 * with version tags on distinct commits.
 *
 * @module
 */

import { join } from "node:path";
import { addCommit, fixtureGit, makeRepo } from "./git_fixture.ts";

/** Text of a CAPI=2 core named `vlnv`, with an optional `provider:` block (YAML lines, unindented). */
export function capi2Core(vlnv: string, provider?: Record<string, string>): string {
  const lines = ["CAPI=2:", `name: ${vlnv}`, "description: test core", ""];
  if (provider) {
    lines.push("provider:");
    for (const [k, v] of Object.entries(provider)) lines.push(`  ${k}: ${v}`);
    lines.push("");
  }
  lines.push("filesets:", "  rtl:", "    files: [rtl.v]", "    file_type: verilogSource", "");
  lines.push("targets:", "  default:", "    filesets: [rtl]", "");
  return lines.join("\n");
}

/** The `blinky` provider repository: tags v1.0 and v1.1 on their own commits, main ahead of both. */
export interface BlinkyRepo {
  /** Bare repository, at `<githubBase>/acme/blinky.git`. */
  bare: string;
  /** Commits the tags point at. */
  v10: string;
  v11: string;
  /** Tip of main (not tagged). */
  main: string;
}

/**
 * Creates `githubBase/acme/blinky.git`: `v1.0` has `rtl.v` "// blinky 1.0" and no
 * core (so the catalog's is added), `v1.1` adds its own `blinky.core`
 * (`::blinky:1.1`), main changes `rtl.v` to "// blinky main".
 */
export async function makeBlinkyRepo(githubBase: string): Promise<BlinkyRepo> {
  const owner = join(githubBase, "acme");
  const repo = await makeRepo(owner, "blinky", { files: { "rtl.v": "// blinky 1.0\n" }, tags: ["v1.0"] });
  const v11 = await addCommit(repo.path, {
    "rtl.v": "// blinky 1.1\n",
    "blinky.core": capi2Core("::blinky:1.1"),
  }, { message: "1.1" });
  await fixtureGit(repo.path, "tag", "-a", "v1.1", "-m", "release 1.1");
  const main = await addCommit(repo.path, { "rtl.v": "// blinky main\n" }, { message: "main" });
  await fixtureGit(repo.path, "push", "-q", "--tags", "origin", "main");
  return { bare: repo.bare, v10: repo.first, v11, main };
}

/** Creates the index repository `root/fusesoc-cores(.git)` holding `cores` (path → text). */
export async function makeIndexRepo(
  root: string,
  cores: Record<string, string>,
): Promise<{ url: string; path: string }> {
  const repo = await makeRepo(root, "fusesoc-cores", { files: { "README.md": "test index\n", ...cores } });
  return { url: repo.url, path: repo.path };
}
