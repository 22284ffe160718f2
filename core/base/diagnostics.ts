/**
 * Located diagnostics in the original's format:
 * `file:line:col: severity: message`, then the source line and a caret.
 *
 * @module
 */

/** A position in a source file (1-based line and column). */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

/** Severity of a diagnostic, as printed. */
export type Severity = "note" | "warning" | "error" | "fatal";

/** One message about one place in one file. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  loc?: Loc;
  /** Extra `note:` lines printed under the excerpt (e.g. "did you mean"). */
  notes?: string[];
}

/** Reads the text of a file for excerpts; returns undefined when unavailable. */
export type SourceReader = (file: string) => string | undefined;

const sourceCache = new Map<string, string[]>();

/** Remember a file's text so diagnostics can quote it without re-reading. */
export function registerSource(file: string, text: string): void {
  sourceCache.set(file, text.split(/\r?\n/));
}

function sourceLine(file: string, line: number): string | undefined {
  let lines = sourceCache.get(file);
  if (!lines) {
    try {
      lines = Deno.readTextFileSync(file).split(/\r?\n/);
      sourceCache.set(file, lines);
    } catch {
      return undefined;
    }
  }
  return lines[line - 1];
}

/** Formats `file:line:col` (or just `file`) for use inside a message. */
export function formatLoc(loc: Loc | undefined): string {
  if (!loc) return "";
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/**
 * The line with tabs as one space and control characters (C0, DEL, C1) and bidi overrides as U+FFFD,
 * so the caret stays aligned and the terminal is not told to do anything by the quoted file.
 */
function printable(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    out += ch === "\t" ? " " : control ? "\ufffd" : ch;
  }
  return out;
}

/** Renders one diagnostic as text lines (no trailing newline). */
export function renderDiagnostic(d: Diagnostic): string {
  const head = d.loc ? `${formatLoc(d.loc)}: ${d.severity}: ${d.message}` : `${d.severity}: ${d.message}`;
  const out = [head];
  if (d.loc && (d.severity === "error" || d.severity === "fatal")) {
    const text = sourceLine(d.loc.file, d.loc.line);
    if (text !== undefined) {
      // Long lines (minified YAML) are clipped around the caret so output stays readable.
      let shown = printable(text);
      let col = d.loc.col;
      if (shown.length > 160) {
        const start = Math.max(0, col - 80);
        shown = (start > 0 ? "…" : "") + shown.slice(start, start + 160) + "…";
        col = col - start + (start > 0 ? 1 : 0);
      }
      out.push(shown, " ".repeat(Math.max(0, col - 1)) + "^");
    }
  }
  for (const n of d.notes ?? []) out.push(`note: ${n}`);
  return out.join("\n");
}
