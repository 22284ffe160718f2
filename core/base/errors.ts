/**
 * The few error classes ivpm raises. Each carries the exit code the CLI uses, so
 * commands never decide exit codes themselves, and a user error never prints a
 * stack trace (only `--log-level DEBUG` does).
 *
 * @module
 */

import type { Diagnostic } from "./diagnostics.ts";

/** A user-facing failure: one-line cause plus, where possible, the fix. Exit code 1. */
export class IvpmError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  /** What the user can do about it (printed on its own line as `hint: …`). */
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "IvpmError";
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/**
 * An error a `--json` command already put in its one JSON document (as its `error` field): the CLI prints
 * it to stderr as usual, but writes no second JSON document to stdout.
 */
export class ReportedInJsonError extends IvpmError {
  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message, options);
    this.name = "ReportedInJsonError";
  }
}

/** Wrong command-line usage (unknown option, missing argument). Exit code 2. */
export class UsageError extends IvpmError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: 2 });
    this.name = "UsageError";
  }
}

/** One or more located problems in a configuration file (rendered as `file:line:col: error: …`). */
export class ConfigError extends IvpmError {
  /** Every problem found, in file order. */
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    const first = diagnostics[0];
    super(first ? first.message : "invalid configuration");
    this.name = "ConfigError";
    this.diagnostics = diagnostics;
  }
}
