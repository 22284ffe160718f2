/**
 * Runs the CLI: global flags, error-to-exit-code mapping, and the promise that a
 * user error never shows a stack trace (unless `--log-level DEBUG`).
 *
 * @module
 */

import { type Command, CommanderError } from "commander";
import { ConfigError, IvpmError, ReportedInJsonError } from "../base/errors.ts";
import {
  BROKEN_PIPE_STATUS,
  colors,
  diag,
  err,
  type LogLevel,
  out,
  settings,
  stdoutClosed,
  writeText,
} from "../ui/log.ts";
import { buildProgram } from "./program.ts";
import { asDiskError } from "../util/disk_error.ts";
import { versionText } from "../base/version.ts";
import { escapeControls } from "../util/terminal_text.ts";

/** Moves `-D x=y` / `-Dx=y` given before the sub-command to after it (the original accepted both). */
export function hoistDefines(argv: string[]): string[] {
  const cmdIdx = argv.findIndex((a, i) =>
    !a.startsWith("-") && !(i > 0 && /^(-D|--log-level)$/.test(argv[i - 1]))
  );
  if (cmdIdx < 0) return argv;
  const before = argv.slice(0, cmdIdx);
  const moved: string[] = [];
  const kept: string[] = [];
  for (let i = 0; i < before.length; i++) {
    if (before[i] === "-D" && i + 1 < before.length) moved.push("-D", before[++i]);
    else if (before[i].startsWith("-D") && before[i].length > 2) moved.push(before[i]);
    else kept.push(before[i]);
  }
  return [...kept, ...argv.slice(cmdIdx), ...moved];
}

/** Global flags without a value, accepted after the sub-command too (`ivpm update --frozen`). */
const GLOBAL_FLAGS = new Set(["--frozen", "-q", "--quiet", "--no-rich"]);

/**
 * Moves global flags given after the sub-command (`ivpm update --frozen -q --log-level DEBUG`) to before
 * it, where commander expects program options. Arguments after `--`, and everything after `activate`
 * (they belong to the command it runs), stay where they are.
 */
export function hoistGlobals(argv: string[]): string[] {
  const cmdIdx = argv.findIndex((a, i) =>
    !a.startsWith("-") && !(i > 0 && /^(-D|--log-level)$/.test(argv[i - 1]))
  );
  if (cmdIdx < 0 || argv[cmdIdx] === "activate") return argv;
  const hoisted: string[] = [];
  const rest: string[] = [];
  let i = cmdIdx;
  for (; i < argv.length && argv[i] !== "--"; i++) {
    const a = argv[i];
    if (GLOBAL_FLAGS.has(a) || a.startsWith("--log-level=")) hoisted.push(a);
    else if (a === "--log-level" && i + 1 < argv.length) hoisted.push(a, argv[++i]);
    else rest.push(a);
  }
  return [...argv.slice(0, cmdIdx), ...hoisted, ...rest, ...argv.slice(i)];
}

function applyGlobals(argv: string[]): void {
  const lvl = argv.indexOf("--log-level");
  const eq = argv.find((a) => a.startsWith("--log-level="));
  const level = (lvl >= 0 ? argv[lvl + 1] : eq?.split("=")[1])?.toUpperCase();
  if (level && ["DEBUG", "INFO", "WARN", "NONE"].includes(level)) settings.logLevel = level as LogLevel;
  if (argv.includes("-q") || argv.includes("--quiet")) settings.quiet = true;
  // The original's flag for scripts: plain text, no colour, no redrawn status line.
  if (argv.includes("--no-rich")) {
    settings.color = false;
    settings.plain = true;
    settings.interactive = false;
  }
}

/**
 * Runs ivpm with the given arguments; returns the exit code. `program` defaults to
 * the real command tree (tests and embedders may pass one with extra commands).
 */
export async function runCli(argv: string[], program: Command = buildProgram()): Promise<number> {
  applyGlobals(argv);
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    out(versionText());
    return stdoutClosed() ? BROKEN_PIPE_STATUS : 0;
  }
  let usageCommand = "ivpm";
  program.exitOverride();
  const configure = (c: typeof program) => {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => writeText("stdout", s),
      writeErr: (s) => writeText("stderr", s),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      // Usage errors are printed by us, as one line plus a hint.
      outputError: () => {},
    });
    c.hook("preAction", (_t, action) => {
      usageCommand = commandPath(action);
      const o = program.opts();
      settings.verbose = Math.max(settings.verbose, o.verbose ?? 0, action.opts().verbose ?? 0);
      if (o.quiet) settings.quiet = true;
    });
    for (const sub of c.commands) configure(sub as typeof program);
  };
  configure(program);
  try {
    await program.parseAsync(hoistGlobals(hoistDefines(argv)), { from: "user" });
    return stdoutClosed() ? BROKEN_PIPE_STATUS : 0;
  } catch (e) {
    return report(e, usageCommand, program);
  }
}

