/**
 * The user-facing output channel: data to stdout, diagnostics and progress to
 * stderr, colour only on a TTY without `NO_COLOR`, developer log behind
 * `--log-level`.
 *
 * Every line goes to the terminal through {@link terminalText}: a control or bidi-override character
 * in it (from a dependency's name or url, a server, a plugin) is printed as a visible escape, never
 * acted on. The only escape sequences that reach the terminal are ivpm's own: the colours of
 * {@link colors} (when colour is on) and the status line's redraw.
 *
 * @module
 */

import { type Diagnostic, renderDiagnostic } from "../base/diagnostics.ts";
import { escapeControls } from "../util/terminal_text.ts";

/** Developer log levels (`--log-level`). */
export type LogLevel = "DEBUG" | "INFO" | "WARN" | "NONE";

/** How the CLI was asked to talk. */
export interface UiSettings {
  logLevel: LogLevel;
  verbose: number;
  quiet: boolean;
  color: boolean;
  /** stdout is a terminal (progress may redraw); false means plain line output. */
  interactive: boolean;
  /** `--no-rich`: plain lines only, whatever the terminal. */
  plain?: boolean;
}

const enc = new TextEncoder();

/** `TERM=dumb` (Emacs shells, some CI consoles) cannot redraw a line: plain lines and no colour there. */
function dumbTerminal(): boolean {
  try {
    return Deno.env.get("TERM") === "dumb";
  } catch {
    return false;
  }
}

function detectColor(): boolean {
  try {
    if (Deno.env.get("NO_COLOR") !== undefined || dumbTerminal()) return false;
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function detectTty(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}

/** Current settings; the CLI sets them once from the global flags. */
export const settings: UiSettings = {
  logLevel: "NONE",
  verbose: 0,
  quiet: false,
  color: detectColor(),
  interactive: detectTty(),
};

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, NONE: 100 };

/** The SGR codes {@link colors} uses (and `0`, reset): the only escape sequences a line may carry. */
// deno-lint-ignore no-control-regex
const OWN_SGR = /\x1b\[(?:0|1|2|31|32|33|36)m/g;

function paint(code: string, text: string): string {
  return settings.color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/**
 * `text` as it may reach the terminal: control and bidi-override characters escaped (tabs and line
 * breaks kept), except, when colour is on, the exact colour sequences of {@link colors}. Text from
 * outside ivpm should still be escaped before it is put in a line (`escapeControls` /
 * `escapeInline` in core/util/terminal_text.ts), so that it cannot even change a colour.
 */
export function terminalText(text: string): string {
  if (!settings.color || !text.includes("\x1b")) return escapeControls(text);
  let out = "", last = 0;
  for (const m of text.matchAll(OWN_SGR)) {
    out += escapeControls(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeControls(text.slice(last));
}

/** Colour helpers that respect NO_COLOR / non-TTY. */
export const colors = {
  bold: (t: string) => paint("1", t),
  dim: (t: string) => paint("2", t),
  red: (t: string) => paint("31", t),
  green: (t: string) => paint("32", t),
  yellow: (t: string) => paint("33", t),
  cyan: (t: string) => paint("36", t),
};

/** Exit status of a command whose reader went away (`ivpm … | head -1`), as for a process ended by SIGPIPE. */
export const BROKEN_PIPE_STATUS = 141;

const closed = { stdout: false, stderr: false };

/** Whether stdout's reader went away during this run (the CLI then exits with {@link BROKEN_PIPE_STATUS}). */
export function stdoutClosed(): boolean {
  return closed.stdout;
}

/**
 * Writes all of `bytes` (writeSync may take only part of a large buffer on a pipe). A reader that went
 * away is not an error of ivpm: later output to that stream is dropped and the run ends quietly.
 */
export function writeAll(stream: "stdout" | "stderr", bytes: Uint8Array): void {
  if (closed[stream]) return;
  const file = stream === "stdout" ? Deno.stdout : Deno.stderr;
  try {
    for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
  } catch (e) {
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
    closed[stream] = true;
  }
}

/** Writes text (no newline added) to a stream, through {@link terminalText}. */
export function writeText(stream: "stdout" | "stderr", text: string): void {
  writeAll(stream, enc.encode(terminalText(text)));
}

/** Writes a line of data to stdout (a line of JSON stays valid JSON of the same value). */
export function out(line = ""): void {
  writeText("stdout", line + "\n");
}

/** Writes text to stdout (no newline added). */
export function outRaw(text: string): void {
  writeText("stdout", text);
}

let status = "";

function columns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

/** Whether a redrawn status line may be shown (stderr is a terminal, not quiet, no developer log). */
export function liveEnabled(): boolean {
  try {
    return Deno.stderr.isTerminal() && !dumbTerminal() && !settings.plain && !settings.quiet &&
      settings.logLevel === "NONE" &&
      settings.verbose < 2;
  } catch {
    return false;
  }
}

/**
 * Sets the one-line live status shown under the transcript on a terminal ("" clears it).
 * Without a terminal it does nothing, so CI logs stay plain lines.
 */
export function setStatus(text: string): void {
  if (!liveEnabled()) return;
  const width = Math.max(10, columns() - 1);
  const safe = terminalText(text);
  const clipped = safe.length > width ? safe.slice(0, width - 1) + "…" : safe;
  writeAll("stderr", enc.encode("\r\x1b[2K" + clipped));
  status = clipped;
}

/** Writes a line to stderr (above the live status line, if one is shown). */
export function err(line = ""): void {
  if (status) {
    writeAll("stderr", enc.encode("\r\x1b[2K" + terminalText(line) + "\n" + status));
    return;
  }
  writeText("stderr", line + "\n");
}

function colourSeverity(text: string, d: Diagnostic): string {
  if (!settings.color) return text;
  const c = d.severity === "note" ? "36" : d.severity === "warning" ? "33" : "31";
  return text.replace(`${d.severity}:`, paint(c, `${d.severity}:`));
}

/** `d` with its texts (from a dependency's ivpm.yaml, a plugin) escaped, before colour is added. */
function escapedDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    message: escapeControls(d.message),
    ...(d.loc ? { loc: { ...d.loc, file: escapeControls(d.loc.file) } } : {}),
    ...(d.notes ? { notes: d.notes.map(escapeControls) } : {}),
  };
}

/** Prints a diagnostic to stderr (notes only when verbose, nothing but errors when quiet). */
export function diag(d: Diagnostic): void {
  if (d.severity === "note" && (settings.quiet || settings.verbose < 1)) return;
  if (d.severity === "warning" && settings.quiet) return;
  err(colourSeverity(renderDiagnostic(escapedDiagnostic(d)), d));
}

/** `note: …` (shown with -v). */
export function note(message: string): void {
  diag({ severity: "note", message });
}

/** `warning: …`. */
export function warn(message: string): void {
  diag({ severity: "warning", message });
}

/** Progress/status line for humans on stderr (hidden by -q). */
export function info(message: string): void {
  if (!settings.quiet) err(message);
}

/** Developer log line (`--log-level`). */
export function debug(message: string, level: LogLevel = "DEBUG"): void {
  if (LEVELS[level] >= LEVELS[settings.logLevel]) err(`${level}: ${message}`);
}
