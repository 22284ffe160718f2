/**
 * The result table of `deno task bench`: one row per figure, in Markdown so it
 * can be pasted into a note.
 *
 * @module
 */

/** One figure against its target. */
export interface Row {
  /** Item number in the table (rows of one item share it). */
  item: string;
  metric: string;
  /** The figure as printed (with unit), or `failed: …` / `skipped: …`. */
  measured: string;
  /** The target as printed, or `–` for an informational row. */
  target: string;
  /** Whether the target is met; undefined: no target, or not measured. */
  ok?: boolean;
}

/** `ms` with no decimals below 10 s, else seconds with one. */
export function fmtMs(ms: number): string {
  return ms < 10_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A ratio as `1.23×`. */
export function fmtRatio(x: number): string {
  return `${x.toFixed(2)}×`;
}

/** KiB (as GNU time reports) as decimal megabytes. */
export function fmtMB(kib: number | undefined): string {
  return kib === undefined ? "?" : `${(kib * 1024 / 1e6).toFixed(1)} MB`;
}

function cell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The table as Markdown lines. */
export function renderTable(rows: Row[]): string[] {
  const head = ["#", "metric", "measured", "target", "ok?"];
  const lines = rows.map((r) =>
    [
      r.item,
      r.metric,
      r.measured,
      r.target,
      r.ok === undefined ? "–" : r.ok ? "yes" : "**NO**",
    ].map(cell)
  );
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [fmt(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(fmt)];
}