function commandPath(c: { name(): string; parent: unknown }): string {
  const parts: string[] = [];
  let cur: { name(): string; parent: unknown } | null = c;
  while (cur) {
    parts.unshift(cur.name());
    cur = cur.parent as typeof cur;
  }
  return parts.join(" ");
}

/**
 * Prints an error the way the CLI does and returns its exit code. Under `--json` the error is also one
 * JSON object on stdout (`{"type":"error",…}`), so tools reading stdout see why the command failed.
 */
export function report(e: unknown, where: string, program: Command): number {
  // The reader of our output went away (`ivpm … | head -1`): end quietly, as a SIGPIPE'd process does.
  if (e instanceof Deno.errors.BrokenPipe || stdoutClosed()) return BROKEN_PIPE_STATUS;
  // A full, read-only or forbidden disk is the machine's problem, not a bug in ivpm: one line naming the path.
  e = asDiskError(e) ?? e;
  const code = reportText(e, where, program);
  if (
    lastArgs.includes("--json") && !(e instanceof CommanderError && e.exitCode === 0) &&
    !(e instanceof ReportedInJsonError)
  ) {
    const error = e instanceof Error ? e : new Error(String(e));
    out(JSON.stringify({
      type: "error",
      message: error.message.replace(/^error: /, ""),
      ...(e instanceof IvpmError && e.hint ? { hint: e.hint } : {}),
      exitCode: code,
      ...(e instanceof ConfigError
        ? {
          diagnostics: e.diagnostics.map((d) => ({
            severity: d.severity,
            message: d.message,
            ...(d.loc ? { file: d.loc.file, line: d.loc.line, col: d.loc.col } : {}),
          })),
        }
        : {}),
    }));
  }
  return code;
}

function reportText(e: unknown, where: string, program: Command): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    // No sub-command given: commander has already printed the help (to stderr).
    if (e.code === "commander.help") return 2;
    let msg = e.message.replace(/^error: /, "").replace(
      /\s*\(Did you mean (.+)\?\)\s*$/,
      "; did you mean '$1'?",
    );
    msg = escapeControls(msg.charAt(0).toUpperCase() + msg.slice(1));
    // Commander does not tell which sub-command failed; find the deepest one named in argv.
    const cmdName = guessCommand(program);
    err(`${cmdName}: error: ${msg}`);
    err(`hint: run '${cmdName} --help' for usage`);
    return 2;
  }
  if (e instanceof ConfigError) {
    for (const d of e.diagnostics) diag(d);
    const n = e.diagnostics.length;
    err(colors.red(`${n} error${n === 1 ? "" : "s"} in configuration; nothing was changed`));
    if (settings.logLevel === "DEBUG") err(escapeControls(e.stack ?? ""));
    return e.exitCode;
  }
  // A message names what failed (a dependency's url, a server's reply): escaped before colour is added.
  if (e instanceof IvpmError) {
    err(`${colors.red("error:")} ${escapeControls(e.message)}`);
    if (e.hint) err(`hint: ${escapeControls(e.hint)}`);
    if (settings.logLevel === "DEBUG") err(escapeControls(e.stack ?? ""));
    return e.exitCode;
  }
  const error = e instanceof Error ? e : new Error(String(e));
  err(`${colors.red("error:")} ${escapeControls(where)}: ${escapeControls(error.message)}`);
  if (settings.logLevel === "DEBUG") err(escapeControls(error.stack ?? ""));
  else err("hint: this looks like a bug in ivpm; re-run with --log-level DEBUG and report the trace");
  return 1;
}

let lastArgs: string[] = [];
function guessCommand(program: Command): string {
  let cur = program;
  const names = ["ivpm"];
  for (const a of lastArgs) {
    const next = cur.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) continue;
    names.push(next.name());
    cur = next;
  }
  return names.join(" ");
}

/** Records argv for error messages (set by main). */
export function setArgs(argv: string[]): void {
  lastArgs = argv;
}
