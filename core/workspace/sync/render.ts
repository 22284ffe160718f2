/**
 * Plain output of `ivpm sync`, laid out as the original IVPM's: the transcript lines,
 * the attention section, the summary line, and the markdown summary for CI.
 *
 * ```
 * >> lib
 * << lib  ↑  synced  1a2b3c4 → 5d6e7f8 (2 commits)
 * << pinned  —  skipped  pinned to tag v1
 *
 * Sync: 1 synced · 1 skipped
 * [dry-run — no changes made]
 * ```
 *
 * @module
 */

import { NEEDS_ATTENTION, OUTCOME_ICONS, OUTCOMES, type SyncResult } from "./outcome.ts";
import type { SyncReport } from "./sync.ts";

/** Sources whose rows are hidden unless `-vv` (as in `ivpm status`). */
export const HIDDEN_SOURCES: ReadonlySet<string> = new Set(["pypi"]);

/** Whether a result is shown at this verbosity. */
export function shown(r: SyncResult, verbose: number): boolean {
  return verbose >= 2 || !HIDDEN_SOURCES.has(r.src);
}

/** One-line detail of a result: what moved, or why nothing did. */
export function detail(r: SyncResult): string {
  const short = (s?: string) => s?.slice(0, 7) ?? "?";
  switch (r.outcome) {
    case "synced":
      return `${short(r.before)} → ${short(r.after)} (${r.behind} commit${r.behind === 1 ? "" : "s"}${
        r.merged ? ", merge commit created" : ""
      })`;
    case "up-to-date":
      return r.upstream ? `with ${r.upstream}` : "";
    default:
      return r.reason ?? "";
  }
}

/** `<< name  icon  outcome  detail`. */
export function doneLine(r: SyncResult): string {
  const d = detail(r);
  return `<< ${r.name}  ${OUTCOME_ICONS[r.outcome]}  ${r.outcome}${d ? `  ${d}` : ""}`;
}

/** The attention section (`-v`): files and next steps of every result that needs the user. */
export function attentionLines(results: SyncResult[], verbose: number): string[] {
  const need = results.filter((r) => NEEDS_ATTENTION.has(r.outcome) && shown(r, verbose));
  if (!need.length) return [];
  const lines = ["", "Attention:"];
  for (const r of need) {
    lines.push(`  ${r.name}: ${r.outcome}${r.reason ? ` — ${r.reason}` : ""}`);
    for (const f of r.files ?? []) lines.push(`      ${f}`);
    for (const s of r.nextSteps ?? []) lines.push(`    next: ${s}`);
  }
  return lines;
}

/** `Sync: 1 up-to-date · 2 skipped[ · N pypi (hidden)]`, or `Sync: nothing to do`. */
export function summaryLine(report: SyncReport, verbose: number): string {
  const visible = report.results.filter((r) => shown(r, verbose));
  const hidden = report.results.length - visible.length;
  if (!report.results.length) return "Sync: nothing to do";
  const parts: string[] = [];
  for (const o of OUTCOMES) {
    const n = visible.filter((r) => r.outcome === o).length;
    if (n) parts.push(`${n} ${o}`);
  }
  if (hidden) parts.push(`${hidden} pypi (hidden)`);
  return `Sync: ${parts.join(" · ")}`;
}

/** The closing lines: blank line, summary, the dry-run notice. */
export function closingLines(report: SyncReport, verbose: number): string[] {
  const lines = ["", summaryLine(report, verbose)];
  if (report.lockUpdated) {
    const n = report.results.filter((r) => r.after && r.after !== r.before).length;
    lines.push(`Lock: commit_resolved updated for ${n} package${n === 1 ? "" : "s"}`);
  }
  if (report.dryRun) lines.push("[dry-run — no changes made]");
  return lines;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** A markdown summary (a table per package plus the summary line), e.g. for `$GITHUB_STEP_SUMMARY`. */
export function markdownSummary(report: SyncReport): string {
  const rows = report.results.filter((r) => !HIDDEN_SOURCES.has(r.src));
  const lines = [
    `### ivpm sync${report.dryRun ? " (dry run)" : ""}`,
    "",
  ];
  if (rows.length) {
    lines.push("| | Package | Branch | Outcome | Details |", "|---|---|---|---|---|");
    for (const r of rows) {
      const files = r.files?.length ? ` (${r.files.map((f) => `\`${f}\``).join(", ")})` : "";
      lines.push(
        `| ${OUTCOME_ICONS[r.outcome]} | ${cell(r.name)} | ${cell(r.branch ?? "")} | ${r.outcome} | ${
          cell(detail(r) + files)
        } |`,
      );
    }
    lines.push("");
  }
  lines.push(`**${summaryLine(report, 0)}**`);
  if (report.dryRun) lines.push("", "_dry run — no changes made_");
  return lines.join("\n") + "\n";
}
