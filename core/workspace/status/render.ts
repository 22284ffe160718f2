/**
 * Plain rendering of `ivpm status`, laid out as the original IVPM's: one row per
 * package, changed files under it with `-v`, then a summary line.
 *
 * ```
 *   ✎  bybranch                        dev                        4c77272  modified   upstream:=
 *          M f.txt
 *   ✓  bytag                           tag:v1                     3f4d8f8  clean      upstream:?
 *   ~  somedata                        (dir)  (auto: worktree)
 *
 * 3 package(s) · 2 git (1 clean, 1 modified) · 1 non-VCS
 * ```
 *
 * @module
 */

import type { PackageStatusInfo } from "./status.ts";

/** Colouring applied to markers (identity functions for plain text). */
export interface StatusPalette {
  green(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  dim(s: string): string;
}

const PLAIN: StatusPalette = { green: (s) => s, yellow: (s) => s, red: (s) => s, dim: (s) => s };

/** Options of {@link renderStatus}. */
export interface RenderStatusOptions {
  /** 1: list changed files under each package; 2: also show pypi rows. */
  verbose?: number;
  palette?: StatusPalette;
}

/** Sources whose rows are hidden unless `-vv` (there are usually many, and they have no directory). */
const HIDDEN_SOURCES = new Set(["pypi"]);

/**
 * The branch column: `tag:<t>` > branch > `(detached @ <sha>)` > `(unknown)`; a
 * branch whose tip is tagged shows both (`main (tag:v1)`): the branch is what
 * `sync` works on, so it is never hidden.
 */
export function branchLabel(r: PackageStatusInfo): string {
  if (r.error) return `(${r.error})`;
  if (r.branch) return r.tag ? `${r.branch} (tag:${r.tag})` : r.branch;
  if (r.tag) return `tag:${r.tag}`;
  if (r.commit) return `(detached @ ${r.commit.slice(0, 7)})`;
  return "(unknown)";
}

/** The upstream column: `upstream:=`, `↑a ↓b`, or `upstream:?` without an upstream. */
export function upstreamLabel(r: PackageStatusInfo): string {
  if (r.ahead === undefined || r.behind === undefined) return "upstream:?";
  if (r.ahead === 0 && r.behind === 0) return "upstream:=";
  return `↑${r.ahead} ↓${r.behind}`;
}

function provenance(r: PackageStatusInfo): string {
  if (!r.fromDepsSource) return "";
  return r.depsSourceAuto ? "  (auto: worktree)" : "  (deps-source)";
}

/** Renders the status rows and the summary line. */
export function renderStatus(rows: PackageStatusInfo[], opts: RenderStatusOptions = {}): string[] {
  const verbose = opts.verbose ?? 0;
  const p = opts.palette ?? PLAIN;
  const lines: string[] = [];
  let git = 0, clean = 0, modified = 0, gitMissing = 0, nonVcs = 0, otherMissing = 0, hidden = 0, offLock = 0;
  for (const r of rows) {
    if (HIDDEN_SOURCES.has(r.src)) {
      hidden++;
      if (verbose < 2) continue;
    }
    if (r.vcs === "git") {
      git++;
      if (r.error) {
        gitMissing++;
        lines.push(`  ${p.red("!")}  ${r.name.padEnd(31)} ${branchLabel(r)}`);
        lines.push(
          `       ${p.red("!")} ${r.error}${r.error === "not fetched" ? " (run 'ivpm update')" : ""}`,
        );
        continue;
      }
      const changed = (r.modified ?? 0) + (r.untracked ?? 0) > 0;
      if (changed) modified++;
      else clean++;
      if (!r.matchesLock) offLock++;
      const marker = changed ? p.yellow("✎") : p.green("✓");
      const state = changed ? "modified" : "clean";
      const name = r.name + (r.fromDepsSource ? provenance(r) : "");
      const lock = r.matchesLock ? "" : `  (locked: ${r.lockedCommit?.slice(0, 7) ?? "none"})`;
      lines.push(
        `  ${marker}  ${name.padEnd(31)} ${branchLabel(r).padEnd(26)} ${
          (r.commit ?? "").slice(0, 7).padEnd(7)
        }  ${state.padEnd(10)} ${upstreamLabel(r)}${lock}`.trimEnd(),
      );
      if (verbose >= 1) {
        for (const c of r.changes ?? []) lines.push(`      ${c.xy} ${c.path}`);
      }
    } else {
      if (!HIDDEN_SOURCES.has(r.src)) nonVcs++;
      const version = r.version ? ` ${r.version}` : "";
      if (r.error) {
        otherMissing++;
        lines.push(`  ${p.red("!")}  ${r.name.padEnd(31)} (${r.src})${version}  (${r.error})`);
        continue;
      }
      lines.push(`  ${p.dim("~")}  ${r.name.padEnd(31)} (${r.src})${version}${provenance(r)}`);
    }
  }
  let summary = `${rows.length} package(s) · ${git} git (${clean} clean, ${modified} modified`;
  if (gitMissing) summary += `, ${gitMissing} missing`;
  summary += ")";
  if (offLock) summary += ` · ${offLock} not at the locked commit`;
  if (nonVcs) summary += ` · ${nonVcs} non-VCS${otherMissing ? ` (${otherMissing} missing)` : ""}`;
  if (hidden) summary += verbose >= 2 ? ` · ${hidden} pypi` : ` · ${hidden} pypi (hidden, use -vv to show)`;
  lines.push("", summary);
  return lines;
}
